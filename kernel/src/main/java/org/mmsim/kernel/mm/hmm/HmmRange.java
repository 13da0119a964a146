package org.mmsim.kernel.mm.hmm;

import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.mm.notifier.MmuIntervalNotifier;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.state.StateHasher;

/**
 * {@code struct hmm_range}: what {@code hmm_range_fault} snapshots, one entry per page of [start, end). Each entry
 * is a PFN with flag bits: on input {@link #REQ_FAULT} and {@link #REQ_WRITE} (or them in {@link #defaultFlags}),
 * on output {@link #VALID}, {@link #WRITE} or {@link #ERROR}. The entries are a snapshot, not references: they stay
 * true only until the notifier's next {@code ->invalidate}.
 */
@Export
public final class HmmRange extends StateObject {
    /** {@code HMM_PFN_VALID}: the entry maps a page the CPU maps (bit 63). */
    @Export
    public static final long VALID = 1L << 63;
    /** {@code HMM_PFN_WRITE}: the CPU maps it writable (bit 62). */
    @Export
    public static final long WRITE = 1L << 62;
    /** {@code HMM_PFN_ERROR}: no page can be mapped here (a VM_IO/VM_PFNMAP VMA that was not to be faulted). */
    @Export
    public static final long ERROR = 1L << 61;
    /** {@code HMM_PFN_REQ_FAULT}: fault the page in if it is not present (same bit as VALID). */
    @Export
    public static final long REQ_FAULT = VALID;
    /** {@code HMM_PFN_REQ_WRITE}: fault it in writable (same bit as WRITE). */
    @Export
    public static final long REQ_WRITE = WRITE;
    /** The PFN bits of an entry. */
    @Export
    public static final long PFN_MASK = (1L << 52) - 1;

    private final MmuIntervalNotifier notifier;
    private final long start;
    private final long end;
    private final long[] pfns;
    private final long defaultFlags;
    /** {@code range->notifier_seq}, from {@code mmu_interval_read_begin}. */
    private long notifierSeq;

    /**
     * A range of {@code notifier}'s mm, [start, end) (page aligned), every page requested with
     * {@code defaultFlags}.
     */
    @Export
    public HmmRange(MmuIntervalNotifier notifier, long start, long end, long defaultFlags) {
        this.notifier = notifier;
        this.start = start;
        this.end = end;
        this.pfns = new long[(int) ((end - start) >>> 12)];
        this.defaultFlags = defaultFlags;
    }

    @Export
    public MmuIntervalNotifier notifier() {
        return notifier;
    }

    @Export
    public long start() {
        return start;
    }

    @Export
    public long end() {
        return end;
    }

    @Export
    public long defaultFlags() {
        return defaultFlags;
    }

    @Export
    public long notifierSeq() {
        return notifierSeq;
    }

    @Export
    public void setNotifierSeq(long seq) {
        this.notifierSeq = seq;
    }

    /** Entry {@code i}: page {@code start + i * PAGE_SIZE}. */
    @Export
    public long pfn(int i) {
        return pfns[i];
    }

    void setPfn(int i, long entry) {
        pfns[i] = entry;
    }

    @Export
    public int nrPages() {
        return pfns.length;
    }

    /** The range's state, for the fingerprint of the driver call that holds it: notifier, bounds, seq, entries. */
    @Export
    public void hashInto(StateHasher h) {
        h.add(notifier.id()).add(start).add(end).add(defaultFlags).add(notifierSeq).add(pfns.length);
        for (long p : pfns) {
            h.add(p);
        }
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private HmmRange(HmmRange o, Copier c) {
        c.pair(o, this);
        this.notifier = c.copy(o.notifier);
        this.start = o.start;
        this.end = o.end;
        this.pfns = o.pfns.clone();
        this.defaultFlags = o.defaultFlags;
        this.notifierSeq = o.notifierSeq;
    }

    @Override
    @Export
    public HmmRange copy(Copier c) {
        return new HmmRange(this, c);
    }
}
