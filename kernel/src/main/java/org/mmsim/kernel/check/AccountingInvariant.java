package org.mmsim.kernel.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mmsim.kernel.GupPages;
import org.mmsim.kernel.Inode;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.Mm;
import org.mmsim.kernel.PageAlloc;
import org.mmsim.kernel.PageFrames;
import org.mmsim.kernel.Pipe;
import org.mmsim.kernel.Pte;
import org.mmsim.kernel.Violation;

/**
 * Refcount and mapcount balance, recomputed from scratch: every frame's {@code _refcount} must equal the
 * references the model can name (one per pte that maps it, one per page-cache slot, one per pipe buffer, one per FOLL_GET,
 * {@code GUP_PIN_COUNTING_BIAS} per FOLL_PIN) and its mapcount the number of ptes; no pte may map a free frame.
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
        for (Mm mm : kernel.mms()) {
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
        for (Inode inode : kernel.inodes()) {
            for (int pfn : inode.pageCache().values()) {
                expected.computeIfAbsent(pfn, p -> new int[2])[0]++;
            }
        }
        for (Pipe pipe : kernel.pipes()) {
            for (int pfn : pipe.pfns()) {
                expected.computeIfAbsent(pfn, p -> new int[2])[0]++;
            }
        }
        for (GupPages g : kernel.gupHolders()) {
            for (int i = 0; i < g.nr(); i++) {
                if (g.pfn(i) != PageAlloc.ZERO_PFN) {
                    expected.computeIfAbsent(g.pfn(i), p -> new int[2])[0] +=
                            g.pinned() ? Kernel.GUP_PIN_COUNTING_BIAS : 1;
                }
            }
        }
        kernel.pageAlloc().everAllocated().forEach(pfn -> {
            int[] e = expected.getOrDefault(pfn, new int[2]);
            int ref = frames.refcount(pfn);
            int map = frames.mapcount(pfn);
            if (ref != e[0]) {
                out.add(new Violation(name(), String.format("pfn %d has refcount %d but %d reference%s can be named",
                        pfn, ref, e[0], e[0] == 1 ? "" : "s")));
            }
            if (map != e[1]) {
                out.add(new Violation(name(), String.format("pfn %d has mapcount %d but %d pte%s map it",
                        pfn, map, e[1], e[1] == 1 ? "" : "s")));
            }
        });
        return out;
    }
}
