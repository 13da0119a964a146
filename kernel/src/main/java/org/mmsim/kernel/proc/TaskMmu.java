package org.mmsim.kernel.proc;

import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.memory.Memory;
import org.mmsim.kernel.mm.notifier.MmuNotifierEvent;
import org.mmsim.kernel.mm.notifier.MmuNotifierRange;
import org.mmsim.kernel.mm.notifier.MmuNotifiers;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.page.PageFrames;
import org.mmsim.kernel.mm.pgtable.PageTable;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.mm.rmap.Rmap;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.sched.Syscall;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.uapi.Errno;

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
 *
 * <p>Locks: {@code clear_refs_write} takes {@code mmap_lock} for write (since 5.10; for read before, but for
 * soft-dirty), and the pte lock per table; {@code pagemap_read} takes it for read and the pte lock per table.
 */
public final class TaskMmu {
    public static final int CLEAR_REFS_ALL = 1;
    public static final int CLEAR_REFS_ANON = 2;
    public static final int CLEAR_REFS_MAPPED = 3;
    public static final int CLEAR_REFS_SOFT_DIRTY = 4;
    public static final int CLEAR_REFS_MM_HIWATER_RSS = 5;

    public static final long PM_PFRAME_MASK = (1L << 55) - 1;
    public static final long PM_SOFT_DIRTY = 1L << 55;
    public static final long PM_MMAP_EXCLUSIVE = 1L << 56;
    public static final long PM_FILE = 1L << 61;
    public static final long PM_SWAP = 1L << 62;
    public static final long PM_PRESENT = 1L << 63;

    private final MmCore core;
    private final Tracer trace;
    private final PageFrames frames;

    private final MmuNotifiers notifiers;

    public TaskMmu(MmCore core, MmuNotifiers notifiers) {
        this.notifiers = notifiers;
        this.core = core;
        this.trace = core.trace();
        this.frames = core.frames();
    }

    /** {@code echo VALUE > /proc/PID/clear_refs} as a call. */
    public KernelCall<Void> clearRefsCall(Mm mm, int value) {
        return new Syscall<>(trace, core.footprint(), "clear_refs_write", () -> mm.mmapLock().write().blocked(), c -> {
            mm.mmapLock().downWrite();
            try {
                return clearRefs(mm, value);
            } finally {
                mm.mmapLock().upWrite();
            }
        });
    }

    /** A read of the {@code /proc/PID/pagemap} entry for {@code addr} as a call; its result is the entry. */
    public KernelCall<Long> pagemapCall(Mm mm, long addr) {
        return new Syscall<Long>(trace, core.footprint(), "pagemap_read",
                () -> Acquire.first(mm.mmapLock().read(), mm.ptl().acquire()), c -> {
                    mm.mmapLock().downRead();
                    try {
                        c.made(pagemap(mm, addr));
                        return 8;
                    } finally {
                        mm.mmapLock().upRead();
                    }
                }).confined();
    }

    /**
     * {@code clear_refs_write()}.
     *
     * @return 0, or -EINVAL for a value outside 1..5
     */
    long clearRefs(Mm mm, int type) {
        trace.path("clear_refs_write");
        if (type < CLEAR_REFS_ALL || type > CLEAR_REFS_MM_HIWATER_RSS) {
            return -Errno.EINVAL;
        }
        if (type == CLEAR_REFS_MM_HIWATER_RSS) {
            mm.resetHiwaterRss();
            return 0;
        }
        boolean softDirty = type == CLEAR_REFS_SOFT_DIRTY;
        if (softDirty && !core.profile().on(Switch.MEM_SOFT_DIRTY)) {
            return 0;
        }
        for (Vma vma : mm.vmas()) {
            if (softDirty && vma.has(VmFlags.VM_SOFTDIRTY)) {
                vma.setFlags(vma.flags() & ~VmFlags.VM_SOFTDIRTY);
            }
        }
        MmuNotifierRange range = MmuNotifierRange.of(MmuNotifierEvent.SOFT_DIRTY, mm, 0, PageTable.TASK_SIZE);
        if (softDirty) {
            notifiers.invalidateRangeStart(range);
        }
        for (Vma vma : mm.vmas()) {
            if (vma.has(VmFlags.VM_PFNMAP) || (type == CLEAR_REFS_ANON && vma.file() != null)
                    || (type == CLEAR_REFS_MAPPED && vma.file() == null)) {
                continue;
            }
            clearRefsPteRange(vma, softDirty);
        }
        if (softDirty) {
            notifiers.invalidateRangeEnd(range);
        }
        return 0;
    }

    /** {@code clear_refs_pte_range()}: soft-dirty write-protect, or clear the young and referenced bits. */
    private void clearRefsPteRange(Vma vma, boolean softDirty) {
        trace.path("clear_refs_pte_range");
        Mm mm = vma.mm();
        for (long addr = mm.pageTable().nextNonNone(vma.start(), vma.end()); addr < vma.end();
                addr = mm.pageTable().nextNonNone(addr + Page.PAGE_SIZE, vma.end())) {
            long pte = mm.pte(addr);
            if (!Pte.present(pte)) {
                continue;
            }
            if (softDirty) {
                if (pteIsPinned(vma, pte)) {
                    continue;
                }
                long ptent = Pte.wrProtect(pte) & ~Pte.SOFT_DIRTY;
                if (ptent != pte && core.profile().on(Switch.CLEAR_REFS_TLB_FLUSH)) {
                    mm.setPte(addr, ptent);
                } else if (ptent != pte) {
                    mm.setPteUnflushed(addr, ptent); // 5.5-5.11: tlb_finish_mmu elided the flush
                }
                continue;
            }
            int pfn = Memory.vmNormalPage(pte);
            if (pfn < 0) {
                continue;
            }
            if (Pte.young(pte)) {
                mm.setPte(addr, Pte.mkOld(pte));
            }
            frames.clear(pfn, PageFlags.PG_REFERENCED);
        }
    }

    /**
     * {@code pte_is_pinned()} (5.11, 9348b73c2e1b): a writable pte of a COW mapping, in an mm that has pinned,
     * whose page may be DMA-pinned; clear_refs leaves it alone.
     */
    private boolean pteIsPinned(Vma vma, long pte) {
        if (!core.profile().on(Switch.CLEAR_REFS_SKIP_PINNED) || !Pte.write(pte) || !VmFlags.isCowMapping(vma.flags())
                || !vma.mm().test(Mm.MMF_HAS_PINNED)) {
            return false;
        }
        int pfn = Memory.vmNormalPage(pte);
        return pfn >= 0 && Rmap.maybeDmaPinned(frames, pfn);
    }

    /**
     * {@code pte_to_pagemap_entry()} for the page at {@code addr}, as read with CAP_SYS_ADMIN (the PFN is shown):
     * bits 0-54 PFN, 55 soft-dirty, 56 exclusively mapped, 61 file-page or shared-anon, 62 swapped, 63 present. A
     * {@code VM_PFNMAP} VMA reads as a hole (soft-dirty only, from the VMA's flag).
     */
    long pagemap(Mm mm, long addr) {
        trace.path("pagemap_read");
        Vma vma = mm.vmaAt(addr);
        if (vma == null) {
            return 0;
        }
        boolean sd = core.profile().on(Switch.MEM_SOFT_DIRTY);
        long entry = 0;
        if (sd && vma.has(VmFlags.VM_SOFTDIRTY)) {
            entry |= PM_SOFT_DIRTY;
        }
        long pte = mm.pte(addr);
        // walk_page_test(): a VM_PFNMAP VMA is never walked, only reported as a hole (pagemap_pte_hole), so a
        // remap_pfn_range mapping never reads as present nor shows its PFN
        if (!Pte.present(pte) || vma.has(VmFlags.VM_PFNMAP)) {
            return entry;
        }
        entry |= PM_PRESENT | (Pte.pfn(pte) & PM_PFRAME_MASK);
        if (sd && Pte.softDirty(pte)) {
            entry |= PM_SOFT_DIRTY;
        }
        int pfn = Memory.vmNormalPage(pte);
        if (pfn >= 0 && pfn < frames.nrFrames()) {
            if (!frames.test(pfn, PageFlags.PG_ANON)) {
                entry |= PM_FILE;
            }
            if (frames.mapcount(pfn) == 1) {
                entry |= PM_MMAP_EXCLUSIVE;
            }
        }
        return entry;
    }
}
