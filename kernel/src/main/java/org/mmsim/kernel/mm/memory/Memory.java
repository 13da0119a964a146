package org.mmsim.kernel.mm.memory;

import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.locking.WaitEvent;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.VmFault;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.VmOperations;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.notifier.MmuNotifierEvent;
import org.mmsim.kernel.mm.notifier.MmuNotifierRange;
import org.mmsim.kernel.mm.notifier.MmuNotifiers;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.page.PageFrames;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.mm.rmap.Rmap;
import org.mmsim.kernel.profile.CowReuse;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.uapi.Errno;

/**
 * Page-fault handling (mm/memory.c): {@code handle_mm_fault}; {@code do_anonymous_page}; for VMAs with
 * {@code vm_ops} {@code do_fault}, which asks the owner's {@code ->fault} for the page and then maps it
 * ({@code do_read_fault}), copies it ({@code do_cow_fault}: a private write) or dirties it in place with
 * {@code ->page_mkwrite} ({@code do_shared_fault}); {@code do_wp_page} with its reuse-or-copy decision,
 * {@code wp_page_shared}, {@code wp_page_reuse} and {@code wp_page_copy}.
 *
 * <p>Design notes. Every pte that maps a page holds one reference and one mapcount; a fresh page's allocation
 * reference becomes its first pte's reference. The reuse decision is the part of Linux that changed most:
 * <ul>
 *   <li>{@code mapcount} (to 5.8): reuse if only one pte maps the page, ignoring GUP and pipe references;</li>
 *   <li>{@code page_count} (5.9): reuse only if the pte's own reference is the only one;</li>
 *   <li>{@code anon_exclusive} (5.19): an exclusive page is always reused (pins exist only on exclusive pages),
 *       a possibly shared one by the page-count rule.</li>
 * </ul>
 * Locks: the caller holds mmap_lock for read; each pte change happens under the pte lock. A fault runs as one step.
 */
public final class Memory {
    static {
        // loaded with Memory though only device faults make one: see Mm's note on C2 and classes named in signatures
        FaultPause.class.getName();
    }

    private final MmCore core;
    private final Tracer trace;
    private final PageFrames frames;
    private final PageAlloc alloc;
    private final Rmap rmap;
    private final MmuNotifiers notifiers;
    private final DeviceFault deviceFault;

    public Memory(MmCore core, Rmap rmap, MmuNotifiers notifiers) {
        this.notifiers = notifiers;
        this.core = core;
        this.trace = core.trace();
        this.frames = core.frames();
        this.alloc = core.alloc();
        this.rmap = rmap;
        this.deviceFault = new DeviceFault(core, rmap);
    }

    /** {@code page_add_file_rmap()} of a page a driver maps itself ({@code vm_insert_page}). */
    public void pageAddFileRmap(int pfn) {
        rmap.pageAddFileRmap(pfn);
    }

    /** Let the faults of the coming user access stop between the owner's handler and its pte (see DeviceFault). */
    public void pausable(boolean on) {
        deviceFault.pausable(on);
    }

    /** The fault that stopped during the last user access, or null. */
    public FaultPause takePause() {
        return deviceFault.takePause();
    }

    /** Resume a stopped fault: 0, {@code VM_FAULT_*} error bits, or {@link DeviceFault#VM_FAULT_PAUSED} again. */
    public int finishPause(FaultPause p) {
        if (p.kind == FaultPause.Kind.WP_COPY) {
            return wpPageCopyLocked(p.vma, p.addr, p.sequence, (int) p.pfn,
                    (p.flags & VmFault.FAULT_FLAG_UNSHARE) != 0);
        }
        return deviceFault.finish(p);
    }

    /**
     * {@code vm_normal_page()}: the page a pte maps, or -1 for "special" ptes (the zero page, raw PFNs) that have no
     * refcounted struct page behind them.
     */
    public static int vmNormalPage(long pte) {
        return Pte.special(pte) ? -1 : Pte.pfn(pte);
    }

    /**
     * {@code handle_mm_fault()} → {@code handle_pte_fault()}: resolve a fault at {@code addr} in {@code vma}. The
     * caller (arch fault code or GUP) has checked the VMA's permissions.
     *
     * @return 0, or {@code VM_FAULT_*} bits ({@link VmFault#VM_FAULT_OOM} when no frame is free)
     */
    public int handleMmFault(Vma vma, long addr, int flags) {
        trace.path("handle_mm_fault");
        Mm mm = vma.mm();
        long pte = mm.pte(addr);
        if (!Pte.present(pte)) {
            return vma.isAnonymous() ? doAnonymousPage(vma, addr, flags) : doFault(vma, addr, flags);
        }
        if ((flags & (VmFault.FAULT_FLAG_WRITE | VmFault.FAULT_FLAG_UNSHARE)) != 0) {
            if (!Pte.write(pte)) {
                return doWpPage(vma, addr, pte, flags);
            }
            if ((flags & VmFault.FAULT_FLAG_WRITE) != 0) {
                pte = Pte.mkDirty(pte);
            }
        }
        mm.setPte(addr, Pte.mkYoung(pte));
        return 0;
    }

    /**
     * {@code do_anonymous_page()}: first touch of an anonymous address. A read maps the shared zero page (special,
     * read-only); a write allocates a zeroed page, mapped dirty and, if the VMA is writable, writable.
     */
    private int doAnonymousPage(Vma vma, long addr, int flags) {
        trace.path("do_anonymous_page");
        if ((flags & VmFault.FAULT_FLAG_WRITE) == 0) {
            vma.mm().setPte(addr, Pte.mkSpecial(Pte.make(PageAlloc.ZERO_PFN, vma.pageProt())));
            return 0;
        }
        rmap.anonVmaPrepare(vma);
        int pfn = alloc.allocPage(PageAlloc.GFP_HIGHUSER_MOVABLE);
        if (pfn < 0) {
            return VmFault.VM_FAULT_OOM;
        }
        long entry = Pte.make(pfn, vma.pageProt());
        if (vma.has(VmFlags.VM_WRITE)) {
            entry = Pte.mkWrite(Pte.mkDirty(entry));
        }
        vma.mm().addRssAnon(1);
        rmap.pageAddNewAnonRmap(pfn, vma, addr);
        frames.set(pfn, PageFlags.PG_LRU);
        vma.mm().setPte(addr, entry);
        return 0;
    }

    /**
     * {@code do_fault()}: first touch of an address of a VMA with {@code vm_ops}. Without {@code ->fault} it is
     * SIGBUS; a read maps the page {@code ->fault} finds ({@code do_read_fault}); a write to a private mapping copies
     * it ({@code do_cow_fault}); a write to a shared mapping dirties it in place ({@code do_shared_fault}). A handler
     * that installed the pte itself returns {@code VM_FAULT_NOPAGE}: nothing more to do.
     */
    private int doFault(Vma vma, long addr, int flags) {
        if (deviceFault.legacy(vma.vmOps())) {
            return deviceFault.handle(vma, addr, flags);
        }
        VmFault vmf = new VmFault(vma, addr, flags);
        if ((flags & VmFault.FAULT_FLAG_WRITE) == 0) {
            trace.path("do_read_fault");
            int ret = callFault(vmf);
            if ((ret & (VmFault.VM_FAULT_ERROR | VmFault.VM_FAULT_NOPAGE | DeviceFault.VM_FAULT_PAUSED)) != 0) {
                return ret & ~VmFault.VM_FAULT_NOPAGE;
            }
            finishFault(vma, addr, vmf.page(), false);
            return 0;
        }
        if (!vma.has(VmFlags.VM_SHARED)) {
            return doCowFault(vma, vmf);
        }
        trace.path("do_shared_fault");
        int ret = callFault(vmf);
        if ((ret & (VmFault.VM_FAULT_ERROR | VmFault.VM_FAULT_NOPAGE | DeviceFault.VM_FAULT_PAUSED)) != 0) {
            return ret & ~VmFault.VM_FAULT_NOPAGE;
        }
        doPageMkwrite(vma, vmf);
        finishFault(vma, addr, vmf.page(), true);
        faultDirtySharedPage(vmf.page());
        return 0;
    }

    /**
     * {@code vma->vm_ops->fault(vmf)}; a handler that slept ({@link VmFault#pause}) stops a user access there. A
     * handler that dropped {@code mmap_lock} ({@code VM_FAULT_RETRY}) makes the access start again.
     */
    private int callFault(VmFault vmf) {
        deviceFault.touchesDriver(vmf.vma());
        int ret = vmf.vma().vmOps().fault(vmf);
        VmFault.Resume r = vmf.takeResume();
        if (r != null) {
            return deviceFault.handlerPaused(vmf, r, ret);
        }
        if ((ret & VmFault.VM_FAULT_RETRY) != 0) {
            trace.path("VM_FAULT_RETRY");
            return VmFault.VM_FAULT_NOPAGE;
        }
        return ret;
    }

    /**
     * {@code finish_fault()} → {@code set_pte_range()}: map the page the handler found (whose reference becomes the
     * pte's) with {@code vm_page_prot}; for a write, dirty and, if the VMA allows, writable.
     */
    private void finishFault(Vma vma, long addr, int pfn, boolean write) {
        trace.path("finish_fault");
        long entry = Pte.mkYoung(Pte.make(pfn, vma.pageProt()));
        if (write) {
            entry = maybeMkWrite(Pte.mkDirty(entry), vma);
        }
        rmap.pageAddFileRmap(pfn);
        vma.mm().addRssFile(vma.isShmem(), 1);
        vma.mm().setPte(addr, entry);
    }

    /**
     * {@code do_cow_fault()}: a write to a not-yet-mapped page of a private file mapping. A new anonymous page is
     * allocated, the handler's page-cache page (brought into the cache if needed) is copied into it and released, and
     * the copy is mapped; the page-cache page itself is never mapped or written.
     */
    private int doCowFault(Vma vma, VmFault vmf) {
        trace.path("do_cow_fault");
        rmap.anonVmaPrepare(vma);
        int pfn = alloc.allocPage(PageAlloc.GFP_HIGHUSER_MOVABLE);
        if (pfn < 0) {
            return VmFault.VM_FAULT_OOM;
        }
        int ret = vma.vmOps().fault(vmf);
        if ((ret & (VmFault.VM_FAULT_ERROR | VmFault.VM_FAULT_NOPAGE)) != 0) {
            alloc.putPage(pfn);
            return ret & ~VmFault.VM_FAULT_NOPAGE;
        }
        int src = vmf.page();
        frames.copyData(src, pfn);
        alloc.putPage(src);
        long addr = vmf.address();
        long entry = maybeMkWrite(Pte.mkDirty(Pte.mkYoung(Pte.make(pfn, vma.pageProt()))), vma);
        vma.mm().addRssAnon(1);
        rmap.pageAddNewAnonRmap(pfn, vma, addr);
        frames.set(pfn, PageFlags.PG_LRU);
        vma.mm().setPte(addr, entry);
        return 0;
    }

    /**
     * {@code do_page_mkwrite()}: tell the mapping's owner a clean page is about to be written through a shared
     * mapping, if it asked to hear ({@code ->page_mkwrite}: ext4 reserves blocks, waits for writeback on stable-page
     * devices and marks the page dirty).
     */
    private void doPageMkwrite(Vma vma, VmFault vmf) {
        VmOperations ops = vma.vmOps();
        if (ops != null && ops.hasPageMkwrite()) {
            trace.path("do_page_mkwrite");
            ops.pageMkwrite(vmf);
        }
    }

    /**
     * What a write fault at {@code addr} would sleep on inside {@code ->page_mkwrite} before it changes anything
     * ({@code ext4_page_mkwrite} → {@code block_page_mkwrite}: {@code folio_lock}, then {@code folio_wait_stable}
     * when the disk needs stable pages): the page's PG_locked, or its PG_writeback, as a wait; null if none. The model
     * waits before the fault takes {@code mmap_lock} rather than inside it, which no other path can tell apart: the
     * fault has changed nothing yet.
     */
    public Acquire pageMkwriteWait(Mm mm, long addr) {
        long pte = mm.pte(addr);
        if (!Pte.present(pte) || Pte.write(pte) || Pte.special(pte)) {
            return null;
        }
        Vma vma = mm.vmaAt(addr);
        if (vma == null || !vma.has(VmFlags.VM_SHARED) || vma.vmOps() == null || !vma.vmOps().hasPageMkwrite()) {
            return null;
        }
        int pfn = Pte.pfn(pte);
        if (frames.test(pfn, PageFlags.PG_LOCKED)) {
            return new WaitEvent("PG_locked of pfn " + pfn, mm.id(), () -> !frames.test(pfn, PageFlags.PG_LOCKED));
        }
        if (core.profile().on(Switch.EXT4_STABLE_PAGES) && frames.test(pfn, PageFlags.PG_WRITEBACK)) {
            return new WaitEvent("PG_writeback of pfn " + pfn, mm.id(),
                    () -> !frames.test(pfn, PageFlags.PG_WRITEBACK));
        }
        return null;
    }

    /**
     * What a fault at {@code addr} would sleep on before it maps anything: for a present pte, a write's
     * {@link #pageMkwriteWait}; for a missing one in a file or shmem mapping whose page is cached,
     * {@code filemap_fault}'s {@code lock_folio_maybe_drop_mmap} ({@code shmem_get_folio_gfp}'s {@code folio_lock})
     * while another holds the page locked (writeback across {@code folio_mkclean}, reclaim), and for a shared write
     * into a filesystem with {@code ->page_mkwrite} on a disk that needs stable pages, {@code folio_wait_stable} while
     * the page is under writeback. Null if none. As for {@link #pageMkwriteWait}, the model waits before the fault
     * takes {@code mmap_lock}: the fault has changed nothing yet.
     */
    public Acquire faultWait(Mm mm, long addr, boolean write) {
        return faultWait(mm, addr, write, mm.pte(addr));
    }

    /** {@link #faultWait} for a caller that has just read the pte at {@code addr}, {@code pte}. */
    Acquire faultWait(Mm mm, long addr, boolean write, long pte) {
        if (Pte.present(pte)) {
            return write ? pageMkwriteWait(mm, addr) : null;
        }
        Vma vma = mm.vmaAt(addr);
        AddressSpace mapping = vma == null || vma.isAnonymous() ? null : vma.mapping();
        int pfn = mapping == null ? -1 : mapping.pageAt(vma.linearPageIndex(addr));
        if (pfn < 0 || pfn >= frames.nrFrames()) {
            return null;
        }
        if (frames.test(pfn, PageFlags.PG_LOCKED)) {
            return new WaitEvent("PG_locked of pfn " + pfn, mm.id(), () -> !frames.test(pfn, PageFlags.PG_LOCKED));
        }
        if (write && vma.has(VmFlags.VM_SHARED) && vma.vmOps() != null && vma.vmOps().hasPageMkwrite()
                && core.profile().on(Switch.EXT4_STABLE_PAGES) && frames.test(pfn, PageFlags.PG_WRITEBACK)) {
            return new WaitEvent("PG_writeback of pfn " + pfn, mm.id(),
                    () -> !frames.test(pfn, PageFlags.PG_WRITEBACK));
        }
        return null;
    }

    /** {@code fault_dirty_shared_page()}: the page is dirty now (and dirty pages are balanced). */
    private void faultDirtySharedPage(int pfn) {
        frames.set(pfn, PageFlags.PG_DIRTY);
    }

    /**
     * {@code do_wp_page()}: a write (or, 5.19+, an unshare) fault on a present pte that is not writable. For a
     * private anon page decide reuse or copy ({@link #wpCanReuseAnonPage}); everything else is copied.
     */
    int doWpPage(Vma vma, long addr, long orig, int flags) {
        trace.path("do_wp_page");
        boolean unshare = (flags & VmFault.FAULT_FLAG_UNSHARE) != 0;
        int pfn = vmNormalPage(orig);
        if (vma.has(VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE)) {
            if (unshare) {
                return 0;
            }
            return wpPageShared(vma, addr, orig, pfn);
        }
        if (pfn >= 0 && frames.test(pfn, PageFlags.PG_ANON) && wpCanReuseAnonPage(pfn, vma)) {
            if (unshare) {
                return 0;
            }
            wpPageReuse(vma, addr, orig);
            return VmFault.VM_FAULT_WRITE;
        }
        return wpPageCopy(vma, addr, orig, unshare);
    }

    /**
     * The reuse decision, per profile: {@code reuse_swap_page()} (mapcount, to 5.8), the 5.9 page-count rule, or
     * {@code wp_can_reuse_anon_folio()} (5.19+). On reuse the page is moved to this VMA's anon_vma
     * ({@code page_move_anon_rmap}), which since 5.19 marks it exclusive.
     */
    private boolean wpCanReuseAnonPage(int pfn, Vma vma) {
        CowReuse rule = core.profile().cowReuse();
        if (rule == CowReuse.MAPCOUNT) {
            if (frames.mapcount(pfn) != 1) {
                return false;
            }
        } else {
            if (rule == CowReuse.ANON_EXCLUSIVE && frames.test(pfn, PageFlags.PG_ANON_EXCLUSIVE)) {
                return true;
            }
            if (frames.refcount(pfn) != 1 || frames.mapcount(pfn) != 1) {
                return false;
            }
        }
        rmap.pageMoveAnonRmap(pfn, vma);
        return true;
    }

    /**
     * {@code wp_page_shared()}: a write to a clean page of a shared mapping (write-notify): {@code page_mkwrite}, then
     * the pte is made writable and dirty in place, and the page is dirty.
     */
    private int wpPageShared(Vma vma, long addr, long orig, int pfn) {
        trace.path("wp_page_shared");
        boolean file = pfn >= 0 && vma.mapping() != null;
        if (file) {
            VmFault vmf = new VmFault(vma, addr, VmFault.FAULT_FLAG_WRITE);
            vmf.setPage(pfn);
            doPageMkwrite(vma, vmf);
        }
        wpPageReuse(vma, addr, orig);
        if (file) {
            faultDirtySharedPage(pfn);
        }
        return VmFault.VM_FAULT_WRITE;
    }

    /** {@code wp_page_reuse()}: keep the page; make the pte young, dirty and, if the VMA allows, writable. */
    private void wpPageReuse(Vma vma, long addr, long orig) {
        trace.path("wp_page_reuse");
        long entry = Pte.mkDirty(Pte.mkYoung(orig));
        vma.mm().setPte(addr, maybeMkWrite(entry, vma));
    }

    /** {@code maybe_mkwrite()}: writable only if the VMA has VM_WRITE (a forced write leaves it R/O). */
    public static long maybeMkWrite(long pte, Vma vma) {
        return vma.has(VmFlags.VM_WRITE) ? Pte.mkWrite(pte) : pte;
    }

    /**
     * {@code wp_page_copy()}: give this pte a new private copy (zeroed if the old pte mapped the zero page). For an
     * unshare fault the new pte stays read-only and keeps the soft-dirty bit. The old page loses this pte's mapcount
     * and reference; if it was the last, it is freed. Secondary MMUs are told between the copy and the pte change
     * ({@code mmu_notifier_invalidate_range_start} with MMU_NOTIFY_CLEAR for the one page, before the PTL).
     */
    private int wpPageCopy(Vma vma, long addr, long orig, boolean unshare) {
        trace.path("wp_page_copy");
        Mm mm = vma.mm();
        int old = vmNormalPage(orig);
        rmap.anonVmaPrepare(vma);
        int pfn = alloc.allocPage(PageAlloc.GFP_HIGHUSER_MOVABLE);
        if (pfn < 0) {
            return VmFault.VM_FAULT_OOM;
        }
        if (old >= 0) {
            frames.copyData(old, pfn);
        }
        // the copy is made without the pte lock: where CPUs cache translations, another one may still write the old
        // page through a stale entry until the pte changes below (seed 002's "spurious COW")
        if (mm.tlb() != null && deviceFault.pause(new FaultPause(FaultPause.Kind.WP_COPY, vma, addr,
                unshare ? VmFault.FAULT_FLAG_UNSHARE : 0, pfn, orig, null))) {
            return DeviceFault.VM_FAULT_PAUSED;
        }
        return wpPageCopyLocked(vma, addr, orig, pfn, unshare);
    }

    /**
     * The rest of {@code wp_page_copy}, under the pte lock: if the pte is still the one the fault saw
     * ({@code pte_same}), the new page replaces the old; else the new page is freed and the access faults again.
     */
    private int wpPageCopyLocked(Vma vma, long addr, long orig, int pfn, boolean unshare) {
        Mm mm = vma.mm();
        int old = vmNormalPage(orig);
        if (mm.pte(addr) != orig) {
            trace.path("wp_page_copy: !pte_same");
            alloc.putPage(pfn);
            return 0;
        }
        MmuNotifierRange range = MmuNotifierRange.of(MmuNotifierEvent.CLEAR, mm, addr & -Page.PAGE_SIZE,
                (addr & -Page.PAGE_SIZE) + Page.PAGE_SIZE);
        notifiers.invalidateRangeStart(range);
        long entry = Pte.mkYoung(Pte.make(pfn, vma.pageProt()));
        if (unshare) {
            entry |= orig & Pte.SOFT_DIRTY;
        } else {
            entry = maybeMkWrite(Pte.mkDirty(entry), vma);
        }
        if (old < 0 || !frames.test(old, PageFlags.PG_ANON)) {
            if (old >= 0) {
                mm.addRssFile(frames.test(old, PageFlags.PG_SWAPBACKED), -1);
            }
            mm.addRssAnon(1);
        }
        rmap.pageAddNewAnonRmap(pfn, vma, addr);
        frames.set(pfn, PageFlags.PG_LRU);
        mm.setPte(addr, entry);
        if (old >= 0) {
            rmap.pageRemoveRmap(old);
            alloc.putPage(old);
        }
        notifiers.invalidateRangeEnd(range);
        return unshare ? 0 : VmFault.VM_FAULT_WRITE;
    }

    /**
     * {@code remap_pfn_range()}: map {@code size} bytes of raw PFNs from {@code pfn} at {@code addr} of {@code vma}, as
     * a driver's {@code ->mmap} does for MMIO. The VMA becomes VM_IO|VM_PFNMAP|VM_DONTEXPAND|VM_DONTDUMP; the ptes are
     * special (no struct page, no refcount, no rmap), so GUP refuses them and zap only clears them.
     *
     * @return 0, or -EINVAL if the range is not page aligned or leaves the VMA
     */
    public int remapPfnRange(Vma vma, long addr, long pfn, long size, long prot) {
        trace.path("remap_pfn_range");
        if (!Page.aligned(addr) || !Page.aligned(size)
                || addr < vma.start() || addr + size > vma.end()) {
            return -Errno.EINVAL;
        }
        vma.setFlags(vma.flags() | VmFlags.VM_IO | VmFlags.VM_PFNMAP | VmFlags.VM_DONTEXPAND | VmFlags.VM_DONTDUMP);
        for (long a = addr; a < addr + size; a += Page.PAGE_SIZE) {
            vma.mm().setPte(a, Pte.mkSpecial(Pte.make((int) pfn++, prot)));
        }
        return 0;
    }
}
