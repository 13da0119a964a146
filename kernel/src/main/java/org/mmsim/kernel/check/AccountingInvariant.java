package org.mmsim.kernel.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.fs.Pipe;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.page.PageFrames;
import org.mmsim.kernel.mm.page.PageReferences;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.mm.rmap.Rmap;

/**
 * Refcount and mapcount balance, recomputed from scratch: every frame's {@code _refcount} must equal the references
 * the model can name (one per pte that maps it, one per page-cache slot, one per pipe buffer, one per FOLL_GET,
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
        return "refcount = ptes + page cache + pipe buffers + GUP references + 1024 x pins; mapcount = ptes; no pte maps a free frame";
    }

    @Override
    public List<Violation> check(Kernel kernel) {
        PageFrames frames = kernel.frames();
        Map<Integer, int[]> expected = new HashMap<>();
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
                int[] e = expected.computeIfAbsent(pfn, p -> new int[2]);
                e[0]++;
                e[1]++;
            });
        }
        PageReferences.Visitor ref = (pfn, count) -> expected.computeIfAbsent(pfn, p -> new int[2])[0] += count;
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
        kernel.pageAlloc().everAllocated().forEach(pfn -> {
            int[] e = expected.getOrDefault(pfn, new int[2]);
            int refs = frames.refcount(pfn);
            int map = frames.mapcount(pfn);
            if (refs != e[0]) {
                out.add(new Violation(name(), String.format("pfn %d has refcount %d but %d reference%s can be named",
                        pfn, refs, e[0], e[0] == 1 ? "" : "s")));
            }
            if (map != e[1]) {
                out.add(new Violation(name(), String.format("pfn %d has mapcount %d but %d pte%s map it",
                        pfn, map, e[1], e[1] == 1 ? "" : "s")));
            }
        });
        return out;
    }
}
