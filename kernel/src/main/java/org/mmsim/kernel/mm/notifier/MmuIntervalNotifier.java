package org.mmsim.kernel.mm.notifier;

import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateObject;

/**
 * {@code struct mmu_interval_notifier} (5.5, Jason Gunthorpe): a subscription to invalidations of one interval
 * [start, last] of an mm, with its own invalidate sequence. The protocol, from mm/mmu_notifier.c:
 *
 * <pre>
 *   driver (mirror a range)                               invalidation (munmap, COW, ...)
 *   seq = mmu_interval_read_begin(mni)   waits while the    mn_itree_inv_start_range: mm seq |= 1 (odd)
 *                                        mm seq is odd and  ops->invalidate(mni, range, cur_seq):
 *                                        equals mni's seq     lock(driver); mmu_interval_set_seq(mni, cur_seq);
 *   hmm_range_fault(range)  (mmap_lock read)                  zap device ptes; unlock(driver)
 *   lock(driver)                                            ... primary ptes change ...
 *   if mmu_interval_read_retry(mni, seq): unlock, retry     mn_itree_inv_end: mm seq++ (even), wake waiters
 *   program the device from the snapshot; unlock(driver)
 * </pre>
 *
 * The device's mapping is valid from the unlock until the next {@code ->invalidate} takes the driver's lock.
 */
@Export
public final class MmuIntervalNotifier extends StateObject {
    private final int id;
    private final Mm mm;
    private final long start;
    private final long last;
    private final MmuIntervalNotifierOps ops;
    /** {@code interval_sub->invalidate_seq}. */
    long invalidateSeq;
    /** Inserted in the mm's tree (not only on the deferred list). */
    boolean inTree;
    boolean removed;

    MmuIntervalNotifier(int id, Mm mm, long start, long last, MmuIntervalNotifierOps ops) {
        this.id = id;
        this.mm = mm;
        this.start = start;
        this.last = last;
        this.ops = ops;
    }

    /** The notifier's number, unique in the machine, from 1. */
    @Export
    public int id() {
        return id;
    }

    @Export
    public Mm mm() {
        return mm;
    }

    /** The first address of the interval. */
    @Export
    public long start() {
        return start;
    }

    /** The last address of the interval (inclusive, as the kernel's interval tree keeps it). */
    @Export
    public long last() {
        return last;
    }

    @Export
    public MmuIntervalNotifierOps ops() {
        return ops;
    }

    /**
     * {@code mmu_interval_set_seq()}: called by {@code ->invalidate}, under the driver's lock, with the
     * {@code cur_seq} it was given; a later {@link MmuNotifiers#readRetry} then sees the change.
     */
    @Export
    public void setSeq(long curSeq) {
        invalidateSeq = curSeq;
    }

    /** {@code interval_sub->invalidate_seq}, for tests and traces. */
    @Export
    public long invalidateSeq() {
        return invalidateSeq;
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private MmuIntervalNotifier(MmuIntervalNotifier o, Copier c) {
        c.pair(o, this);
        this.id = o.id;
        this.mm = c.copy(o.mm);
        this.start = o.start;
        this.last = o.last;
        this.ops = c.copy(o.ops);
        this.invalidateSeq = o.invalidateSeq;
        this.inTree = o.inTree;
        this.removed = o.removed;
    }

    @Override
    public MmuIntervalNotifier copy(Copier c) {
        return new MmuIntervalNotifier(this, c);
    }
}
