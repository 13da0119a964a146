package org.mmsim.kernel.mm.memory;

import java.util.List;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.Tlb;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.notifier.MmuNotifierEvent;
import org.mmsim.kernel.mm.notifier.MmuNotifiers;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.page.PageFrames;
import org.mmsim.kernel.mm.pgtable.PageTable;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.mm.rmap.Rmap;
import org.mmsim.kernel.profile.PinTracking;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.trace.Tracer;

/**
 * Tearing down mappings (mm/memory.c {@code zap_pte_range}, {@code unmap_vmas}): clear each pte, drop the page's
 * mapcount and the pte's reference. munmap and exit zap whole VMAs in one step, a PTE table at a time
 * ({@link #zapRange}); MADV_DONTNEED, reclaim and {@code unmap_mapping_range} zap through a {@link ZapWalk} that can stop
 * after any pte. The kernel batches the frees in an {@code mmu_gather} until the TLB is flushed. Without TLBs the model
 * frees at once, which is the same once the flush is done; with them ({@link Tlb}) it gathers the flushes and the
 * pages until the zap drops the pte lock ({@link #flushGather}), with the delayed rmap of {@code zap_delay_rmap}. A
 * special pte (the zero page, a raw PFN) is only cleared.
 */
public final class Zap {
    private final MmCore core;
    private final Tracer trace;
    private final PageFrames frames;
    private final PageAlloc alloc;
    private final Rmap rmap;
    final MmuNotifiers notifiers;

    public Zap(MmCore core, Rmap rmap, MmuNotifiers notifiers) {
        this.notifiers = notifiers;
        this.core = core;
        this.trace = core.trace();
        this.frames = core.frames();
        this.alloc = core.alloc();
        this.rmap = rmap;
    }

    /**
     * {@code unmap_vmas()} for [start, end) of {@code vma}, to the end, in one step; {@code cause} names the program's
     * call that unmaps ({@code munmap}, {@code mmap}, {@code mremap}), null for exit. As {@code zap_pte_range} does,
     * each PTE table with something to zap is one hold of the pte lock (and one TLB gather, flushed before the lock
     * is dropped) in which its ptes are cleared in address order ({@code ptep_get_and_clear_full}), each releasing
     * what it mapped before the next ({@link #zapPte}'s second half), without finding the table again for every
     * pte.
     */
    public void zapRange(Vma vma, long start, long end, String cause) {
        zapRange(vma, start, end, cause, false);
    }

    /**
     * {@code unmap_vmas()} of all of {@code vma} for {@code exit_mmap} ({@code tlb_gather_mmu_fullmm}): as
     * {@link #zapRange}, but where no TLB is modelled the ptes are only read and released, and the tables keep them
     * until {@code free_pgtables} frees every table with what it holds ({@code PageTable.freeAll}), so that no table
     * a copy shares is copied only to be written and freed.
     */
    public void zapForExit(Vma vma) {
        zapRange(vma, vma.start(), vma.end(), null, true);
    }

    private void zapRange(Vma vma, long start, long end, String cause, boolean exit) {
        Mm mm = vma.mm();
        PageTable pgd = mm.pageTable();
        long a = pgd.nextNonNone(start, end);
        while (a < end) {
            long tableEnd = Math.min(end, (a & ~(PageTable.PMD_SIZE - 1)) + PageTable.PMD_SIZE);
            trace.path("zap_pte_range");
            mm.ptl().lock();
            if (mm.tlb() != null) {
                mm.tlb().beginGather();
            }
            if (exit && mm.tlb() == null) {
                mm.releasePtesForExit(a, tableEnd, (addr, pte) -> release(mm, addr, pte, cause));
            } else {
                mm.clearPtes(a, tableEnd, (addr, pte) -> release(mm, addr, pte, cause));
            }
            flushGather(mm);
            mm.ptl().unlock();
            a = pgd.nextNonNone(tableEnd, end);
        }
    }

    /**
     * A walk over [start, end) of {@code vmas} of {@code mm} that stops at a VMA with a {@code forbidden} flag and
     * traces {@code vmaPath} (if not null) as it enters each VMA. With an {@code event} (null: the caller tells the
     * secondary MMUs itself, as {@code unmap_vmas} does for munmap and exit), each VMA's part of the range is an
     * invalidation of its own, as {@code zap_page_range_single} makes for MADV_DONTNEED and
     * {@code unmap_mapping_range}. {@code cause} names the program's call that zaps (MADV_DONTNEED's
     * {@code madvise}, {@code ftruncate}), null for the kernel's own doing (reclaim, a driver's
     * {@code unmap_mapping_range}): see {@link org.mmsim.kernel.mm.Detachments}.
     */
    public ZapWalk walk(Mm mm, List<Vma> vmas, long start, long end, long forbidden, String vmaPath,
            MmuNotifierEvent event, String cause) {
        return new ZapWalk(this, trace, mm, vmas, start, end, forbidden, vmaPath, event, cause, true);
    }

    /** As {@link #walk}, leaving the anonymous pages (private COW copies) unless {@code evenCows}. */
    ZapWalk walk(Mm mm, List<Vma> vmas, long start, long end, String vmaPath, MmuNotifierEvent event, String cause,
            boolean evenCows) {
        return new ZapWalk(this, trace, mm, vmas, start, end, 0, vmaPath, event, cause, evenCows);
    }

    /**
     * {@code unmap_mapping_range(mapping, holebegin, holelen, even_cows)} over pages [first, first + count) of the
     * object (count 0: to the end), as a call with a point after every pte ({@link UnmapMappingRange});
     * {@code cause}: the program's call ({@code ftruncate}), or null for a driver's.
     */
    public KernelCall<Void> unmapMappingRange(AddressSpace mapping, long first, long count, boolean evenCows,
            String cause) {
        return new UnmapMappingRange(this, mapping, first, count, evenCows, cause);
    }

    Tracer trace() {
        return trace;
    }

    MmCore core() {
        return core;
    }

    /**
     * Clear one pte and drop what it mapped (the body of {@code zap_pte_range}'s loop, {@code zap_present_folio_ptes}
     * since 6.9): a file page takes the pte's dirty bit ({@code folio_mark_dirty}), an anonymous one does not, as in
     * every kernel ("We don't need up-to-date accessed/dirty bits"): its data is in the page itself.
     */
    void zapPte(Mm mm, long addr, long pte, String cause) {
        if (mm.tlb() != null && mm.tlb().gathering()) {
            mm.clearPteGathered(addr);
        } else {
            mm.setPte(addr, 0);
        }
        release(mm, addr, pte, cause);
    }

    /** What {@link #zapPte} does once the pte at {@code addr}, which was {@code pte}, is cleared. */
    private void release(Mm mm, long addr, long pte, String cause) {
        if (!Pte.present(pte)) {
            return;
        }
        int pfn = Memory.vmNormalPage(pte);
        if (pfn < 0) {
            return;
        }
        core.detachments().unmapped(mm, addr, pfn, cause);
        boolean anon = frames.test(pfn, PageFlags.PG_ANON);
        if (Pte.write(pte) && !anon && core.profile().pinTracking() == PinTracking.MAPCOUNT_V2) {
            // seed 003, Jérôme Glisse: "When clearing a write-able pte we set a special entry inside the page table"
            trace.path("zap_pte_range: special entry");
            mm.setZapMarker(addr);
        }
        if (anon) {
            mm.addRssAnon(-1);
        } else {
            if (Pte.dirty(pte)) {
                frames.set(pfn, PageFlags.PG_DIRTY);
            }
            mm.addRssFile(frames.test(pfn, PageFlags.PG_SWAPBACKED), -1);
        }
        Tlb tlb = mm.tlb();
        if (tlb != null && tlb.gathering()) {
            // tlb_remove_page: the reference goes after the flush; zap_delay_rmap (5df397dec7c4): so does the rmap
            // of a dirty page of a file, which folio_mkclean must still find mapped until then
            boolean delay = !anon && Pte.dirty(pte) && core.profile().on(Switch.ZAP_DELAY_RMAP);
            if (!delay) {
                rmap.pageRemoveRmap(pfn);
            }
            tlb.gatherPage(pfn, delay);
            return;
        }
        alloc.unmapAndPut(pfn);
    }

    /**
     * The flush of a zap that gathered, when it drops the pte lock: {@code tlb_flush_mmu_tlbonly} (every CPU's
     * entries for the ptes it cleared go) and {@code tlb_flush_rmaps} (the delayed rmaps) before
     * {@code pte_unmap_unlock}, then the pages' references ({@code tlb_flush_mmu}'s freeing, which the kernel does
     * after the unlock: nobody can tell the difference in the model).
     */
    void flushGather(Mm mm) {
        Tlb tlb = mm.tlb();
        if (tlb == null || !tlb.gathering()) {
            return;
        }
        trace.path("tlb_flush_mmu");
        tlb.flush((pfn, delayRmap) -> {
            if (delayRmap) {
                rmap.pageRemoveRmap(pfn);
            }
            alloc.putPage(pfn);
        });
    }
}
