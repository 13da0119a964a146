package org.mmsim.kernel.locking;

import org.mmsim.kernel.export.Export;

/**
 * A lock taken in one mode (an rw_semaphore for read or for write, a spinlock): what a kernel call's next step
 * {@code needs()}, and whether it could take it now. Each lock makes its acquisitions once, so asking costs no
 * allocation on the explorer's hot path.
 */
@Export
public abstract class Acquire {
    private final String lock;
    private final int owner;
    private final String mode;

    /** Taking lock {@code lock} (e.g. {@code "mmap_lock"}) of mm {@code owner} in {@code mode}. */
    Acquire(String lock, int owner, String mode) {
        this.lock = lock;
        this.owner = owner;
        this.mode = mode;
    }

    /** Whether the lock could be taken in this mode now. */
    public abstract boolean available();

    /** This acquisition if it cannot be made now, else null: what a step that takes only this lock waits for. */
    public final Acquire blocked() {
        return available() ? null : this;
    }

    /** The first of {@code a}, {@code b} (either may be null: none) that cannot be made now, or null. */
    public static Acquire first(Acquire a, Acquire b) {
        if (a != null && !a.available()) {
            return a;
        }
        return b != null && !b.available() ? b : null;
    }

    /** The lock, e.g. {@code "mmap_lock of mm 1"}. */
    public String lock() {
        return lock + " of mm " + owner;
    }

    /** {@code "read"}, {@code "write"} or {@code "lock"}. */
    public String mode() {
        return mode;
    }

    @Override
    public String toString() {
        return lock() + (mode.equals("lock") ? "" : " for " + mode);
    }
}
