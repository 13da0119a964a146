package org.mmsim.drivers.gpu;

import java.util.Map;
import java.util.TreeMap;
import org.mmsim.kernel.api.DeviceMemory;
import org.mmsim.kernel.api.Driver;
import org.mmsim.kernel.api.Exports;
import org.mmsim.kernel.dmabuf.DmaBuf;
import org.mmsim.kernel.fs.FdTable;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.fs.FileOperations;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.profile.DriverFault;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.uapi.DmaBufUapi;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code /dev/gpu}: a TTM-style buffer manager ({@code drivers/gpu/drm/ttm}): buffer objects that live in a small
 * VRAM or in system memory and move between them while user space maps them.
 *
 * <p>Memory, reserved at {@code module_init}: {@link #VRAM_PAGES} frames of VRAM as raw PFNs (no {@code struct
 * page}: only special ptes map them, as a BAR aperture) and {@link #SYSTEM_PAGES} frames of "system memory" for the
 * GTT/SYSTEM placement, a second reservation of device frames <em>with</em> a {@code struct page} each (standing in
 * for the pages of a {@code ttm_tt}, so that a {@code ->nopage} handler can return one). A BO occupies a contiguous
 * run of frames of its placement (first fit).
 *
 * <p>Every open file of the device points at the device's one {@code address_space} ({@code
 * file->f_mapping = dev->anon_inode->i_mapping}), made at the first open. In the model the buffer object is the open
 * file ({@link #GPU_CREATE} makes the file's BO; the other ioctls act on it), as KVM's VM is; a BO's fake mmap offset
 * ({@link #GPU_MAP_OFFSET}) is what {@code mmap} of any file of the device selects it by ({@code ttm_bo_mmap_obj} via
 * {@code drm_vma_offset_lookup}). BOs are never destroyed (no GEM close): their frames stay theirs.
 *
 * <p>Ioctls ({@link GpuIoctl}; VALIDATE and EVICT sleep on reservation locks and step the
 * {@code unmap_mapping_range} of the move pte by pte). The fault handlers ({@link TtmBoVm}) follow the kernel's three
 * interfaces: {@code ->fault} ({@code ttm_bo_vm_fault}: reserve, look up the placement's pfn, insert it, unreserve;
 * it may sleep between the lookup and the insert, {@link GpuFaultResume}), {@code ->nopfn} (2.6.19: the pfn of the
 * current placement, no lock) and {@code ->nopage} (2.6.19: a referenced {@code struct page} for system placement;
 * for VRAM it inserts the raw pfn itself and returns {@code NOPAGE_REFAULT}). {@code ->access}
 * ({@code ttm_bo_vm_access}, 4.14+, {@code ttm_vm_access}) reads or writes the word through the placement under the reservation.
 *
 * <p>The broken driver: a BO created with {@link #GPU_CREATE_NOLOCK} takes no reservation in {@code ->fault}, so a move
 * can run between the handler's lookup and its insert and the pte it then inserts maps frames the BO left (seed 000's
 * stale pfn; the device-isolation invariant fires). It exists to show what the lock is for.
 *
 * <p>State ({@link Gpu}): the reservations, the BOs by id, the next id and fake offset, and the mapping; every BO is
 * registered as {@link DeviceMemory} owner of the frames of its placement.
 */
public final class GpuDriver implements Driver {
    /** The device node: {@code /dev/gpu}. */
    public static final String DEVICE = "gpu";

    /** {@code TTM_PL_VRAM}. */
    public static final int VRAM = 2;
    /** {@code TTM_PL_SYSTEM} (the model's GTT: TTM_PL_TT is system pages the GPU reaches through its GART). */
    public static final int SYSTEM = 0;
    /** Frames of VRAM (raw PFNs) reserved at init. */
    public static final int VRAM_PAGES = 4;
    /** Frames of system memory for BOs (device frames with a struct page) reserved at init. */
    public static final int SYSTEM_PAGES = 8;
    /** The largest BO, in pages. */
    public static final int MAX_BO_PAGES = 4;

    /** {@code GPU_CREATE(pages, placement, flags)}: make this file's BO; returns its id (the GEM handle). */
    public static final int GPU_CREATE = 0x6400;
    /** {@code GPU_MAP_OFFSET}: the BO's fake mmap offset in bytes (DRM_IOCTL_MODE_MAP_DUMB's {@code offset}). */
    public static final int GPU_MAP_OFFSET = 0x6401;
    /** {@code GPU_VALIDATE}: move the BO into VRAM ({@code ttm_bo_validate} with a VRAM placement). */
    public static final int GPU_VALIDATE = 0x6402;
    /** {@code GPU_EVICT}: move the BO to system memory ({@code ttm_bo_evict}). */
    public static final int GPU_EVICT = 0x6403;
    /** Model-only: the GPU's engine reads word {@code args[0]} (a byte offset) of the BO through its placement. */
    public static final int GPU_READ = 0x6404;
    /** Model-only: the engine writes {@code args[1]} at byte offset {@code args[0]} of the BO. */
    public static final int GPU_WRITE = 0x6405;

    /**
     * {@code GPU_EXPORT(map_info)} (the model's number and argument): PRIME export of the file's BO as a dma-buf
     * ({@code DRM_IOCTL_PRIME_HANDLE_TO_FD}, {@link GpuExport}); returns the new fd.
     */
    public static final int GPU_EXPORT = 0x6406;

    /** CREATE flag: the broken driver, whose {@code ->fault} does not reserve the BO. */
    public static final int GPU_CREATE_NOLOCK = 1;
    /**
     * A CREATE flag: the BO's mappings get {@code vm_ops->access = generic_access_phys} (what /dev/mem, PCI BARs and
     * many drivers use) instead of {@code ttm_bo_vm_access}: ptrace copies through the pfn it looked up, with the
     * window {@code generic_access_phys_recheck} (5.12) closes.
     */
    public static final int GPU_CREATE_GENERIC_ACCESS = 2;

    private Exports kernel;
    private final Gpu gpu = new Gpu();

    /** The device's memory, BOs and mapping. */
    static final class Gpu implements Hashable {
        int vramBase;
        int sysBase;
        int nextId = 1;
        long nextPgoff = 1;
        AddressSpace mapping;
        final TreeMap<Integer, Bo> bos = new TreeMap<>();

        @Override
        public void hashInto(StateHasher h) {
            h.add(vramBase).add(sysBase).add(nextId).add(nextPgoff).add(mapping == null ? 0 : mapping.id());
            h.add(bos.size());
            for (Bo bo : bos.values()) {
                bo.hashInto(h);
            }
        }
    }

    /** The owner of every frame, for the device-isolation invariant. */
    private final DeviceMemory owners = new DeviceMemory() {
        @Override
        public String name() {
            return DEVICE;
        }

        @Override
        public int owner(int pfn) {
            for (Bo bo : gpu.bos.values()) {
                if (bo.holds(pfn)) {
                    return bo.id;
                }
            }
            return -1;
        }

        /** The system placement's frames stand for a {@code ttm_tt}'s pages: RAM, in the direct map (cached). */
        @Override
        public boolean linearMapped(int pfn) {
            return pfn >= gpu.sysBase && pfn < gpu.sysBase + SYSTEM_PAGES;
        }

        @Override
        public int objectAt(Mm mm, long addr) {
            Vma vma = mm.vmaAt(addr);
            if (vma == null || !vm.owns(vma.vmOps())) {
                return -1;
            }
            Bo bo = boAtOffset(vma.linearPageIndex(addr));
            return bo == null ? -1 : bo.id;
        }
    };

    /** {@code ttm_bo_vm_ops}, and the same with {@code generic_access_phys}: {@link TtmBoVm}. */
    private final TtmBoVm vm = new TtmBoVm(this);

    private final FileOperations fops = new FileOperations() {
        @Override
        public String name() {
            return "gpu_fops";
        }

        /** {@code drm_open}: the file joins the device's {@code address_space} (made at the first open). */
        @Override
        public int open(File file) {
            if (gpu.mapping == null) {
                gpu.mapping = kernel.newDeviceMapping(DEVICE);
            }
            file.setMapping(gpu.mapping);
            return 0;
        }

        /** {@code ttm_bo_mmap}: see {@link #mmapBo}. */
        @Override
        public int mmap(File file, Vma vma) {
            kernel.tracePath("ttm_bo_mmap");
            return mmapBo(vma);
        }

        @Override
        public KernelCall<Void> ioctlCall(File file, FdTable files, Mm current, int cmd, long[] args) {
            return cmd == GPU_EXPORT ? new GpuExport(GpuDriver.this, file, files, args)
                    : ioctlCall(file, current, cmd, args);
        }

        @Override
        public KernelCall<Void> ioctlCall(File file, Mm current, int cmd, long[] args) {
            return switch (cmd) {
                case GPU_CREATE, GPU_MAP_OFFSET, GPU_VALIDATE, GPU_EVICT, GPU_READ, GPU_WRITE ->
                        new GpuIoctl(GpuDriver.this, file, cmd, args);
                default -> null;
            };
        }

        @Override
        public long ioctl(File file, int cmd, long arg) {
            return -Errno.ENOTTY;
        }
    };

    /** The BOs' {@code dma_buf_ops}: {@link GpuPrime}. */
    private final GpuPrime exporter = new GpuPrime(this);

    @Override
    public String name() {
        return DEVICE;
    }

    @Override
    public void init(Exports k) {
        register(k);
        gpu.vramBase = k.reserveDeviceMemory(VRAM_PAGES, false);
        gpu.sysBase = k.reserveDeviceMemory(SYSTEM_PAGES, true);
    }

    private void register(Exports k) {
        this.kernel = k;
        k.registerChrdev(DEVICE, fops);
        k.registerState(gpu);
        k.registerDeviceMemory(owners);
    }

    @Override
    public Driver copy(Exports k, Copier c) {
        GpuDriver d = new GpuDriver();
        d.register(k);
        c.pair(this, d);
        c.pair(fops, d.fops);
        vm.pairWith(d.vm, c);
        c.pair(owners, d.owners);
        c.pair(exporter, d.exporter);
        c.pair(gpu, d.gpu);
        d.gpu.vramBase = gpu.vramBase;
        d.gpu.sysBase = gpu.sysBase;
        d.gpu.nextId = gpu.nextId;
        d.gpu.nextPgoff = gpu.nextPgoff;
        return d;
    }

    @Override
    public void copyState(Driver original, Copier c) {
        Gpu o = ((GpuDriver) original).gpu;
        gpu.mapping = c.copy(o.mapping);
        for (Map.Entry<Integer, Bo> e : o.bos.entrySet()) {
            gpu.bos.put(e.getKey(), c.copy(e.getValue()));
        }
    }

    // ---- for the ioctls and the fault handlers ------------------------------------------------------------------

    Exports kernel() {
        return kernel;
    }

    Gpu gpu() {
        return gpu;
    }

    GpuPrime exporter() {
        return exporter;
    }

    /**
     * {@code ttm_bo_mmap} → {@code ttm_bo_mmap_obj} for a VMA whose {@code vm_pgoff} is a BO's fake offset: a COW
     * (private, may-write) mapping is -EINVAL ({@code is_cow_mapping}); the BO whose fake offset range holds
     * {@code vm_pgoff} ({@code drm_vma_offset_lookup}; -EINVAL if none or the VMA runs past it); the VMA gets
     * VM_IO|VM_PFNMAP|VM_DONTEXPAND|VM_DONTDUMP (VM_MIXEDMAP instead of VM_PFNMAP where faults call
     * {@code ->nopage}, whose pages are normal ptes) and {@code ttm_bo_vm_ops}. Nothing is mapped yet.
     */
    int mmapBo(Vma vma) {
        if (VmFlags.isCowMapping(vma.flags())) {
            return -Errno.EINVAL;
        }
        Bo bo = boAtOffset(vma.pgoff());
        long pages = (vma.end() - vma.start()) >>> 12;
        if (bo == null || vma.pgoff() + pages > bo.pgoff + bo.pages) {
            return -Errno.EINVAL;
        }
        long map = kernel.profile().driverFault() == DriverFault.NOPAGE ? VmFlags.VM_MIXEDMAP : VmFlags.VM_PFNMAP;
        vma.setFlags(vma.flags() | VmFlags.VM_IO | map | VmFlags.VM_DONTEXPAND | VmFlags.VM_DONTDUMP);
        vma.setVmOps(bo.genericAccess ? vm.genericAccessOps() : vm.ops());
        return 0;
    }

    /** The {@code map_info} of a CPU mapping of a BO in {@code placement}: COHERENT_WC for VRAM, else CACHED. */
    static int mapInfoOf(int placement) {
        return placement == VRAM ? DmaBufUapi.DMA_BUF_COHERENT_WC : DmaBufUapi.DMA_BUF_COHERENT_CACHED;
    }

    /** {@code drm_vma_offset_lookup}: the BO whose fake offset range holds page offset {@code pgoff}, or null. */
    Bo boAtOffset(long pgoff) {
        for (Bo bo : gpu.bos.values()) {
            if (bo.covers(pgoff)) {
                return bo;
            }
        }
        return null;
    }

    /** The cache attribute a pte of a BO in {@code placement} gets: write-combining for VRAM, the VMA's for system. */
    static long prot(int placement, Vma vma) {
        return placement == VRAM ? Exports.pgprotWritecombine(vma.pageProt()) : vma.pageProt();
    }

    /**
     * The first frame of a free run of {@code pages} frames in {@code placement} (first fit), or -1: free of every
     * BO placed there and of every move's destination there.
     */
    int findSpace(int placement, int pages) {
        int base = placement == VRAM ? gpu.vramBase : gpu.sysBase;
        int size = placement == VRAM ? VRAM_PAGES : SYSTEM_PAGES;
        for (int start = base; start + pages <= base + size; start++) {
            boolean free = true;
            for (Bo bo : gpu.bos.values()) {
                if ((bo.placement == placement && bo.first < start + pages && start < bo.first + bo.pages)
                        || (bo.destPlacement == placement && bo.destFirst < start + pages
                                && start < bo.destFirst + bo.pages)) {
                    free = false;
                    break;
                }
            }
            if (free) {
                return start;
            }
        }
        return -1;
    }

    /**
     * The driver's move callback, the BO reserved and its CPU mappings already zapped ({@code ttm_bo_handle_move_mem}
     * → {@code amdgpu_bo_move}): first {@code amdgpu_bo_move_notify}, which tells the importers of the BO's dma-buf
     * ({@code dma_buf_move_notify}; amdgpu skips it for a BO leaving TTM_PL_SYSTEM, which importers cannot map, but
     * the model's system placement stands for GTT, which they do); then {@code ttm_bo_move_memcpy}: the words copied
     * to the destination the move allocated ({@link #allocDest}) and the placement switched.
     */
    void boMove(Bo bo, int to) {
        kernel.tracePath("amdgpu_bo_move");
        if (bo.dmaBuf != null) {
            kernel.dmaBufMoveNotify((DmaBuf) bo.dmaBuf.privateData());
        }
        kernel.tracePath("ttm_bo_move_memcpy");
        if (bo.destPlacement != to) {
            throw new IllegalStateException("bo " + bo.id + " moves to " + to + " without a destination there");
        }
        int first = bo.destFirst;
        bo.destPlacement = -1;
        bo.destFirst = -1;
        for (int i = 0; i < bo.pages; i++) {
            for (int w = 0; w < 2; w++) {
                kernel.deviceWrite(first + i, w, kernel.deviceRead(bo.first + i, w));
            }
        }
        bo.placement = to;
        bo.first = first;
    }

    /**
     * {@code ttm_bo_mem_space}: allocate the frames {@code bo} moves to in {@code to}, before its CPU mappings are
     * zapped, so that nothing else takes them meanwhile; false (-ENOMEM) if there is no room.
     */
    boolean allocDest(Bo bo, int to) {
        int first = findSpace(to, bo.pages);
        if (first < 0) {
            return false;
        }
        bo.destPlacement = to;
        bo.destFirst = first;
        return true;
    }

    /** Word index of byte offset {@code off} within its page (0 or 1), or -1 if the model has no word there. */
    static int wordOf(long off) {
        long in = off & 0xfff;
        return (in & 7) == 0 && in < 16 ? (int) (in >>> 3) : -1;
    }
}
