package org.mmsim.kernel.sched;

import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.Footprint;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.trace.Tracer;

/**
 * A kernel call with no preemption point inside: the whole call is one step. The call says which locks its body
 * takes ({@link Needs}); the body takes and releases them itself, where the kernel code does, through the lock
 * objects.
 *
 * @param <R> what the call makes besides its return value, or {@link Void}
 */
public final class Syscall<R> extends KernelCall<R> {
    /** What the one step waits for: the first lock its body takes that is not free, or null. */
    @FunctionalInterface
    public interface Needs {
        Acquire blockedOn();
    }

    /** The kernel code of the call; it returns the call's value and may hand back what it made. */
    @FunctionalInterface
    public interface Body<R> {
        long run(Syscall<R> call);
    }

    /** A call that takes no lock a suspended call could hold. */
    public static final Needs NO_LOCKS = () -> null;

    private final Needs needs;
    private final Body<R> body;
    private R made;

    public Syscall(Tracer trace, Footprint footprint, String name, Needs needs, Body<R> body) {
        super(trace, footprint, name);
        this.needs = needs;
        this.body = body;
    }

    /** A call confined to its caller's mm for the explorer's reduction (see {@link KernelCall#touchesOnlyItsMm}). */
    public Syscall<R> confined() {
        touchesOnlyItsMm();
        return this;
    }

    /** For the body: what the call made. */
    public void made(R r) {
        this.made = r;
    }

    @Override
    public Acquire blockedOn() {
        return needs.blockedOn();
    }

    @Override
    protected void advance() {
        long r = body.run(this);
        finish(r, made);
    }

    @Override
    protected void locals(StateHasher h) {
        // one step: nothing is carried between points
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private Syscall(Syscall<R> o, Copier c) {
        super(o, c);
        this.needs = o.needs;
        this.body = o.body;
        this.made = c.copy(o.made);
    }

    /**
     * A returned system call (its return and result) for a copied machine. One that has not run cannot be copied:
     * its body holds the original machine's objects; whoever made it makes it again in the copy.
     */
    @Override
    public Syscall<R> copy(Copier c) {
        if (!done()) {
            throw new IllegalStateException(name() + " has not run: make it again in the copied machine");
        }
        return new Syscall<>(this, c);
    }
}
