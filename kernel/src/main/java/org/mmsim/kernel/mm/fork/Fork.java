package org.mmsim.kernel.mm.fork;

import org.mmsim.kernel.fs.FdTable;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.memory.Memory;
import org.mmsim.kernel.mm.mmap.Mmap;
import org.mmsim.kernel.mm.notifier.MmuNotifiers;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.page.PageFrames;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.mm.rmap.Rmap;
import org.mmsim.kernel.profile.CowReuse;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.task.Tasks;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code fork()}'s memory half: {@code dup_mmap} (kernel/fork.c) and {@code copy_page_range} /
 * {@code copy_present_pte} (mm/memory.c).
 *
 * <p>{@link ForkCall} runs these steps pte by pte. Design notes. Fork holds the parent's mmap_lock for write and, since
 * 5.11, keeps {@code mm->write_protect_seq} odd while it copies, so a concurrent GUP-fast pin notices and retries on
 * the slow path. For each present pte of a VMA that needs copying:
 * <ol>
 *   <li>an anon page that may be DMA-pinned is copied for the child at once ({@code copy_present_page}): 5.9 when the
 *       mm has pinned and the refcount looks pinned; 5.19 when, in addition, the page is exclusive
 *       ({@code folio_try_dup_anon_rmap_pte} fails with -EBUSY). The parent's pte stays writable on the pinned
 *       page;</li>
 *   <li>otherwise the page is shared: one more reference and mapcount, the exclusive flag cleared, and in a COW
 *       mapping both ptes write-protected, so the first writer faults in {@code do_wp_page}.</li>
 * </ol>
 * Before 5.9 a pinned page is shared like any other, and the parent's next write copies it away from the pin.
 */
public final class Fork {
    /** What {@link #copyPresentPteCheck} returns when the child got its own copy. */
    static final int COPIED = 1;

    final MmCore core;
    final Tracer trace;
    private final PageFrames frames;
    private final PageAlloc alloc;
    private final Rmap rmap;
    final Mmap mmap;
    final Tasks tasks;
    final MmuNotifiers notifiers;

    public Fork(MmCore core, Rmap rmap, Mmap mmap, Tasks tasks, MmuNotifiers notifiers) {
        this.notifiers = notifiers;
        this.core = core;
        this.trace = core.trace();
        this.frames = core.frames();
        this.alloc = core.alloc();
        this.rmap = rmap;
        this.mmap = mmap;
        this.tasks = tasks;
    }

    /** {@code fork()} by {@code parent}, the child named {@code comm}, as a call (see {@link ForkCall}). */
    public ForkCall fork(Task parent, String comm) {
        return new ForkCall(this, parent, comm);
    }

    /** {@code copy_files()}: the child's fd table, a copy of the parent's ({@code dup_fd}). */
    FdTable copyFiles(Task parent) {
        return parent.files().dup();
    }

    /**
     * {@code vm_area_dup()} and {@code anon_vma_fork()}: the child's copy of {@code vma}, linked into {@code newMm};
     * null if the VMA is not inherited (VM_DONTCOPY) or its ptes are not (VM_WIPEONFORK).
     */
    Vma dupVma(Vma vma, Mm newMm) {
        if (vma.has(VmFlags.VM_DONTCOPY)) {
            return null;
        }
        Vma tmp = vma.dup(newMm);
        if (tmp.has(VmFlags.VM_LOCKED_MASK)) {
            tmp.setFlags(tmp.flags() & ~VmFlags.VM_LOCKED_MASK); // dup_mmap: locks are not inherited (locked_vm is 0)
        }
        newMm.insertVma(tmp);
        if (vma.has(VmFlags.VM_WIPEONFORK)) {
            return null;
        }
        if (vma.anonVma() != null) {
            tmp.forkedFrom(vma); // anon_vma_fork
            tmp.anonVma().link(tmp);
        }
        return tmp;
    }

    /** {@code vma_needs_copy()}: only VMAs with anon pages or raw PFNs have ptes the child cannot refault. */
    static boolean vmaNeedsCopy(Vma src) {
        return src.anonVma() != null || src.has(VmFlags.VM_PFNMAP | VmFlags.VM_MIXEDMAP | VmFlags.VM_HUGETLB);
    }

    /**
     * {@code copy_present_pte()}, first half: decide whether the child shares the page or, if it may be pinned, gets a
     * copy now ({@code copy_present_page}); for a shared page take the child's reference and mapping.
     *
     * @return 0 (shared: {@link #copyPresentPteFinish} must follow), {@link #COPIED}, or -ENOMEM
     */
    int copyPresentPteCheck(Vma dst, Vma src, long addr, long pte) {
        int pfn = Memory.vmNormalPage(pte);
        if (pfn >= 0 && frames.test(pfn, PageFlags.PG_ANON)) {
            if (mustCopyForChild(src, pfn)) {
                return copyPresentPage(dst, addr, pfn) == 0 ? COPIED : -Errno.ENOMEM;
            }
            alloc.getPage(pfn);
            dst.mm().addRssAnon(1);
        } else if (pfn >= 0) {
            // 5.9 to 5.18: copy_present_page() did not look at PageAnon, so a maybe-pinned page-cache page of a COW
            // mapping is copied for the child too (the 5.19 rework, fb3d824d1a46, limited the early copy to anon
            // pages; the stable trees added "if (!PageAnon(page)) return 1")
            if (core.profile().cowReuse() != CowReuse.ANON_EXCLUSIVE && core.profile().on(Switch.FORK_COPY_PINNED)
                    && rmap.needsCowForDma(src, pfn)) {
                return copyPresentPage(dst, addr, pfn) == 0 ? COPIED : -Errno.ENOMEM;
            }
            alloc.getPage(pfn);
            rmap.pageDupRmap(pfn);
            dst.mm().addRssFile(frames.test(pfn, PageFlags.PG_SWAPBACKED), 1);
        }
        return 0;
    }

    /**
     * {@code copy_present_pte()}, second half ({@code pte} is the value the first half read): in a COW mapping
     * write-protect the parent's pte ({@code ptep_set_wrprotect}) and install the child's, old (and clean for a shared
     * mapping).
     */
    void copyPresentPteFinish(Vma dst, Vma src, long addr, long pte) {
        if (VmFlags.isCowMapping(src.flags()) && Pte.write(pte)) {
            // ptep_set_wrprotect clears the write bit of the pte as it is now (the MMU may have set accessed or dirty
            // since CHECK read it); the child gets the value CHECK read, write-protected
            src.mm().wrProtectPte(addr);
            pte = Pte.wrProtect(pte);
        }
        if (src.has(VmFlags.VM_SHARED)) {
            pte = Pte.mkClean(pte);
        }
        dst.mm().setPte(addr, Pte.mkOld(pte));
    }

    /**
     * Whether fork must give the child its own copy of anon page {@code pfn} now. Adds the child's mapping when it
     * returns false (the rmap dup is part of the same kernel call).
     */
    private boolean mustCopyForChild(Vma src, int pfn) {
        if (core.profile().cowReuse() == CowReuse.ANON_EXCLUSIVE) {
            return rmap.pageTryDupAnonRmap(pfn, src) == -Errno.EBUSY;
        }
        if (core.profile().on(Switch.FORK_COPY_PINNED) && rmap.needsCowForDma(src, pfn)) {
            return true;
        }
        rmap.pageDupRmap(pfn);
        return false;
    }

    /**
     * {@code copy_present_page()}: the child gets a fresh copy, mapped dirty and (if the VMA is writable) writable;
     * the parent's pte is left as it is, still mapping the pinned page.
     */
    private int copyPresentPage(Vma dst, long addr, int src) {
        trace.path("copy_present_page");
        int pfn = alloc.allocPage(PageAlloc.GFP_HIGHUSER_MOVABLE);
        if (pfn < 0) {
            return -Errno.ENOMEM;
        }
        frames.copyData(src, pfn);
        rmap.pageAddNewAnonRmap(pfn, dst, addr);
        frames.set(pfn, PageFlags.PG_LRU);
        dst.mm().addRssAnon(1);
        dst.mm().setPte(addr, Memory.maybeMkWrite(Pte.mkDirty(Pte.make(pfn, dst.pageProt())), dst));
        return 0;
    }
}
