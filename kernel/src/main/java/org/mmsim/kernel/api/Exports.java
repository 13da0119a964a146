package org.mmsim.kernel.api;

import java.util.List;
import org.mmsim.kernel.bug.KernelBug;
import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.fs.FdTable;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.fs.FileOperations;
import org.mmsim.kernel.fs.Vfs;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.locking.SpinLock;
import org.mmsim.kernel.locking.WaitEvent;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.AddressSpaceOperations;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.VmFault;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.gup.Gup;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.hmm.Hmm;
import org.mmsim.kernel.mm.hmm.HmmRange;
import org.mmsim.kernel.mm.memory.Memory;
import org.mmsim.kernel.mm.memory.Zap;
import org.mmsim.kernel.mm.notifier.MmuIntervalNotifier;
import org.mmsim.kernel.mm.notifier.MmuIntervalNotifierOps;
import org.mmsim.kernel.mm.notifier.MmuNotifier;
import org.mmsim.kernel.mm.notifier.MmuNotifierOps;
import org.mmsim.kernel.mm.notifier.MmuNotifiers;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.page.PageReferences;
import org.mmsim.kernel.mm.page.DevPagemapOps;
import org.mmsim.kernel.mm.migrate.MigrateDevice;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.profile.KernelProfile;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Footprint;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.dmabuf.DmaBuf;
import org.mmsim.kernel.dmabuf.DmaBufAttach;
import org.mmsim.kernel.dmabuf.DmaBufAttachOps;
import org.mmsim.kernel.dmabuf.DmaBufAttachment;
import org.mmsim.kernel.dmabuf.DmaBufFops;
import org.mmsim.kernel.dmabuf.SgTable;
import org.mmsim.kernel.dmabuf.DmaBufOps;
import org.mmsim.kernel.mm.pgtable.CacheMode;
import org.mmsim.kernel.uapi.Errno;

/**
 * The kernel's {@code EXPORT_SYMBOL} list: everything a driver (the {@code drivers} module, and io_uring, which the
 * model writes as a client of this list) may call. Each method is the kernel function it is named after, run to its
 * end in the driver's own step, with that function's returns and locks. Objects handed to drivers ({@link Vma},
 * {@link File}, {@link Mm}, {@link GupPages}) expose only their members marked {@link Export};
 * {@code ArchitectureTest} holds drivers to that.
 */
@Export
public final class Exports {
    private final MmCore core;
    private final Gup gup;
    private final Memory memory;
    private final Vfs vfs;
    private final Zap zap;
    private final List<DeviceMemory> deviceMemories;
    private final MmuNotifiers notifiers;
    private final Hmm hmm;
    private final SecondaryMmus secondaryMmus;
    private final List<Hashable> driverState;
    private final List<PageReferences> pageReferences;
    private final List<DeviceCheck> deviceChecks;
    private final MigrateDevice migrateDevice;
    private final DmaBufFops dmaBufFops;
    private final DmaBufAttach dmaBufAttach;

    public Exports(MmCore core, Gup gup, Memory memory, Vfs vfs, Zap zap, MmuNotifiers notifiers, Hmm hmm,
            MigrateDevice migrateDevice, SecondaryMmus secondaryMmus, List<DeviceMemory> deviceMemories,
            List<Hashable> driverState, List<PageReferences> pageReferences, List<DeviceCheck> deviceChecks,
            DmaBufFops dmaBufFops) {
        this.core = core;
        this.dmaBufFops = dmaBufFops;
        this.dmaBufAttach = new DmaBufAttach(core.trace(), core.profile());
        this.migrateDevice = migrateDevice;
        this.zap = zap;
        this.deviceMemories = deviceMemories;
        this.notifiers = notifiers;
        this.hmm = hmm;
        this.secondaryMmus = secondaryMmus;
        this.gup = gup;
        this.memory = memory;
        this.vfs = vfs;
        this.driverState = driverState;
        this.pageReferences = pageReferences;
        this.deviceChecks = deviceChecks;
    }

    /** Tell the trace that driver function {@code function} was entered (a journal shows it in the step's path). */
    @Export
    public void tracePath(String function) {
        core.trace().path(function);
    }

    /** The behaviour profile the kernel runs ({@code LINUX_VERSION_CODE} and the config, for a driver). */
    @Export
    public KernelProfile profile() {
        return core.profile();
    }

    // ---- GUP ------------------------------------------------------------------------------------------------

    /** {@code get_user_pages()}: see {@code Gup#getUserPages}; the caller holds the returned pages. */
    @Export
    public GupPages getUserPages(Mm mm, long start, int nr, int gupFlags) {
        return gup.getUserPages(mm, start, nr, gupFlags).complete();
    }

    /** {@code get_user_pages_fast()}. */
    @Export
    public GupPages getUserPagesFast(Mm mm, long start, int nr, int gupFlags) {
        return gup.getUserPagesFast(mm, start, nr, gupFlags).complete();
    }

    /** {@code pin_user_pages()}. */
    @Export
    public GupPages pinUserPages(Mm mm, long start, int nr, int gupFlags) {
        return gup.pinUserPages(mm, start, nr, gupFlags).complete();
    }

    /** {@code pin_user_pages_fast()}. */
    @Export
    public GupPages pinUserPagesFast(Mm mm, long start, int nr, int gupFlags) {
        return gup.pinUserPagesFast(mm, start, nr, gupFlags).complete();
    }

    /** {@code unpin_user_pages()}: 0, or -EINVAL if already released or not pins. */
    @Export
    public long unpinUserPages(GupPages g) {
        return gup.unpinUserPages(g);
    }

    /** {@code unpin_user_pages_dirty_lock()}. */
    @Export
    public long unpinUserPagesDirtyLock(GupPages g, boolean makeDirty) {
        return gup.unpinUserPagesDirtyLock(g, makeDirty);
    }

    /** {@code put_page()} on each page of a {@code get_user_pages*()} array. */
    @Export
    public long putPages(GupPages g) {
        return gup.putPages(g);
    }

    Tracer tracer() {
        return core.trace();
    }

    Footprint footprint() {
        return core.footprint();
    }

    // ---- mmap_lock ------------------------------------------------------------------------------------------

    /** {@code mmap_read_lock()}: the caller's {@link DriverCall#blockedOn} said {@link #mmapReadAcquire} was free. */
    @Export
    public void mmapReadLock(Mm mm) {
        mm.mmapReadLock();
    }

    /** {@code mmap_read_unlock()}. */
    @Export
    public void mmapReadUnlock(Mm mm) {
        mm.mmapReadUnlock();
    }

    /** Taking {@code mm}'s {@code mmap_lock} for read, for a driver call's {@code blockedOn}. */
    @Export
    public Acquire mmapReadAcquire(Mm mm) {
        return mm.mmapLock().read();
    }

    /** Taking {@code mm}'s {@code mmap_lock} for write, for a driver call's {@code blockedOn}. */
    @Export
    public Acquire mmapWriteAcquire(Mm mm) {
        return mm.mmapLock().write();
    }

    // ---- MMU notifiers and HMM ------------------------------------------------------------------------------

    /**
     * {@code mmu_notifier_register()}: takes {@code mmap_lock} for write ({@link #mmapWriteAcquire} must be free)
     * and then every anon_vma and i_mmap lock of the mm ({@code mm_take_all_locks}), so it costs O(#VMAs).
     */
    @Export
    public MmuNotifier mmuNotifierRegister(MmuNotifierOps ops, Mm mm) {
        mm.mmapWriteLock();
        try {
            return notifiers.register(ops, mm);
        } finally {
            mm.mmapWriteUnlock();
        }
    }

    /** {@code mmu_notifier_unregister()}: runs {@code ->release} if exit has not. */
    @Export
    public void mmuNotifierUnregister(MmuNotifier sub) {
        notifiers.unregister(sub);
    }

    /**
     * {@code mmu_interval_notifier_insert()} of [start, start + length): null for an empty range (-EOVERFLOW). The
     * first interval notifier of an mm takes its {@code mmap_lock} for write
     * ({@link #mmuIntervalNotifierInsertAcquire}), whether or not an hlist notifier registered the mm before.
     */
    @Export
    public MmuIntervalNotifier mmuIntervalNotifierInsert(Mm mm, long start, long length, MmuIntervalNotifierOps ops) {
        return notifiers.insert(mm, start, length, ops);
    }

    /** What {@link #mmuIntervalNotifierInsert} on {@code mm} waits for, or null. */
    @Export
    public Acquire mmuIntervalNotifierInsertAcquire(Mm mm) {
        return notifiers.hasItree(mm) ? null : mm.mmapLock().write().blocked();
    }

    /** {@code mmu_interval_notifier_remove()}; wait first while {@link #mmuIntervalNotifierRemoveWait} says so. */
    @Export
    public void mmuIntervalNotifierRemove(MmuIntervalNotifier mni) {
        notifiers.remove(mni);
    }

    /** What {@link #mmuIntervalNotifierRemove} waits for now (the end of a running invalidation), or null. */
    @Export
    public Acquire mmuIntervalNotifierRemoveWait(MmuIntervalNotifier mni) {
        return notifiers.removeWouldWait(mni)
                ? new WaitEvent("mmu_notifier wq", mni.mm().id(), () -> !notifiers.removeWouldWait(mni)) : null;
    }

    /** {@code mmu_interval_read_begin()}; wait first while {@link #mmuIntervalReadBeginWait} says so. */
    @Export
    public long mmuIntervalReadBegin(MmuIntervalNotifier mni) {
        return notifiers.readBegin(mni);
    }

    /** What {@link #mmuIntervalReadBegin} waits for now ({@code wait_event(subscriptions->wq, ...)}), or null. */
    @Export
    public Acquire mmuIntervalReadBeginWait(MmuIntervalNotifier mni) {
        return notifiers.readBeginWouldWait(mni)
                ? new WaitEvent("mmu_notifier wq", mni.mm().id(), () -> !notifiers.readBeginWouldWait(mni)) : null;
    }

    /** {@code mmu_interval_read_retry()}: call it under the lock {@code ->invalidate} takes. */
    @Export
    public boolean mmuIntervalReadRetry(MmuIntervalNotifier mni, long seq) {
        return notifiers.readRetry(mni, seq);
    }

    /**
     * What a fault that {@code hmm_range_fault} takes at {@code addr} of {@code mm} (for writing, if {@code write})
     * would sleep on before it maps anything ({@code filemap_fault}'s page lock; inside {@code ->page_mkwrite} the page
     * lock, or writeback on a disk that needs stable pages), or null: the same wait as a CPU access's, which a
     * driver's fault call waits for before it takes {@code mmap_lock}, as the model's CPU faults do
     * ({@code Memory#faultWait}).
     */
    @Export
    public Acquire hmmFaultWait(Mm mm, long addr, boolean write) {
        return memory.faultWait(mm, addr, write);
    }

    /** {@code hmm_range_fault()}: see {@code Hmm#rangeFault}; the caller holds {@code mmap_lock} for read. */
    @Export
    public int hmmRangeFault(HmmRange range) {
        return hmm.rangeFault(range);
    }

    // ---- secondary MMUs -------------------------------------------------------------------------------------

    /** Register a device's translation table with the device-coherence invariant. */
    @Export
    public void registerSecondaryMmu(SecondaryMmu view) {
        secondaryMmus.register(view);
    }

    /**
     * The device whose table is {@code view} reads word {@code word} of frame {@code pfn} through its entry for
     * {@code addr} of {@code mm} ({@code sub}: the device's notifier subscription, or null). An access that reaches a
     * frame the CPU does not map at {@code addr}, or comes after {@code sub}'s {@code ->release}, is reported by the
     * device-coherence invariant, naming {@code view}.
     */
    @Export
    public long secondaryRead(SecondaryMmu view, Mm mm, long addr, int pfn, int word, MmuNotifier sub) {
        checkAccess(view, mm, addr, pfn, false, sub);
        return pfn >= core.frames().nrFrames() ? -1L : core.frames().word(pfn, word); // MMIO: all ones
    }

    /**
     * {@code follow_pfnmap_start()} for a driver that maps what GUP refuses ({@code hva_to_pfn_remapped}): the pfn of
     * the present pte at {@code addr} of a {@code VM_IO|VM_PFNMAP} VMA (writable, if {@code write}), or -EFAULT where
     * there is none (the pte is not faulted in here: {@code fixup_user_fault} of such a VMA is not modelled) and
     * -EINVAL for any other VMA. The caller holds {@code mmap_lock}, or checks a notifier sequence after.
     */
    @Export
    public long followPfnmap(Mm mm, long addr, boolean write) {
        Vma vma = mm.vmaAt(addr);
        if (vma == null || !vma.has(VmFlags.VM_IO | VmFlags.VM_PFNMAP)) {
            return -Errno.EINVAL;
        }
        long pte = mm.pte(addr);
        if (!Pte.present(pte) || write && !Pte.write(pte)) {
            return -Errno.EFAULT;
        }
        return Pte.pfn(pte);
    }

    /** The device writes {@code value} through its entry; see {@link #secondaryRead}. */
    @Export
    public void secondaryWrite(SecondaryMmu view, Mm mm, long addr, int pfn, int word, long value,
            MmuNotifier sub) {
        checkAccess(view, mm, addr, pfn, true, sub);
        KernelBug.bugOn(pfn == PageAlloc.ZERO_PFN, "zero_page_write", "device write into the shared zero page");
        if (pfn >= core.frames().nrFrames()) {
            return; // MMIO above RAM: the write goes to the device, which the model does not keep
        }
        core.frames().storeWord(pfn, word, value, mm.id(), core.epoch(mm.id()));
    }

    private void checkAccess(SecondaryMmu view, Mm mm, long addr, int pfn, boolean write, MmuNotifier sub) {
        long pte = mm.dead() ? 0 : mm.pte(addr);
        int cpu = Pte.present(pte) ? Pte.pfn(pte) : -1;
        boolean released = sub != null && sub.released();
        if (cpu != pfn || released) {
            secondaryMmus.stale(new SecondaryMmus.StaleAccess(view.name(), mm.id(),
                    addr, pfn, cpu, write, released));
        }
    }

    // ---- device memory --------------------------------------------------------------------------------------

    /** The first PFN above RAM: device memory (BARs) is numbered from here and has no {@code struct page}. */
    @Export
    public long firstDevicePfn() {
        return core.frames().nrFrames();
    }

    /**
     * Reserve {@code pages} frames of device memory at {@code module_init} (a VRAM aperture, an SPU's local store),
     * with a {@code struct page} each ({@code structPage}: refcount 1, the driver's; 2.6.19's sparsemem local store)
     * or as raw PFNs (only special ptes map them).
     *
     * @return the first PFN, or -ENOMEM
     */
    @Export
    public int reserveDeviceMemory(int pages, boolean structPage) {
        return core.alloc().reserveDevice(pages, structPage);
    }

    /**
     * {@code memremap_pages()} of {@code pages} frames of {@code MEMORY_DEVICE_COHERENT} memory, at {@code module_init}
     * or when the driver first needs it ({@link PageAlloc#memremapPages}): free ZONE_DEVICE pages that come back to
     * {@code ops} when freed.
     *
     * @return the first PFN, or -ENOMEM
     */
    @Export
    public int memremapPages(int pages, DevPagemapOps ops) {
        return core.alloc().memremapPages(pages, ops);
    }

    /** A copied driver's {@link #memremapPages}: the pagemap exists already; its ops are this machine's driver's. */
    @Export
    public void registerPagemapOps(DevPagemapOps ops) {
        core.alloc().registerPagemapOps(ops);
    }

    /** {@code zone_device_page_init()}: a free page of the driver's pagemap is its own, refcount 1. */
    @Export
    public void zoneDevicePageInit(int pfn) {
        core.alloc().zoneDevicePageInit(pfn);
    }

    /** The index of the coherent pagemap {@code pfn} is in (in the order of {@link #memremapPages}), or -1. */
    @Export
    public int pagemapOf(int pfn) {
        return core.alloc().pagemapOf(pfn);
    }

    /**
     * {@code get_zeroed_page(GFP_KERNEL)}: a zeroed kernel page (never from ZONE_MOVABLE), refcount 1, or -1. The
     * driver holds that reference: it names it in its {@code registerPageReferences} holder, reads and writes it with
     * {@link #deviceRead}/{@link #deviceWrite}, and frees it with {@link #putPage}.
     */
    @Export
    public int getZeroedPage() {
        return core.alloc().allocPage(PageAlloc.GFP_KERNEL);
    }

    /** {@code alloc_page_vma(GFP_HIGHUSER_MOVABLE, ...)}: a zeroed system page, refcount 1, or -1. */
    @Export
    public int allocUserPage() {
        return core.alloc().allocPage(PageAlloc.GFP_HIGHUSER_MOVABLE);
    }

    /** {@code copy_highpage()}: every word of {@code from} into {@code to}. */
    @Export
    public void copyHighpage(int from, int to) {
        core.frames().copyData(from, to);
    }

    /**
     * {@code migrate_vma_setup()} + the driver's {@code alloc_and_copy} + {@code migrate_vma_pages()} +
     * {@code migrate_vma_finalize()} ({@link MigrateDevice#migrateVma}); the caller holds {@code mmap_lock} for read.
     */
    @Export
    public int migrateVma(Mm mm, long start, long end, int select, int owner, Object notifierOwner, long[] src,
            int[] dst, MigrateDevice.AllocAndCopy driver) {
        return migrateDevice.migrateVma(mm, start, end, select, owner, notifierOwner, src, dst, driver);
    }

    /**
     * Read word {@code word} of frame {@code pfn} the driver owns: its device memory (the device reading its own
     * memory), or a kernel page it allocated ({@link #getZeroedPage}).
     */
    @Export
    public long deviceRead(int pfn, int word) {
        return core.frames().word(pfn, word);
    }

    /**
     * Write word {@code word} of frame {@code pfn} the driver owns: its device memory (the device, or a copy the
     * driver does on a move), or a kernel page it allocated ({@link #getZeroedPage}: a counter user space maps).
     */
    @Export
    public void deviceWrite(int pfn, int word, long value) {
        core.frames().setWord(pfn, word, value);
    }

    /** {@code get_page()} of a frame with a {@code struct page} (what a {@code ->nopage} handler returns). */
    @Export
    public void getPage(int pfn) {
        core.alloc().getPage(pfn);
    }

    /** {@code put_page()}. */
    @Export
    public void putPage(int pfn) {
        core.alloc().putPage(pfn);
    }

    /**
     * A device's own {@code address_space} (DRM's {@code anon_inode->i_mapping}, an spufs context inode's): point a
     * file at it with {@code File#setMapping} at open, and its mappings join its {@code i_mmap}, where
     * {@link #unmapMappingRange} finds them.
     */
    @Export
    public AddressSpace newDeviceMapping(String name) {
        return core.newMapping("dev", name, false, false, Long.MAX_VALUE / 2, AddressSpaceOperations.NONE);
    }

    /**
     * What an {@code unmap_mapping_range} of {@code mapping} run whole now ({@link KernelCall#run}, inside another
     * step) would wait for: the pte lock of an mm with a VMA of the mapping that a call stopped inside holds, or
     * null. A driver that must zap a mapping within one step waits for this first.
     */
    @Export
    public Acquire unmapMappingRangeWaitsFor(AddressSpace mapping) {
        for (Vma vma : mapping.iMmap()) {
            Acquire a = vma.mm().ptl().acquire();
            if (!a.available()) {
                return a.blocked();
            }
        }
        return null;
    }

    /**
     * {@code unmap_mapping_range(mapping, holebegin, holelen, even_cows)} of bytes [start, start + len) of the object
     * (len 0: to the end), as a call to step from a driver call (a point after every pte; see
     * {@code UnmapMappingRange}), or to {@code run()}.
     */
    @Export
    public KernelCall<Void> unmapMappingRange(AddressSpace mapping, long start, long len, boolean evenCows) {
        return zap.unmapMappingRange(mapping, start >>> Page.PAGE_SHIFT, (len + Page.PAGE_SIZE - 1) >>> Page.PAGE_SHIFT,
                evenCows, null);
    }

    /** {@code pgprot_writecombine(prot)}: the cache attribute of VRAM mappings. */
    @Export
    public static long pgprotWritecombine(long prot) {
        return (prot & ~Pte.PCD) | Pte.PWT;
    }

    /** {@code pgprot_noncached(prot)}: registers, a live SPU local store. */
    @Export
    public static long pgprotNoncached(long prot) {
        return (prot & ~Pte.PWT) | Pte.PCD;
    }

    /**
     * {@code vmf_insert_pfn_prot()} (4.20; {@code vm_insert_pfn_prot} before): map raw PFN {@code pfn} at {@code addr}
     * of a VM_PFNMAP or VM_MIXEDMAP VMA with a special pte (no refcount, mapcount or rmap), with {@code prot}; if a
     * pte is already there, leave it ({@code insert_pfn}'s -EBUSY, which {@code vmf_insert_pfn} turns into success):
     * exactly seed 000's {@code install_io_pte}. Takes the pte lock.
     *
     * @return {@code VM_FAULT_NOPAGE}, or {@code VM_FAULT_SIGBUS} for an address outside the VMA or a VMA that is
     *     neither VM_PFNMAP nor VM_MIXEDMAP (a {@code BUG_ON} in the kernel)
     */
    @Export
    public int vmfInsertPfnProt(Vma vma, long addr, long pfn, long prot) {
        int r = insertPfn(vma, addr, pfn, prot);
        return r == -Errno.EFAULT || r == -Errno.EINVAL ? VmFault.VM_FAULT_SIGBUS : VmFault.VM_FAULT_NOPAGE;
    }

    /** {@code vmf_insert_pfn()}: {@link #vmfInsertPfnProt} with the VMA's {@code vm_page_prot}. */
    @Export
    public int vmfInsertPfn(Vma vma, long addr, long pfn) {
        return vmfInsertPfnProt(vma, addr, pfn, vma.pageProt());
    }

    /**
     * {@code vm_insert_pfn()} (2.6.22 to 4.19): as {@link #vmfInsertPfnProt}, but 0, or -EBUSY if a pte is already
     * there, -EFAULT outside the VMA, -EINVAL for a VMA that is neither VM_PFNMAP nor VM_MIXEDMAP.
     */
    @Export
    public int vmInsertPfn(Vma vma, long addr, long pfn) {
        return insertPfn(vma, addr, pfn, vma.pageProt());
    }

    private int insertPfn(Vma vma, long addr, long pfn, long prot) {
        tracePath("insert_pfn");
        if (addr < vma.start() || addr >= vma.end()) {
            return -Errno.EFAULT;
        }
        if (!vma.has(VmFlags.VM_PFNMAP | VmFlags.VM_MIXEDMAP)) {
            return -Errno.EINVAL;
        }
        long a = addr & -Page.PAGE_SIZE;
        vma.mm().ptl().lock();
        try {
            if (vma.mm().pte(a) != 0) {
                return -Errno.EBUSY;
            }
            vma.mm().setPte(a, Pte.mkSpecial(Pte.mkYoung(Pte.make((int) pfn, prot))));
            return 0;
        } finally {
            vma.mm().ptl().unlock();
        }
    }

    /**
     * {@code vm_insert_page()}: map a page with a {@code struct page} (a device frame reserved with one, or RAM) at
     * {@code addr} with a normal pte: it takes a reference and a mapcount ({@code page_add_file_rmap}), and
     * sets VM_MIXEDMAP. Takes the pte lock.
     *
     * @return 0, -EFAULT outside the VMA, -EBUSY if a pte is already there, -EINVAL for a frame without a page
     */
    @Export
    public int vmInsertPage(Vma vma, long addr, int pfn) {
        tracePath("vm_insert_page");
        if (addr < vma.start() || addr >= vma.end()) {
            return -Errno.EFAULT;
        }
        if (core.frames().refcount(pfn) == 0) {
            return -Errno.EINVAL;
        }
        long a = addr & -Page.PAGE_SIZE;
        vma.setFlags(vma.flags() | VmFlags.VM_MIXEDMAP);
        vma.mm().ptl().lock();
        try {
            if (vma.mm().pte(a) != 0) {
                return -Errno.EBUSY;
            }
            core.alloc().getPage(pfn);
            memory.pageAddFileRmap(pfn);
            vma.mm().addRssFile(false, 1);
            vma.mm().setPte(a, Pte.mkYoung(Pte.make(pfn, vma.pageProt())));
            return 0;
        } finally {
            vma.mm().ptl().unlock();
        }
    }

    /** Register who owns device memory, for the device-isolation invariant. */
    @Export
    public void registerDeviceMemory(DeviceMemory owners) {
        deviceMemories.add(owners);
    }

    /** A lock of the driver's own (a per-object mutex, a reservation lock): hash it and copy it with its owner. */
    @Export
    public static SpinLock newLock(String name, int id) {
        return new SpinLock(name, id);
    }

    /** {@code remap_pfn_range()}: see {@code Memory#remapPfnRange}. */
    @Export
    public int remapPfnRange(Vma vma, long addr, long pfn, long size, long prot) {
        return memory.remapPfnRange(vma, addr, pfn, size, prot);
    }

    /**
     * A device reads word {@code word} of page {@code i} of the pages it holds (DMA from memory, or
     * {@code kmap_local_page} and a read).
     */
    @Export
    public long dmaRead(GupPages g, int i, int word) {
        return core.frames().word(g.pfn(i), word);
    }

    /** A device writes through the pages it holds (DMA to memory); the data belongs to the mm the pages came from. */
    @Export
    public void dmaWrite(GupPages g, int i, int word, long value) {
        int pfn = g.pfn(i);
        KernelBug.bugOn(pfn == PageAlloc.ZERO_PFN, "zero_page_write", "DMA write into the shared zero page");
        core.frames().storeWord(pfn, word, value, g.mm().id(), core.epoch(g.mm().id()));
    }

    // ---- files ----------------------------------------------------------------------------------------------

    /** {@code register_chrdev()} / {@code misc_register()}: {@code /dev/NAME} opens with {@code fops}. */
    @Export
    public void registerChrdev(String name, FileOperations fops) {
        vfs.registerChrdev(name, fops);
    }

    /** {@code anon_inode_getfile()}: see {@code Vfs#anonInodeGetfile}. */
    @Export
    public File anonInodeGetfile(FileOperations fops, Object priv, int flags) {
        return vfs.anonInodeGetfile(fops, priv, flags);
    }

    /** The machine's {@code dma_buf_fops}, for the machine to pair with its copy's (not for drivers). */
    public DmaBufFops dmaBufFops() {
        return dmaBufFops;
    }

    /**
     * {@code dma_buf_export(exp_info)} + {@code dma_buf_getfile}: a {@link DmaBuf} of {@code pages} pages with the
     * exporter's {@code ops} and {@code priv}, declaring {@code mapInfo} (seed 001's {@code exp_info->map_info}:
     * {@code DMA_BUF_MAP_INCOHERENT}, {@code _COHERENT_WC} or {@code _COHERENT_CACHED}), and its file on the
     * anonymous inode with {@code flags}' access mode; the caller has the file's reference. DRM exporters then point
     * the file at the device's own {@code address_space} ({@code drm_gem_dmabuf_export}:
     * {@code dma_buf->file->f_mapping = dev->anon_inode->i_mapping}), so that moving the object unmaps CPU mappings
     * of the dma-buf too: {@link File#setMapping}.
     *
     * The buffer's reservation lock is {@code resv} ({@code exp_info->resv}, the exporter's object's), or one of its
     * own if that is null.
     *
     * @throws IllegalArgumentException without ops, priv or a size (the kernel's {@code WARN_ON}, -EINVAL)
     */
    @Export
    public File dmaBufExport(DmaBufOps ops, Object priv, int pages, int mapInfo, int flags, SpinLock resv) {
        core.trace().path("dma_buf_export");
        return vfs.anonInodeGetfile(dmaBufFops, dmaBufFops.export(ops, priv, pages, mapInfo, resv), flags);
    }

    /**
     * {@code dma_buf_get(fd)}: the dma-buf file at {@code fd} of {@code files}, with a reference taken
     * ({@code fget}), or null: -EBADF when {@code files.get(fd)} is null, else -EINVAL (not a dma-buf; the reference
     * is dropped again).
     */
    @Export
    public File dmaBufGet(FdTable files, int fd) {
        File f = files.get(fd);
        if (f == null || !(f.privateData() instanceof DmaBuf)) {
            return null;
        }
        f.get();
        return f;
    }

    /** {@code dma_buf_put()}: drop a reference to the dma-buf's file ({@code fput}); the last one releases it. */
    @Export
    public void dmaBufPut(File dmabufFile) {
        dmabufFile.put();
    }

    /** {@code dma_buf_dynamic_attach()} (null {@code importerOps}: {@code dma_buf_attach}): see {@link DmaBufAttach}. */
    @Export
    public DmaBufAttachment dmaBufDynamicAttach(DmaBuf dmabuf, DmaBufAttachOps importerOps, Object importerPriv) {
        return dmaBufAttach.attach(dmabuf, importerOps, importerPriv);
    }

    /** {@code dma_buf_detach()}: see {@link DmaBufAttach}. */
    @Export
    public void dmaBufDetach(DmaBuf dmabuf, DmaBufAttachment attach) {
        dmaBufAttach.detach(dmabuf, attach);
    }

    /** {@code dma_buf_pin()}: see {@link DmaBufAttach}. */
    @Export
    public int dmaBufPin(DmaBufAttachment attach) {
        return dmaBufAttach.pin(attach);
    }

    /** {@code dma_buf_unpin()}: see {@link DmaBufAttach}. */
    @Export
    public void dmaBufUnpin(DmaBufAttachment attach) {
        dmaBufAttach.unpin(attach);
    }

    /** {@code dma_buf_map_attachment()}: see {@link DmaBufAttach}. */
    @Export
    public SgTable dmaBufMapAttachment(DmaBufAttachment attach) {
        return dmaBufAttach.mapAttachment(attach);
    }

    /** {@code dma_buf_unmap_attachment()}: see {@link DmaBufAttach}. */
    @Export
    public void dmaBufUnmapAttachment(DmaBufAttachment attach, SgTable sgt) {
        dmaBufAttach.unmapAttachment(attach, sgt);
    }

    /** {@code dma_buf_move_notify()}: see {@link DmaBufAttach}. */
    @Export
    public void dmaBufMoveNotify(DmaBuf dmabuf) {
        dmaBufAttach.moveNotify(dmabuf);
    }

    /** {@code get_dma_buf()}: another reference to a dma-buf, that is, to its file ({@code get_file}). */
    @Export
    public void getDmaBuf(File dmabufFile) {
        if (!(dmabufFile.privateData() instanceof DmaBuf)) {
            throw new IllegalArgumentException("not a dma-buf: " + dmabufFile);
        }
        dmabufFile.get();
    }

    /**
     * {@code dma_buf_fd()} ({@code get_unused_fd_flags} + {@code fd_install}): install {@code file} in
     * {@code current->files} ({@code files}, which an ioctl is given), taking over the caller's reference.
     *
     * @return the fd, or -EMFILE (the reference is dropped)
     */
    @Export
    public int fdInstall(FdTable files, File file) {
        return files.install(file);
    }

    /**
     * The cache attribute ({@link CacheMode}) of the present pte at {@code addr} of {@code mm}, or -1 if none is
     * there: what a secondary MMU that follows the exporter's choice of attribute reads with the pfn
     * ({@code follow_pfnmap_start} gives the pte).
     */
    @Export
    public int pteCacheMode(Mm mm, long addr) {
        long pte = mm.dead() ? 0 : mm.pte(addr);
        return Pte.present(pte) ? CacheMode.of(pte) : -1;
    }

    /** {@code kernel_write()} of one word at {@code pos}: bytes written or -errno, as {@code vfs_write}. */
    @Export
    public long kernelWrite(File f, long pos, long value) {
        return vfs.write(f, pos, value);
    }

    // ---- accounting and state -------------------------------------------------------------------------------

    /** {@code user->locked_vm} of the one user every process runs as, in pages. */
    @Export
    public long userLockedVm() {
        return core.userLockedVm();
    }

    /** Charge (or, negative, uncharge) {@code pages} to {@code user->locked_vm}, as io_uring's accounting does. */
    @Export
    public void addUserLockedVm(long pages) {
        core.addUserLockedVm(pages);
    }

    /**
     * Register state the driver keeps beyond its files and VMAs (a device-wide counter, a table): it becomes part of
     * the machine's fingerprint, after everything the kernel owns, in registration order.
     */
    @Export
    public void registerState(Hashable state) {
        driverState.add(state);
    }

    /** Register an invariant of the device's own contract, checked with the kernel's after every step. */
    @Export
    public void registerCheck(DeviceCheck check) {
        deviceChecks.add(check);
    }

    /** Register page references the driver holds outside {@code pages[]} arrays, for the accounting invariant. */
    @Export
    public void registerPageReferences(PageReferences holder) {
        pageReferences.add(holder);
    }
}
