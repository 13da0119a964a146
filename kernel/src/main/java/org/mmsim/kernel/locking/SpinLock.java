package org.mmsim.kernel.locking;

import org.mmsim.kernel.bug.KernelBug;
import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;

/**
 * {@code spinlock_t}, as the page-table lock uses it. Held across preemption points only by a call suspended inside
 * a pte-lock section (fork between its check and its write-protect, zap between two ptes of one table); taking it
 * while it is held is a model bug, reported as {@code lock_order}.
 */
@Export
public final class SpinLock extends StateObject implements Hashable {
    private final String name;
    private final int owner;
    private boolean locked;
    private final Acquire acquire;

    /** The spinlock {@code name} (e.g. {@code "pte lock"}) of object {@code owner} (e.g. an mm id). */
    public SpinLock(String name, int owner) {
        this.name = name;
        this.owner = owner;
        this.acquire = new Acquire(name, owner, "lock") {
            @Override
            public boolean available() {
                return !locked;
            }
        };
    }

    /** Taking it ({@code spin_lock}). */
    public Acquire acquire() {
        return acquire;
    }

    /** {@code spin_is_locked}, {@code lockdep_is_held}: for assertions such as {@code dma_resv_assert_held}. */
    public boolean held() {
        return locked;
    }

    /** {@code spin_lock}: a model bug if it is already held (the model has one CPU per step). */
    public void lock() {
        if (locked) {
            throw new KernelBug("lock_order", name + " of mm " + owner + " taken while held");
        }
        locked = true;
    }

    /** {@code spin_unlock}: a model bug if it is not held. */
    public void unlock() {
        if (!locked) {
            throw new KernelBug("lock_order", name + " of mm " + owner + " released but not held");
        }
        locked = false;
    }

    @Override
    public void hashInto(StateHasher h) {
        h.add(word());
    }

    /** Whether it is held, as one value, for a record that holds the lock ({@code Mm}'s). */
    public long word() {
        return locked ? 1 : 0;
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    @Override
    public SpinLock copy(Copier c) {
        SpinLock s = c.pair(this, new SpinLock(name, owner));
        s.locked = locked;
        c.pair(acquire, s.acquire);
        return s;
    }
}
