package org.mmsim.kernel.check;

import java.util.List;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.page.AccountingLedger;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.page.PageFrames;

/**
 * The accounting invariant after a step, from its {@link AccountingLedger}: the frames the step (and any steps replayed
 * before it) wrote, mapped or unmapped, and those whose references outside page tables changed, each judged against
 * what it was when the last check found every frame balanced. It gives the violations the full check gives, in the
 * same order (frames in the order of the allocator's ranges, each frame's refcount before its mapcount), or null where
 * only the full check can answer.
 */
final class LedgerCheck {
    private LedgerCheck() {}

    /**
     * The check of the frames the ledger names, against what they were when the last check found every frame
     * balanced: a frame's ptes then were its mapcount then (less the pins seed 003's designs count in it), and its
     * refcount then was those ptes, its outside references then and its buffers. Null where only the full check can
     * answer: a frame outside the allocated ranges, one whose counts then do not add up that way, or a frame now free
     * that a pte maps (the full check names those ptes first).
     */
    static List<Violation> check(Kernel kernel, AccountingLedger ledger, int[] references) {
        int[] before = ledger.references();
        int most = ledger.frames() + ledger.pteChanges() + (before.length + references.length) / 2;
        // one array: the candidates in [0, most), and in [most, 2 most), by candidate, the change in the ptes of live
        // mms that map it since the last check, summed in the one pass that finds the candidates
        int[] candidates = ledger.scratch(2 * most);
        int k = 0;
        for (int i = 0; i < ledger.frames(); i++) {
            k = addOnce(candidates, k, ledger.framePfn(i));
        }
        for (int i = 0; i < ledger.pteChanges(); i++) {
            int pfn = ledger.pteChange(i, 1);
            int at = indexOf(candidates, k, pfn);
            if (at < 0) {
                at = k;
                candidates[k++] = pfn;
            }
            Mm mm = kernel.mm().mm(ledger.pteChange(i, 0));
            // an mm dead now was dead at the last check too (the ledger is used only if as many are dead), and the
            // ptes of a dead mm do not count
            candidates[most + at] += mm == null || mm.dead() ? 0 : ledger.pteChange(i, 2);
        }
        for (int a = 0, b = 0; a < before.length || b < references.length; ) {
            int pa = a < before.length ? before[a] : Integer.MAX_VALUE;
            int pb = b < references.length ? references[b] : Integer.MAX_VALUE;
            if (pa != pb || before[a + 1] != references[b + 1]) {
                k = addOnce(candidates, k, Math.min(pa, pb));
            }
            a += pa <= pb ? 2 : 0;
            b += pb <= pa ? 2 : 0;
        }
        if (k == 0) {
            return List.of();
        }
        PageAlloc alloc = kernel.pageAlloc();
        long[] ordered = ledger.scratchOrder(k);
        for (int i = 0; i < k; i++) {
            int position = alloc.everAllocatedPosition(candidates[i]);
            if (position < 0) {
                return null;
            }
            ordered[i] = ((long) position << 32) | i;
        }
        for (int i = 1; i < k; i++) { // a step names a few frames: an insertion sort beats Arrays.sort's set-up
            long o = ordered[i];
            int j = i - 1;
            for (; j >= 0 && ordered[j] > o; j--) {
                ordered[j + 1] = ordered[j];
            }
            ordered[j + 1] = o;
        }
        PageFrames frames = kernel.frames();
        boolean pinsInMapcount = kernel.profile().pinTracking().mapcount();
        int[] counts = new int[3];
        List<Violation> out = null;
        for (int n = 0; n < k; n++) {
            long o = ordered[n];
            // the frames the ledger noted came first, each once, so a candidate's index is its place in the ledger
            int noted = (int) o < ledger.frames() ? (int) o : -1;
            int pfn = candidates[(int) o];
            if (noted >= 0) {
                counts[0] = ledger.frameBefore(noted, 0);
                counts[1] = ledger.frameBefore(noted, 1) + 1;
                counts[2] = ledger.frameBefore(noted, 2);
            } else {
                frames.counts(pfn, counts);
            }
            int ptesBefore = counts[1] - AccountingInvariant.pinsInMapcount(pinsInMapcount, counts[0], counts[2]);
            if (ptesBefore < 0 || counts[0] != ptesBefore + count(before, pfn) + AccountingInvariant.buffers(counts[2])) {
                return null;
            }
            int ptes = ptesBefore + candidates[most + (int) o];
            frames.counts(pfn, counts);
            int refs = counts[0];
            if (ptes < 0 || refs == 0 && ptes > 0) {
                return null;
            }
            out = AccountingInvariant.unbalanced(out, pfn, refs,
                    ptes + count(references, pfn) + AccountingInvariant.buffers(counts[2]), counts[1],
                    ptes + AccountingInvariant.pinsInMapcount(pinsInMapcount, refs, counts[2]));
        }
        return out == null ? List.of() : out;
    }

    /** {@code into[0..k)} with {@code pfn} added if it is not there yet; the new length. */
    private static int addOnce(int[] into, int k, int pfn) {
        if (indexOf(into, k, pfn) >= 0) {
            return k;
        }
        into[k] = pfn;
        return k + 1;
    }

    /** Where {@code pfn} is in {@code in[0..k)}, or -1. */
    private static int indexOf(int[] in, int k, int pfn) {
        for (int i = 0; i < k; i++) {
            if (in[i] == pfn) {
                return i;
            }
        }
        return -1;
    }

    /** The count {@code pairs} (sorted (pfn, count) pairs) holds for {@code pfn}, 0 if none. */
    private static int count(int[] pairs, int pfn) {
        int lo = 0;
        int hi = pairs.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int p = pairs[2 * mid];
            if (p == pfn) {
                return pairs[2 * mid + 1];
            }
            if (p < pfn) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return 0;
    }

}
