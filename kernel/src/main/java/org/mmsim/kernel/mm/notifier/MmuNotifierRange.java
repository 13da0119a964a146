package org.mmsim.kernel.mm.notifier;

import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.mm.Mm;

/**
 * {@code struct mmu_notifier_range}: [start, end) of {@code mm} being invalidated, why, and whether the callbacks may
 * sleep ({@code MMU_NOTIFIER_RANGE_BLOCKABLE}; only the OOM reaper invalidates non-blockably). {@code owner} is the
 * {@code owner} field of MIGRATE and EXCLUSIVE ranges (null otherwise), which lets the driver that caused them skip
 * its own invalidation.
 */
@Export
public record MmuNotifierRange(Mm mm, long start, long end, MmuNotifierEvent event, boolean blockable, Object owner) {

    /** A blockable range with no owner, as {@code mmu_notifier_range_init(&range, event, 0, mm, start, end)} makes. */
    public static MmuNotifierRange of(MmuNotifierEvent event, Mm mm, long start, long end) {
        return new MmuNotifierRange(mm, start, end, event, true, null);
    }

    /** Whether [start, end) overlaps [{@code from}, {@code to}). */
    @Export
    public boolean overlaps(long from, long to) {
        return start < to && from < end;
    }
}
