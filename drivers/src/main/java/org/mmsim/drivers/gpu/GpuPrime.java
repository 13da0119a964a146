package org.mmsim.drivers.gpu;

import org.mmsim.kernel.bug.KernelBug;
import org.mmsim.kernel.dmabuf.DmaBuf;
import org.mmsim.kernel.dmabuf.DmaBufAttachment;
import org.mmsim.kernel.dmabuf.DmaBufOps;
import org.mmsim.kernel.dmabuf.SgTable;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.uapi.Errno;

/**
 * The BOs' {@code dma_buf_ops}: the GEM/TTM PRIME exporter ({@code drm_gem_prime_export}'s
 * {@code drm_gem_prime_dmabuf_ops} with TTM's object functions, and the device side of a driver with dynamic
 * dma-bufs, after amdgpu_dma_buf.c). The buffer's {@code priv} is the {@link Bo}, its reservation lock the BO's.
 *
 * <p>Device side: the exporter is <em>dynamic</em> ({@code ->pin}): a BO with importers may still move, and its move
 * tells them ({@code dma_buf_move_notify}, {@link GpuDriver#boMove}). {@code ->pin} is {@code amdgpu_dma_buf_pin}:
 * VRAM is allowed only under {@code dmabuf_pin_vram} (f5e7fabd1f5c, 6.15; from 5.7 to 6.14 a pin always went to
 * GTT), when the core is built with {@code CONFIG_DMABUF_MOVE_NOTIFY} (Felix Kuehling's fix of May 2025) and every
 * attachment can do peer-to-peer DMA. Otherwise a BO in VRAM is first moved to GTT (the model's
 * system placement) as {@code ttm_bo_validate} does (its CPU mappings zapped, its importers told, the words copied),
 * then pinned ({@code amdgpu_bo_pin}). TTM then neither moves a pinned BO ({@code ttm_bo_validate}: "Moving of pinned
 * BOs is forbidden", -EINVAL) nor evicts it (a pinned BO is off the LRU). {@code ->map_dma_buf} hands out the frames
 * of the BO's placement: for an importer that can do peer-to-peer DMA (the model's all can: RDMA's
 * {@code allow_peer2peer}) both placements are reachable and amdgpu's validate moves nothing; an importer that cannot
 * would have a VRAM BO moved to GTT first, which is not modelled: -EBUSY, as amdgpu gives for a BO pinned where the
 * importer cannot reach it.
 */
final class GpuPrime implements DmaBufOps {
    private final GpuDriver driver;

    GpuPrime(GpuDriver driver) {
        this.driver = driver;
    }

    @Override
    public String name() {
        return GpuDriver.DEVICE;
    }

    @Override
    public boolean hasMmap() {
        return true;
    }

    /**
     * {@code drm_gem_dmabuf_mmap} → {@code drm_gem_prime_mmap}: add the BO's fake offset to {@code vm_pgoff}
     * ({@code drm_vma_node_start}), then the object's own mmap ({@code ttm_bo_mmap_obj}) as for the device file.
     */
    @Override
    public int mmap(DmaBuf dmabuf, Vma vma) {
        driver.kernel().tracePath("drm_gem_prime_mmap");
        Bo bo = (Bo) dmabuf.priv();
        vma.setPgoff(vma.pgoff() + bo.pgoff);
        return driver.mmapBo(vma);
    }

    /**
     * The coherency of a CPU mapping of the BO where it is now: write-combined in VRAM, cached in system memory
     * ({@link GpuDriver#prot}); what {@code DMA_BUF_IOCTL_INFO} answers under {@code dmabuf_map_info=query}.
     */
    @Override
    public int mapInfoNow(DmaBuf dmabuf) {
        return GpuDriver.mapInfoOf(((Bo) dmabuf.priv()).placement);
    }

    /**
     * {@code ->release} ({@code drm_gem_dmabuf_release}): the BO forgets its dma-buf ({@code obj->dma_buf}), so the
     * next export makes a new one; the BO itself is its DRM file's and outlives it (BOs are never destroyed here).
     */
    @Override
    public void release(DmaBuf dmabuf) {
        driver.kernel().tracePath("drm_gem_dmabuf_release");
        ((Bo) dmabuf.priv()).dmaBuf = null;
    }

    // ---- the device side ----------------------------------------------------------------------------------------

    @Override
    public boolean isDynamic() {
        return true;
    }

    /**
     * {@code amdgpu_dma_buf_pin} → {@code amdgpu_bo_pin} (the reservation held): in VRAM only if the build has move
     * notifiers and every attachment can do peer-to-peer DMA, else in GTT. A BO already pinned where it may not stay
     * is -EINVAL; one that must move and finds no room in system memory -ENOMEM. The move runs whole within the
     * caller's step (the kernel's sleeps in it, for pte locks, are not preemption points here).
     */
    @Override
    public int pin(DmaBufAttachment attach) {
        driver.kernel().tracePath("amdgpu_dma_buf_pin");
        DmaBuf dmabuf = attach.dmabuf();
        Bo bo = (Bo) dmabuf.priv();
        if (pinMoves(dmabuf)) {
            if (bo.pinCount > 0) {
                return -Errno.EINVAL; // amdgpu_bo_pin: pinned in a domain the new pin does not allow
            }
            if (!driver.allocDest(bo, GpuDriver.SYSTEM)) {
                return -Errno.ENOMEM;
            }
            driver.kernel().tracePath("ttm_bo_validate");
            driver.kernel().unmapMappingRange(driver.gpu().mapping, bo.pgoff << 12, (long) bo.pages << 12, false)
                    .run();
            driver.boMove(bo, GpuDriver.SYSTEM);
        }
        bo.pinCount++;
        return 0;
    }

    /** Whether a pin now moves the BO to GTT first: it is in VRAM, which the pin may not keep it in. */
    private boolean pinMoves(DmaBuf dmabuf) {
        boolean vram = driver.kernel().profile().on(Switch.DMABUF_PIN_VRAM)
                && driver.kernel().profile().on(Switch.DMABUF_MOVE_NOTIFY);
        for (DmaBufAttachment a : dmabuf.attachments()) {
            vram &= a.peer2peer();
        }
        return ((Bo) dmabuf.priv()).placement == GpuDriver.VRAM && !vram;
    }

    /** A pin that moves the BO zaps its CPU mappings within its step: it waits until their pte locks are free. */
    @Override
    public Acquire pinWaitsFor(DmaBuf dmabuf) {
        return pinMoves(dmabuf) ? driver.kernel().unmapMappingRangeWaitsFor(driver.gpu().mapping) : null;
    }

    /** {@code amdgpu_dma_buf_unpin} → {@code amdgpu_bo_unpin}. */
    @Override
    public void unpin(DmaBufAttachment attach) {
        driver.kernel().tracePath("amdgpu_dma_buf_unpin");
        Bo bo = (Bo) attach.dmabuf().priv();
        KernelBug.bugOn(bo.pinCount == 0, "ttm_bo_unpin", "unpin of bo " + bo.id + " that is not pinned");
        bo.pinCount--;
    }

    /**
     * {@code amdgpu_dma_buf_map}: the frames of the BO's placement now, page by page; -EBUSY for an importer that
     * cannot reach VRAM while the BO is there (see the class comment).
     */
    @Override
    public SgTable mapDmaBuf(DmaBufAttachment attach) {
        driver.kernel().tracePath("amdgpu_dma_buf_map");
        Bo bo = (Bo) attach.dmabuf().priv();
        if (bo.placement == GpuDriver.VRAM && !attach.peer2peer()) {
            return SgTable.error(-Errno.EBUSY);
        }
        int[] pfns = new int[bo.pages];
        for (int i = 0; i < pfns.length; i++) {
            pfns[i] = bo.pfn(i);
        }
        return SgTable.of(pfns);
    }

    @Override
    public int backingPfn(DmaBuf dmabuf, int page) {
        return ((Bo) dmabuf.priv()).pfn(page);
    }
}
