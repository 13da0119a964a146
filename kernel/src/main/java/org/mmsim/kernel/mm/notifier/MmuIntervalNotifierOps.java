package org.mmsim.kernel.mm.notifier;

import org.mmsim.kernel.export.Export;

/** {@code struct mmu_interval_notifier_ops}: the one callback of an interval notifier. */
@Export
public interface MmuIntervalNotifierOps {

    /** The ops table's name, for traces: e.g. {@code "ib_umem_notifiers"}. */
    String name();

    /**
     * {@code ->invalidate}: [range) overlaps the notifier's interval. Under the driver's own lock, call
     * {@link MmuIntervalNotifier#setSeq} with {@code curSeq}, then tear down the device's mappings.
     *
     * @return true, or false if the range is not blockable and the driver would have to sleep
     */
    boolean invalidate(MmuIntervalNotifier mni, MmuNotifierRange range, long curSeq);
}
