package org.mmsim.kernel;

import org.mmsim.kernel.profile.Switch;

/**
 * {@code /proc/PID/clear_refs} and {@code /proc/PID/pagemap} (fs/proc/task_mmu.c).
 *
 * <p>Design notes. Writing 4 to clear_refs is how soft-dirty tracking starts a round: every VMA loses VM_SOFTDIRTY
 * (so it wants write-notify and mprotect stops upgrading its ptes), and every present pte is write-protected and
 * cleaned of soft-dirty, so the next write faults. For a pinned page the fault is where things went wrong: under
 * the 5.9 page-count rule the write fault copies the page away from the pin (B4). 5.11 (9348b73c2e1b) skips ptes
 * that are writable, in a COW mapping of an mm that has pinned, and maybe pinned ({@code pte_is_pinned}): they
 * stay writable and soft-dirty. From 5.19 the skip is no longer needed (an exclusive page is always reused) but
 * it is still there. Without CONFIG_MEM_SOFT_DIRTY (the {@code mem_soft_dirty} switch) clear_refs 4 is accepted
 * and does nothing.
 */
final class TaskMmu {
    static final int CLEAR_REFS_ALL = 1;
    static final int CLEAR_REFS_ANON = 2;
    static final int CLEAR_REFS_MAPPED = 3;
    static final int CLEAR_REFS_SOFT_DIRTY = 4;
    static final int CLEAR_REFS_MM_HIWATER_RSS = 5;

    static final long PM_PFRAME_MASK = (1L << 55) - 1;
    static final long PM_SOFT_DIRTY = 1L << 55;
    static final long PM_MMAP_EXCLUSIVE = 1L << 56;
    static final long PM_FILE = 1L << 61;
    static final long PM_SWAP = 1L << 62;
    static final long PM_PRESENT = 1L << 63;

    private final Kernel k;

    TaskMmu(Kernel k) {
        this.k = k;
    }

    /**
     * {@code clear_refs_write()}.
     *
     * @return 0, or -EINVAL for a value outside 1..5
     */
    long clearRefs(Mm mm, int type) {
        k.path("clear_refs_write");
        if (type < CLEAR_REFS_ALL || type > CLEAR_REFS_MM_HIWATER_RSS) {
            return -Errno.EINVAL;
        }
        if (type == CLEAR_REFS_MM_HIWATER_RSS) {
            mm.hiwaterRss = mm.rss();
            k.note("mm " + mm.id() + ": hiwater_rss reset to " + mm.hiwaterRss);
            return 0;
        }
        boolean softDirty = type == CLEAR_REFS_SOFT_DIRTY;
        if (softDirty && !k.profile.on(Switch.MEM_SOFT_DIRTY)) {
            return 0;
        }
        for (Vma vma : mm.vmas()) {
            if (softDirty && vma.has(VmFlags.VM_SOFTDIRTY)) {
                long old = vma.flags;
                vma.flags &= ~VmFlags.VM_SOFTDIRTY;
                k.note("mm " + mm.id() + ": vma " + vma + " (was " + VmFlags.describe(old) + ")");
            }
        }
        for (Vma vma : mm.vmas()) {
            if (vma.has(VmFlags.VM_PFNMAP) || (type == CLEAR_REFS_ANON && vma.file != null)
                    || (type == CLEAR_REFS_MAPPED && vma.file == null)) {
                continue;
            }
            clearRefsPteRange(vma, softDirty);
        }
        return 0;
    }

    /** {@code clear_refs_pte_range()}: soft-dirty write-protect, or clear the young and referenced bits. */
    private void clearRefsPteRange(Vma vma, boolean softDirty) {
        k.path("clear_refs_pte_range");
        Mm mm = vma.mm();
        for (long addr = vma.start; addr < vma.end; addr += PageTable.PAGE_SIZE) {
            long pte = mm.pte(addr);
            if (!Pte.present(pte)) {
                continue;
            }
            if (softDirty) {
                if (pteIsPinned(vma, pte)) {
                    continue;
                }
                long ptent = Pte.wrProtect(pte) & ~Pte.SOFT_DIRTY;
                if (ptent != pte) {
                    mm.setPte(addr, ptent);
                }
                continue;
            }
            int pfn = k.memory.vmNormalPage(pte);
            if (pfn < 0) {
                continue;
            }
            if (Pte.young(pte)) {
                mm.setPte(addr, Pte.mkOld(pte));
            }
            k.frames.clear(pfn, PageFlags.PG_REFERENCED);
        }
    }

    /**
     * {@code pte_is_pinned()} (5.11, 9348b73c2e1b): a writable pte of a COW mapping, in an mm that has pinned,
     * whose page may be DMA-pinned; clear_refs leaves it alone.
     */
    private boolean pteIsPinned(Vma vma, long pte) {
        if (!k.profile.on(Switch.CLEAR_REFS_SKIP_PINNED) || !Pte.write(pte) || !VmFlags.isCowMapping(vma.flags)
                || !vma.mm().test(Mm.MMF_HAS_PINNED)) {
            return false;
        }
        int pfn = k.memory.vmNormalPage(pte);
        return pfn >= 0 && Gup.maybeDmaPinned(k.frames, pfn);
    }

    /**
     * {@code pte_to_pagemap_entry()} for the page at {@code addr}, as read with CAP_SYS_ADMIN (the PFN is shown):
     * bits 0-54 PFN, 55 soft-dirty, 56 exclusively mapped, 61 file-page or shared-anon, 62 swapped, 63 present.
     */
    long pagemap(Mm mm, long addr) {
        k.path("pagemap_read");
        Vma vma = mm.vmaAt(addr);
        if (vma == null) {
            return 0;
        }
        boolean sd = k.profile.on(Switch.MEM_SOFT_DIRTY);
        long entry = 0;
        if (sd && vma.has(VmFlags.VM_SOFTDIRTY)) {
            entry |= PM_SOFT_DIRTY;
        }
        long pte = mm.pte(addr);
        if (!Pte.present(pte)) {
            return entry;
        }
        entry |= PM_PRESENT | (Pte.pfn(pte) & PM_PFRAME_MASK);
        if (sd && Pte.softDirty(pte)) {
            entry |= PM_SOFT_DIRTY;
        }
        int pfn = k.memory.vmNormalPage(pte);
        if (pfn >= 0 && pfn < k.frames.nrFrames()) {
            if (!k.frames.test(pfn, PageFlags.PG_ANON)) {
                entry |= PM_FILE;
            }
            if (k.frames.mapcount(pfn) == 1) {
                entry |= PM_MMAP_EXCLUSIVE;
            }
        }
        return entry;
    }
}
