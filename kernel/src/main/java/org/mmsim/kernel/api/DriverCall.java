package org.mmsim.kernel.api;

import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;

/**
 * A driver's entry point in progress ({@code ->unlocked_ioctl}, a device's page fault handler), cut at the points where
 * the driver sleeps or drops a lock, so that the explorer interleaves other threads there: the driver-side twin of the
 * kernel's own calls (see {@code KernelCall}). A subclass keeps what the driver keeps on its stack in fields, runs
 * from one point to the next in {@link #advance}, says what its next step waits for in {@link #blockedOn} (the
 * {@code mmap_lock} it takes, the wait queue {@code mmu_interval_read_begin} sleeps on), and copies itself with the
 * machine.
 */
@Export
public abstract class DriverCall extends KernelCall<Void> {

    /** A call named {@code name} (e.g. {@code "ib_uverbs_reg_mr"}) of a driver of {@code kernel}. */
    @Export
    protected DriverCall(Exports kernel, String name) {
        super(kernel.tracer(), kernel.footprint(), name);
    }

    /** A copy of {@code o} for a copied machine; the subclass copies its own fields after this. */
    @Export
    protected DriverCall(DriverCall o, Copier c) {
        super(o, c);
    }

    /** The point the call is stopped at: 0 at entry, else what {@link #stopAt} last said. */
    @Export
    protected final int point0() {
        return pc;
    }

    /** Stop at point {@code next}, described for traces by {@code format} and {@code args}. */
    @Export
    protected final void stopAt(int next, String format, Object... args) {
        at(next, format, args);
    }

    /** Return {@code value} (0, a count, or -errno): the call is over. */
    @Export
    protected final void returns(long value) {
        finish(value);
    }

    @Override
    public abstract DriverCall copy(Copier c);
}
