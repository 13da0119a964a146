package org.mmsim.drivers.gpu;

import org.mmsim.kernel.api.Exports;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.locking.SpinLock;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;

/**
 * {@code struct ttm_buffer_object}: a buffer of {@link #pages} pages, its placement ({@code bo->resource->mem_type}:
 * {@link GpuDriver#VRAM} or {@link GpuDriver#SYSTEM}) and the first frame of the contiguous run it occupies there
 * ({@code bo->resource->start}), its fake mmap offset in the device's {@code address_space} ({@code
 * drm_vma_node_start(&bo->base.vma_node)}, in pages), and its reservation lock ({@code bo->base.resv}, a
 * {@code dma_resv} ww_mutex; here a sleeping lock that is never held by a thread that waits for another). {@link
 * #nolock} marks a deliberately broken BO whose fault handler does not reserve it (see {@link GpuDriver}).
 */
final class Bo extends StateObject implements Hashable {
    final int id;
    final int pages;
    /** The fake offset: page {@code pgoff + i} of the device mapping is page {@code i} of this BO. */
    final long pgoff;
    final boolean nolock;
    /** The BO's mappings answer ptrace with the kernel's {@code generic_access_phys}, not {@code ttm_bo_vm_access}. */
    final boolean genericAccess;
    final SpinLock resv;
    int placement;
    int first;
    /**
     * {@code obj->dma_buf}: the file of the dma-buf a PRIME export made of this BO, while it lives, so that the next
     * export hands out the same buffer ({@code drm_gem_prime_handle_to_fd} → {@code export_and_register_object}
     * reuses it); null before the first export and after its release.
     */
    File dmaBuf;
    /**
     * {@code bo->tbo.pin_count}: pins taken through its dma-buf ({@code amdgpu_bo_pin} from {@code ->pin}); TTM
     * neither moves nor evicts a pinned BO.
     */
    int pinCount;
    /**
     * The resource a move in progress has allocated ({@code ttm_bo_mem_space} before the unmap): the placement and
     * first frame it goes to, or -1 and -1. Others see those frames as taken until the move ends.
     */
    int destPlacement = -1;
    int destFirst = -1;

    Bo(int id, int pages, long pgoff, boolean nolock, boolean genericAccess, int placement, int first) {
        this.id = id;
        this.pages = pages;
        this.pgoff = pgoff;
        this.nolock = nolock;
        this.genericAccess = genericAccess;
        this.resv = Exports.newLock("bo->base.resv", id);
        this.placement = placement;
        this.first = first;
    }

    /** The frame that holds page {@code page} now. */
    int pfn(long page) {
        return first + (int) page;
    }

    boolean holds(int pfn) {
        return pfn >= first && pfn < first + pages;
    }

    boolean covers(long pageOffset) {
        return pageOffset >= pgoff && pageOffset < pgoff + pages;
    }

    @Override
    public void hashInto(StateHasher h) {
        h.add(id).add(pages).add(pgoff).add(nolock).add(genericAccess).add(placement).add(first)
                .add(dmaBuf == null ? 0 : dmaBuf.id()).add(pinCount).add(destPlacement).add(destFirst);
        resv.hashInto(h);
    }

    private Bo(Bo o, Copier c) {
        c.pair(o, this);
        this.id = o.id;
        this.pages = o.pages;
        this.pgoff = o.pgoff;
        this.nolock = o.nolock;
        this.genericAccess = o.genericAccess;
        this.resv = c.copy(o.resv);
        this.placement = o.placement;
        this.first = o.first;
        this.dmaBuf = c.copy(o.dmaBuf);
        this.pinCount = o.pinCount;
        this.destPlacement = o.destPlacement;
        this.destFirst = o.destFirst;
    }

    @Override
    public Bo copy(Copier c) {
        return new Bo(this, c);
    }
}
