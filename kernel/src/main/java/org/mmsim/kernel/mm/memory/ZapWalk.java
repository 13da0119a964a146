package org.mmsim.kernel.mm.memory;

import java.util.ArrayList;
import java.util.List;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.notifier.MmuNotifierEvent;
import org.mmsim.kernel.mm.notifier.MmuNotifierRange;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.pgtable.PageTable;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.trace.Tracer;

/**
 * {@code unmap_vmas()} / {@code zap_page_range_single()} over [start, end) of some VMAs, as a walk that can stop after
 * any pte it zapped: {@code zap_pte_range} takes the pte lock at the first pte of a PTE table and holds it across the
 * ptes of that table, so between two ptes of one table only a lockless walker (GUP-fast) can run. Reclaim runs a walk
 * to its end in one step; MADV_DONTNEED stops after each pte ({@code MadviseCall}); munmap and exit, which never stop
 * inside a zap, clear a table's ptes in one pass instead ({@link Zap#zapRange}).
 *
 * <pre>
 *   for each VMA:   refuse it if it has a forbidden flag (MADV_DONTNEED: VM_LOCKED|VM_PFNMAP), else
 *     for each pte: (pte lock taken at the first pte of a table) zap it   ← the walk may stop here
 *                   the pte lock is dropped after the last pte of a table, and after the last pte of all
 * </pre>
 *
 * The walk stops after the last pte that maps something in the same step that zaps it, so a caller that runs to the
 * end does not stop once more for nothing; but a walk that invalidates VMA by VMA goes on through the VMAs left,
 * which get their invalidation though they map nothing ({@code zap_page_range_single} for each).
 */
public final class ZapWalk extends StateObject {
    private final Zap zap;
    private final Tracer trace;
    private final Mm mm;
    private final List<Vma> vmas;
    private final long start;
    private final long end;
    private final long forbidden;
    private final String vmaPath;
    private final MmuNotifierEvent event;
    /** The program's call that zaps ({@link org.mmsim.kernel.mm.Detachments}), or null for the kernel's own. */
    private final String cause;
    /**
     * {@code zap_details.even_cows}: false keeps the anonymous pages (private COW copies) and zaps only the rest, as
     * {@code should_zap_folio()} does for {@code unmap_mapping_range(..., even_cows=0)}; true zaps everything.
     */
    private final boolean evenCows;
    /** The invalidation of the current VMA's part, [rangeStart, rangeEnd), between its start and end (0, 0: none). */
    private long rangeStart;
    private long rangeEnd;
    private int vi = -1;
    private long addr;
    private boolean holdsPtl;
    private boolean refused;
    private long lastZapped;
    /**
     * Whether the walk is being run to its end in one step ({@link #run}) without a {@code vmaPath} to trace: it then
     * walks on after each pte instead of looking ahead for the next ({@link #moreToZap}), which a walk that stops after
     * each pte needs only to know whether to stop; both take the same ptes, locks and invalidations in the same order.
     */
    private boolean toEnd;

    /**
     * A walk over {@code vmas} (in address order) within [start, end); a VMA with any of the {@code forbidden} flags
     * stops it ({@link #refused()}); {@code vmaPath}, if not null, is traced as each VMA is entered; {@code cause}
     * names the program's call that zaps (null: the kernel's own doing).
     */
    ZapWalk(Zap zap, Tracer trace, Mm mm, List<Vma> vmas, long start, long end, long forbidden, String vmaPath,
            MmuNotifierEvent event, String cause, boolean evenCows) {
        this.evenCows = evenCows;
        this.event = event;
        this.cause = cause;
        this.zap = zap;
        this.trace = trace;
        this.mm = mm;
        this.vmas = vmas;
        this.start = start;
        this.end = end;
        this.forbidden = forbidden;
        this.vmaPath = vmaPath;
        this.addr = end;
    }

    /**
     * Zap the next pte that maps something.
     *
     * @return true if one was zapped and more lie ahead (the pte lock may still be held); false when the walk is over,
     *     every pte zapped or a VMA refused, with the pte lock released
     */
    public boolean step() {
        while (true) {
            if (vi >= 0 && addr < Math.min(end, vmas.get(vi).end())) {
                long limit = Math.min(end, vmas.get(vi).end());
                long pte = mm.pte(addr);
                if (pte == 0 || kept(pte)) {
                    addr = nextToZap(addr + Page.PAGE_SIZE, limit);
                    continue;
                }
                if (!holdsPtl) {
                    trace.path("zap_pte_range");
                    holdsPtl = true;
                    mm.ptl().lock();
                    if (mm.tlb() != null) {
                        mm.tlb().beginGather();
                    }
                }
                zap.zapPte(mm, addr, pte, cause);
                lastZapped = addr;
                addr += Page.PAGE_SIZE;
                if (toEnd) {
                    if ((addr & (PageTable.PMD_SIZE - 1)) == 0) {
                        releasePtl();
                    }
                    continue;
                }
                if (!moreToZap()) {
                    releasePtl();
                    endRange();
                    return false;
                }
                if ((addr & (PageTable.PMD_SIZE - 1)) == 0) {
                    releasePtl();
                }
                return true;
            }
            releasePtl();
            endRange();
            if (++vi == vmas.size()) {
                return false;
            }
            Vma vma = vmas.get(vi);
            if (vma.has(forbidden)) {
                refused = true;
                return false;
            }
            if (vmaPath != null) {
                trace.path(vmaPath);
            }
            addr = Math.max(start, vma.start());
            if (event != null) {
                rangeStart = addr;
                rangeEnd = Math.min(end, vma.end());
                zap.notifiers.invalidateRangeStart(MmuNotifierRange.of(event, mm, rangeStart, rangeEnd));
            }
        }
    }

    /** Run the walk to its end. */
    public void run() {
        toEnd = vmaPath == null;
        try {
            while (step()) {
                // each step zaps one pte
            }
        } finally {
            toEnd = false;
        }
    }

    /** Whether a VMA with a forbidden flag stopped the walk. */
    public boolean refused() {
        return refused;
    }

    /** The address of the pte the last step zapped. */
    public long lastZapped() {
        return lastZapped;
    }

    /** The mm being zapped. */
    public Mm mm() {
        return mm;
    }

    /** Whether the walk holds the pte lock now. */
    public boolean holdsPtl() {
        return holdsPtl;
    }

    /**
     * Whether a pte that maps something, a VMA that will be refused, or (for a walk that invalidates VMA by VMA) any
     * further VMA lies ahead: {@code zap_page_range_single} raises its invalidation for every VMA, populated or not.
     */
    private boolean moreToZap() {
        for (int v = vi; v < vmas.size(); v++) {
            Vma vma = vmas.get(v);
            if (v > vi && (vma.has(forbidden) || event != null && Math.max(start, vma.start()) < end)) {
                return true;
            }
            long from = v == vi ? addr : Math.max(start, vma.start());
            long to = Math.min(end, vma.end());
            if (from < to && nextToZap(from, to) < to) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code pte} is one this walk leaves: an anonymous page when not {@link #evenCows}. */
    private boolean kept(long pte) {
        if (evenCows || !Pte.present(pte)) {
            return false;
        }
        int pfn = Memory.vmNormalPage(pte);
        return pfn >= 0 && zap.core().frames().test(pfn, PageFlags.PG_ANON);
    }

    /** The first address in [from, to) whose pte this walk zaps, or {@code to}. */
    private long nextToZap(long from, long to) {
        long a = mm.pageTable().nextNonNone(from, to);
        while (a < to && kept(mm.pte(a))) {
            a = mm.pageTable().nextNonNone(a + Page.PAGE_SIZE, to);
        }
        return a;
    }

    private void endRange() {
        if (rangeEnd != 0) {
            zap.notifiers.invalidateRangeEnd(MmuNotifierRange.of(event, mm, rangeStart, rangeEnd));
            rangeStart = 0;
            rangeEnd = 0;
        }
    }

    /** The gathered TLB flush and page releases ({@link Zap#flushGather}), then {@code pte_unmap_unlock}. */
    private void releasePtl() {
        if (holdsPtl) {
            zap.flushGather(mm);
            holdsPtl = false;
            mm.ptl().unlock();
        }
    }

    /** Where the walk is, for the fingerprint of a call suspended in it: VMA index, address, pte lock. */
    public void hashInto(StateHasher h) {
        h.add(vi).add(addr).add(holdsPtl ? 1 : 0).add(rangeStart).add(rangeEnd);
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private ZapWalk(ZapWalk o, Copier c) {
        c.pair(o, this);
        this.zap = c.copy(o.zap);
        this.trace = c.copy(o.trace);
        this.mm = c.copy(o.mm);
        this.vmas = new ArrayList<>(o.vmas.size());
        for (Vma v : o.vmas) {
            vmas.add(c.copy(v));
        }
        this.start = o.start;
        this.end = o.end;
        this.forbidden = o.forbidden;
        this.vmaPath = o.vmaPath;
        this.event = o.event;
        this.cause = o.cause;
        this.evenCows = o.evenCows;
        this.rangeStart = o.rangeStart;
        this.rangeEnd = o.rangeEnd;
        this.vi = o.vi;
        this.addr = o.addr;
        this.holdsPtl = o.holdsPtl;
        this.refused = o.refused;
        this.lastZapped = o.lastZapped;
    }

    @Override
    public ZapWalk copy(Copier c) {
        return new ZapWalk(this, c);
    }
}
