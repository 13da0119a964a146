package org.mmsim.kernel.mm.notifier;

import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.mm.Mm;

/**
 * {@code struct mmu_notifier_ops}: what a secondary MMU (KVM, an IOMMU sharing the CPU page tables, a GPU driver)
 * is told about the primary MMU. Every hook is optional, as in the kernel. {@code change_pte} is not modelled: it
 * was called inside a start/end pair that had already zapped the secondary pte, and 6.10 (997308f9ae72) removed it.
 */
@Export
public interface MmuNotifierOps {

    /** The ops table's name, for traces: e.g. {@code "kvm_mmu_notifier_ops"}. */
    String name();

    /**
     * {@code ->release}: the mm is going away ({@code exit_mmap}, before its page tables are torn down) or the
     * subscription is being unregistered before that; stop every secondary access. No callback follows.
     */
    default void release(MmuNotifier sub, Mm mm) {}

    /**
     * {@code ->invalidate_range_start}: drop the secondary mappings of the range and do not re-establish them until
     * the matching end. A non-blockable range must not sleep: return -EAGAIN instead.
     *
     * @return 0, or -EAGAIN (non-blockable ranges only)
     */
    default int invalidateRangeStart(MmuNotifier sub, MmuNotifierRange range) {
        return 0;
    }

    /** {@code ->invalidate_range_end}: the primary ptes have changed and the CPU TLBs are flushed. */
    default void invalidateRangeEnd(MmuNotifier sub, MmuNotifierRange range) {}

    /**
     * {@code ->clear_flush_young}: age the secondary ptes of [start, end) of {@code mm}; whether any was young
     * ({@code ptep_clear_flush_young_notify}, from the rmap walks of reclaim and page_idle).
     */
    default boolean clearFlushYoung(MmuNotifier sub, Mm mm, long start, long end) {
        return false;
    }
}
