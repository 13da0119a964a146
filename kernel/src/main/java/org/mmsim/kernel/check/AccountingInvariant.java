package org.mmsim.kernel.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.fs.Pipe;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.page.AccountingLedger;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.page.PageFrames;
import org.mmsim.kernel.mm.page.PageReferences;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.mm.rmap.Rmap;

/**
 * Refcount and mapcount balance, recomputed from scratch (after a step, only for what the step touched:
 * {@link LedgerCheck}): every frame's {@code _refcount} must equal the references
 * the model can name (one per pte that maps it, one per page-cache slot, one per page with buffers ({@code PG_private}), one per pipe buffer, one per FOLL_GET,
 * {@code GUP_PIN_COUNTING_BIAS} per FOLL_PIN, and what drivers say they hold) and its mapcount the number of ptes; no
 * pte may map a free frame.
 */
final class AccountingInvariant implements Invariant {
    static final String NAME = "accounting";
    private static final int[] NO_REFERENCES = new int[0];

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String doc() {
        return "refcount = ptes + page cache + buffers (PG_private) + pipe buffers + GUP references + 1024 x pins; mapcount = ptes; no pte maps a free frame";
    }

    /**
     * Whether every check from the ledger is also made in full and the two compared, an {@link IllegalStateException}
     * naming both if they differ (tests turn it on, {@link Invariants#crossCheckAccounting}).
     */
    static volatile boolean crossCheck;

    /**
     * The check after every step. From the {@link AccountingLedger} when it can ({@link LedgerCheck}): only the frames
     * written or whose ptes
     * or outside references changed since the last check, if that check found everything balanced and the same mms
     * are alive (a step that makes or ends an mm, or a replayed run that wrote much, is checked in full). In full
     * otherwise: the ptes are counted without reading the frames they map, and whether a pte maps a free frame is read
     * off the frame's own refcount in the pass over frames, which reads it anyway. Only when some pte does (or maps a
     * frame never allocated, which has no count) is the check run again by {@link #checkMappedFree}, which names each
     * such pte first, in the order of the mms and their addresses.
     */
    @Override
    public List<Violation> check(Kernel kernel) {
        AccountingLedger ledger = kernel.frames().ledger();
        int[] references = references(kernel);
        // after every explored step: counted on the core's own list rather than through a read-only view of it
        int nrMms = kernel.mm().nrMms();
        int dead = kernel.mm().nrDeadMms();
        List<Violation> out = ledger.usable(nrMms, dead) ? LedgerCheck.check(kernel, ledger, references) : null;
        if (out == null || crossCheck) {
            List<Violation> full = full(kernel, references);
            if (out != null && !out.equals(full)) {
                throw new IllegalStateException("the accounting check from the ledger found " + out
                        + " where the full check found " + full);
            }
            out = full;
        }
        ledger.restart(out.isEmpty(), nrMms, dead, references);
        return out;
    }

    /** Every pte of every live mm and every frame ever allocated, counted afresh. */
    private List<Violation> full(Kernel kernel, int[] references) {
        Counts expected = new Counts(kernel.pageAlloc().everAllocatedRanges());
        boolean unnamed = countPtes(kernel, expected, null);
        expected.addReferences(references);
        List<Violation> out = unnamed ? null : balance(kernel, expected, true, null);
        return out == null ? checkMappedFree(kernel, references) : out;
    }

    /** The reference a page with buffers ({@code PG_private}) holds on itself. */
    static int buffers(int flags) {
        return (flags & PageFlags.PG_PRIVATE) != 0 ? 1 : 0;
    }

    /** Seed 003's designs: GUP adds each pin of a non-anon page to {@code _mapcount} too. */
    static int pinsInMapcount(boolean on, int refs, int flags) {
        return on && (flags & PageFlags.PG_ANON) == 0 ? refs / Rmap.GUP_PIN_COUNTING_BIAS : 0;
    }

    /**
     * The whole check in its reporting order: every pte that maps a free frame, mm by mm in address order, then each
     * frame whose counts do not balance.
     */
    private List<Violation> checkMappedFree(Kernel kernel, int[] references) {
        Counts expected = new Counts(kernel.pageAlloc().everAllocatedRanges());
        List<Violation> out = new ArrayList<>();
        countPtes(kernel, expected, out);
        expected.addReferences(references);
        return balance(kernel, expected, false, out);
    }

    /**
     * Counts a reference and a mapping for each present pte of every live mm; with {@code named}, adds to it a
     * violation for each pte that maps a free frame.
     *
     * @return whether some pte maps a frame never allocated (which has no count)
     */
    private boolean countPtes(Kernel kernel, Counts expected, List<Violation> named) {
        PageFrames frames = kernel.frames();
        boolean[] unnamed = new boolean[1];
        for (int id = 1; id <= kernel.mm().nrMms(); id++) {
            Mm mm = kernel.mm().mm(id);
            if (mm.dead()) {
                continue;
            }
            mm.pageTable().forEach((addr, pte) -> {
                if (!Pte.present(pte) || Pte.special(pte)) {
                    return;
                }
                int pfn = Pte.pfn(pte);
                if (named != null && frames.refcount(pfn) == 0) {
                    named.add(new Violation(name(), String.format("mm %d maps free pfn %d at %#x", mm.id(), pfn,
                            addr)));
                }
                if (!expected.add(pfn, 1, 1)) {
                    unnamed[0] = true;
                }
            });
        }
        return unnamed[0];
    }

    /**
     * The references held outside page tables (page caches, pipes, GUP arrays, and what drivers report), as (pfn,
     * count) pairs sorted by pfn, one pair a frame.
     */
    private static int[] references(Kernel kernel) {
        if (!anyReferences(kernel)) { // after almost every explored step: no visitor, no arrays
            return NO_REFERENCES;
        }
        long[][] found = {new long[0]};
        int[] n = {0};
        PageReferences.Visitor ref = (pfn, count) -> {
            if (n[0] == found[0].length) {
                found[0] = Arrays.copyOf(found[0], Math.max(8, 2 * n[0]));
            }
            found[0][n[0]++] = ((long) pfn << 32) | (count & 0xffffffffL);
        };
        List<AddressSpace> mappings = kernel.mm().mappings();
        for (int i = 0; i < mappings.size(); i++) {
            AddressSpace mapping = mappings.get(i);
            if (mapping.nrPages() == 0) {
                continue;
            }
            for (int pfn : mapping.pages().values()) {
                ref.ref(pfn, 1);
            }
        }
        List<Pipe> pipes = kernel.vfs().pipes();
        for (int i = 0; i < pipes.size(); i++) {
            for (int pfn : pipes.get(i).pfns()) {
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
        List<PageReferences> holders = kernel.pageReferences();
        for (int i = 0; i < holders.size(); i++) {
            holders.get(i).visit(ref);
        }
        if (n[0] == 0) {
            return NO_REFERENCES;
        }
        long[] sorted = Arrays.copyOf(found[0], n[0]);
        Arrays.sort(sorted);
        int[] pairs = new int[2 * sorted.length];
        int k = 0;
        for (long e : sorted) {
            int pfn = (int) (e >>> 32);
            if (k > 0 && pairs[k - 2] == pfn) {
                pairs[k - 1] += (int) e;
            } else {
                pairs[k++] = pfn;
                pairs[k++] = (int) e;
            }
        }
        return Arrays.copyOf(pairs, k);
    }

    /** Whether anything outside page tables may hold a reference: a page cache with pages, a pipe, GUP, a driver. */
    private static boolean anyReferences(Kernel kernel) {
        List<AddressSpace> mappings = kernel.mm().mappings();
        for (int i = 0; i < mappings.size(); i++) {
            if (mappings.get(i).nrPages() != 0) {
                return true;
            }
        }
        return !kernel.vfs().pipes().isEmpty() || !kernel.gupHolders().held().isEmpty()
                || !kernel.pageReferences().isEmpty();
    }

    /**
     * {@code out} (null: none yet) with a violation added for each frame ever allocated whose refcount or mapcount is
     * not what {@code expected} counted; an empty list if there is none. With {@code fast}, null instead as soon as a
     * frame that some pte maps is found free: the caller then names those ptes first.
     */
    private List<Violation> balance(Kernel kernel, Counts expected, boolean fast, List<Violation> out) {
        PageFrames frames = kernel.frames();
        // seed 003's designs: GUP adds each pin of a non-anon page to _mapcount too
        boolean pinsInMapcount = kernel.profile().pinTracking().mapcount();
        int[] ranges = expected.ranges;
        int[] counts = new int[3];
        for (int z = 0, slot = 0; z < ranges.length; z += 2) {
            for (int pfn = ranges[z]; pfn < ranges[z + 1]; pfn++, slot += 2) {
                frames.counts(pfn, counts);
                int refs = counts[0];
                int mapExpected = expected.counts[slot + 1];
                if (fast && refs == 0 && mapExpected > 0) {
                    return null;
                }
                int flags = counts[2];
                int refsExpected = expected.counts[slot] + ((flags & PageFlags.PG_PRIVATE) != 0 ? 1 : 0);
                if (pinsInMapcount && (flags & PageFlags.PG_ANON) == 0) {
                    mapExpected += refs / Rmap.GUP_PIN_COUNTING_BIAS;
                }
                out = unbalanced(out, pfn, refs, refsExpected, counts[1], mapExpected);
            }
        }
        return out == null ? List.of() : out;
    }

    /** {@code out} with frame {@code pfn}'s violations added if its refcount or mapcount is not what was counted. */
    static List<Violation> unbalanced(List<Violation> out, int pfn, int refs, int refsExpected, int map,
            int mapExpected) {
        if (refs != refsExpected) {
            out = Invariants.add(out, new Violation(NAME, String.format(
                    "pfn %d has refcount %d but %d reference%s can be named", pfn, refs, refsExpected,
                    refsExpected == 1 ? "" : "s")));
        }
        if (map != mapExpected) {
            out = Invariants.add(out, new Violation(NAME, String.format(
                    "pfn %d has mapcount %d but %d pte%s map it", pfn, map, mapExpected,
                    mapExpected == 1 ? "" : "s")));
        }
        return out;
    }

    /**
     * The references and ptes the model can name, per frame ever allocated: two ints per frame in one array over the
     * allocator's ranges (a few frames in a scenario, every frame of a large process, never the whole of memory).
     */
    private static final class Counts {
        final int[] ranges;
        /** By slot ({@link #slot}): the references, then the ptes. */
        final int[] counts;

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

        /** Counts the references of {@code pairs} (sorted (pfn, count) pairs). */
        void addReferences(int[] pairs) {
            for (int i = 0; i < pairs.length; i += 2) {
                add(pairs[i], pairs[i + 1], 0);
            }
        }

        /** Counts {@code refs} references and {@code maps} ptes for {@code pfn}; false for a frame never allocated. */
        boolean add(int pfn, int refs, int maps) {
            int s = slot(pfn);
            if (s >= 0) {
                counts[s] += refs;
                counts[s + 1] += maps;
            }
            return s >= 0;
        }
    }
}
