package org.mmsim.kernel.mm.memory;

import java.util.ArrayList;
import java.util.List;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.notifier.MmuNotifierEvent;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;

/**
 * {@code unmap_mapping_range(mapping, holebegin, holelen, even_cows)} (mm/memory.c) as a call: zap every process's
 * ptes of the object's pages [first, first + count) (count 0: to the end), walking {@code i_mmap}; each VMA's part
 * is one {@code zap_page_range_single} with its MMU_NOTIFY_CLEAR invalidation. Up to 2.6.27 it first bumps
 * {@code mapping->truncate_count}, which {@code do_no_page} rechecks; the model always does (nothing reads it once
 * {@code ->nopage} is gone).
 *
 * <pre>
 *   ENTRY:  i_mmap_lock; truncate_count++; the VMAs of i_mmap that map the range (fixed now)
 *   then, VMA by VMA: a point before it, then its part pte by pte, under that mm's pte lock
 *                                                                     ← a point after each pte zapped
 * </pre>
 *
 * With {@code even_cows} false (a driver moving an object, {@code unmap_mapping_folio}) every VMA is walked but the
 * anonymous pages in it, private COW copies of the object's pages, stay ({@code should_zap_folio}); the page-cache
 * and special ptes of private VMAs go as those of shared ones do.
 */
public final class UnmapMappingRange extends KernelCall<Void> {
    private static final int ZAP = 1;

    private final Zap zap;
    private final AddressSpace mapping;
    private final long first;
    private final long count;
    private final boolean evenCows;
    private final String cause;
    private List<Vma> vmas;
    private int vi;
    private ZapWalk walk;

    UnmapMappingRange(Zap zap, AddressSpace mapping, long first, long count, boolean evenCows, String cause) {
        super(zap.trace(), zap.core().footprint(), "unmap_mapping_range");
        this.cause = cause;
        this.zap = zap;
        this.mapping = mapping;
        this.first = first;
        this.count = count;
        this.evenCows = evenCows;
    }

    @Override
    public Acquire blockedOn() {
        if (walk == null || walk.holdsPtl()) {
            return null;
        }
        return walk.mm().ptl().acquire().blocked();
    }

    @Override
    protected void advance() {
        if (pc == 0) {
            trace.path("unmap_mapping_range");
            zap.core().footprint().global();
            mapping.bumpTruncateCount();
            vmas = new ArrayList<>(mapping.iMmap());
            vi = -1;
        }
        while (true) {
            if (walk != null && walk.step()) {
                at(ZAP, "pte %#x of mm %d zapped", walk.lastZapped(), walk.mm().id());
                return;
            }
            walk = null;
            if (++vi >= vmas.size()) {
                finish(0);
                return;
            }
            Vma vma = vmas.get(vi);
            long vmaFirst = vma.pgoff();
            long vmaPages = (vma.end() - vma.start()) >>> Page.PAGE_SHIFT;
            long lo = Math.max(first, vmaFirst);
            long hi = count == 0 ? vmaFirst + vmaPages : Math.min(first + count, vmaFirst + vmaPages);
            if (lo >= hi) {
                continue;
            }
            long start = vma.start() + (lo - vmaFirst) * Page.PAGE_SIZE;
            long end = vma.start() + (hi - vmaFirst) * Page.PAGE_SIZE;
            walk = zap.walk(vma.mm(), List.of(vma), start, end, "unmap_mapping_range_vma", MmuNotifierEvent.CLEAR,
                    cause, evenCows);
            at(ZAP, "zap_page_range_single(mm %d, %#x-%#x)", vma.mm().id(), start, end);
            return;
        }
    }

    @Override
    protected void locals(StateHasher h) {
        h.add(mapping.id()).add(first).add(count).add(evenCows).add(vi);
        if (walk != null) {
            walk.hashInto(h);
        }
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private UnmapMappingRange(UnmapMappingRange o, Copier c) {
        super(o, c);
        this.zap = c.copy(o.zap);
        this.mapping = c.copy(o.mapping);
        this.first = o.first;
        this.count = o.count;
        this.evenCows = o.evenCows;
        this.cause = o.cause;
        if (o.vmas != null) {
            this.vmas = new ArrayList<>(o.vmas.size());
            for (Vma v : o.vmas) {
                vmas.add(c.copy(v));
            }
        }
        this.vi = o.vi;
        this.walk = c.copy(o.walk);
    }

    @Override
    public UnmapMappingRange copy(Copier c) {
        return new UnmapMappingRange(this, c);
    }
}
