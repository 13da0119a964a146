package org.mmsim.kernel.locking;

import java.util.function.BooleanSupplier;
import org.mmsim.kernel.export.Export;

/**
 * {@code wait_event(wq, condition)}: what a call waits for when it sleeps on a wait queue rather than a lock, e.g.
 * {@code mmu_interval_read_begin} while its range is being invalidated. It can "be taken" once the condition holds.
 */
public final class WaitEvent extends Acquire {
    private final BooleanSupplier condition;

    /** Waiting on wait queue {@code queue} of mm {@code owner} until {@code condition} holds. */
    @Export
    public WaitEvent(String queue, int owner, BooleanSupplier condition) {
        super(queue, owner, "wait");
        this.condition = condition;
    }

    @Override
    public boolean available() {
        return condition.getAsBoolean();
    }

    @Override
    public String toString() {
        return "wait_event(" + lock() + ")";
    }
}
