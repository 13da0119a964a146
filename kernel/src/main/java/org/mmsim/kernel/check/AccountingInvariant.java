package org.mmsim.kernel.check;

import java.util.ArrayList;
import java.util.List;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.fs.Pipe;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.page.PageFrames;
import org.mmsim.kernel.mm.page.PageReferences;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.mm.rmap.Rmap;

/**
 * Refcount and mapcount balance, recomputed from scratch: every frame's {@code _refcount} must equal the references
 * the model can name (one per pte that maps it, one per page-cache slot, one per page with buffers ({@code PG_private}), one per pipe buffer, one per FOLL_GET,
 * {@code GUP_PIN_COUNTING_BIAS} per FOLL_PIN, and what drivers say they hold) and its mapcount the number of ptes; no
 * pte may map a free frame.
 */
final class AccountingInvariant implements Invariant {

    @Override
    public String name() {
        return "accounting";
    }

    @Override
    public String doc() {
        return "refcount = ptes + page cache + buffers (PG_private) + pipe buffers + GUP references + 1024 x pins; mapcount = ptes; no pte maps a free frame";
    }

    @Override
    public List<Violation> check(Kernel kernel) {
        PageFrames frames = kernel.frames();
        Counts expected = new Counts(kernel.pageAlloc().everAllocatedRanges());
        List<Violation> out = new ArrayList<>();
        for (Mm mm : kernel.mm().mms()) {
            if (mm.dead()) {
                continue;
            }
            mm.pageTable().forEach((addr, pte) -> {
                if (!Pte.present(pte) || Pte.special(pte)) {
                    return;
                }
                int pfn = Pte.pfn(pte);
                if (frames.refcount(pfn) == 0) {
                    out.add(new Violation(name(), String.format("mm %d maps free pfn %d at %#x", mm.id(), pfn, addr)));
                }
                expected.add(pfn, 1, 1);
            });
        }
        PageReferences.Visitor ref = (pfn, count) -> expected.add(pfn, count, 0);
        for (AddressSpace mapping : kernel.mm().mappings()) {
            for (int pfn : mapping.pages().values()) {
                ref.ref(pfn, 1);
            }
        }
        for (Pipe pipe : kernel.vfs().pipes()) {
            for (int pfn : pipe.pfns()) {
                ref.ref(pfn, 1);
            }
        }
        for (GupPages g : kernel.gupHolders().held()) {
            for (int i = 0; i < g.nr(); i++) {
                if (g.pfn(i) != PageAlloc.ZERO_PFN) {
                    ref.ref(g.pfn(i), g.pinned() ? Rmap.GUP_PIN_COUNTING_BIAS : 1);
                }
            }
        }
        for (PageReferences holder : kernel.pageReferences()) {
            holder.visit(ref);
        }
        // seed 003's designs: GUP adds each pin of a non-anon page to _mapcount too
        boolean pinsInMapcount = kernel.profile().pinTracking().mapcount();
        int[] ranges = expected.ranges;
        for (int z = 0; z < ranges.length; z += 2) {
            for (int pfn = ranges[z]; pfn < ranges[z + 1]; pfn++) {
                int refsExpected = expected.refs(pfn) + (frames.test(pfn, PageFlags.PG_PRIVATE) ? 1 : 0);
                int mapExpected = expected.maps(pfn);
                int refs = frames.refcount(pfn);
                if (pinsInMapcount && !frames.test(pfn, PageFlags.PG_ANON)) {
                    mapExpected += refs / Rmap.GUP_PIN_COUNTING_BIAS;
                }
                int map = frames.mapcount(pfn);
                if (refs != refsExpected) {
                    out.add(new Violation(name(), String.format("pfn %d has refcount %d but %d reference%s can be"
                            + " named", pfn, refs, refsExpected, refsExpected == 1 ? "" : "s")));
                }
                if (map != mapExpected) {
                    out.add(new Violation(name(), String.format("pfn %d has mapcount %d but %d pte%s map it",
                            pfn, map, mapExpected, mapExpected == 1 ? "" : "s")));
                }
            }
        }
        return out;
    }

    /**
     * The references and ptes the model can name, per frame ever allocated: two ints per frame in one array over the
     * allocator's ranges (a few frames in a scenario, every frame of a large process, never the whole of memory).
     */
    private static final class Counts {
        final int[] ranges;
        private final int[] counts;

        Counts(int[] ranges) {
            this.ranges = ranges;
            int n = 0;
            for (int z = 0; z < ranges.length; z += 2) {
                n += ranges[z + 1] - ranges[z];
            }
            counts = new int[2 * n];
        }

        /** The slot of {@code pfn}, or -1 for a frame never allocated (the zero page, a device page). */
        private int slot(int pfn) {
            int base = 0;
            for (int z = 0; z < ranges.length; z += 2) {
                if (pfn >= ranges[z] && pfn < ranges[z + 1]) {
                    return 2 * (base + pfn - ranges[z]);
                }
                base += ranges[z + 1] - ranges[z];
            }
            return -1;
        }

        void add(int pfn, int refs, int maps) {
            int s = slot(pfn);
            if (s >= 0) {
                counts[s] += refs;
                counts[s + 1] += maps;
            }
        }

        int refs(int pfn) {
            return counts[slot(pfn)];
        }

        int maps(int pfn) {
            return counts[slot(pfn) + 1];
        }
    }
}
