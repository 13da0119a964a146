package org.mmsim.kernel.sched;

import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.locking.WaitEvent;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.Footprint;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.trace.Tracer;

/**
 * A system call or kernel entry point in progress, cut at the kernel's preemption points: each {@link #step} runs
 * the call from one point to the next, atomically, and between two steps any other thread may run. A call that has
 * not finished may hold {@code mmap_lock} or a page-table lock across points, exactly where the kernel holds them;
 * {@link #blockedOn} names the lock its next step would take and cannot, so whoever schedules threads asks the call,
 * never a table of its own.
 *
 * <p>Design notes. The model has no threads: a call keeps what the kernel keeps on its stack (the loop position,
 * the pte it read, the flags it retries with) in fields, and {@code advance} is a switch over named points, each case
 * a straight run of kernel code to the next point, in the manner of PlusCal labels. The points are those of
 * docs/explorer.md: lock acquire and release, every place a path drops a lock and revalidates, each round of GUP's
 * follow/fault loop, each pte of fork's copy and of zap, and each read of GUP-fast's lockless walk. A system call
 * with no point inside is a {@link Syscall}: one step. {@link #run} runs a call without interruption, which is how
 * the sequential front door and nested kernel code run the same code.
 *
 * <p>Lock order (as in the kernel, see {@code org.mmsim.kernel.locking}): {@code mmap_lock} before the PTL; a call
 * never waits for a lock while it holds a PTL.
 *
 * @param <R> what the call returns besides its {@code long} return value (the pages of a GUP, the child of a fork),
 *     or {@link Void}
 */
public abstract class KernelCall<R> extends StateObject {
    protected final Tracer trace;
    private final Footprint footprint;
    /** The call's name as the kernel knows it, e.g. {@code "__access_remote_vm"}. */
    private final String name;
    /** The point the call is stopped at, i.e. where its next step begins. */
    protected int pc;
    /** Where the call stopped, as a format and its arguments: formatted only when someone asks (traces). */
    private String pointFormat = "entry";
    private Object[] pointArgs;
    private boolean done;
    private long ret;
    private R result;
    /** The id of the mm of the task that made the call ({@code current->mm}), or 0 if none is known. */
    private int current;
    /** Whether, besides frames, the call touches only the page table, VMAs and fields of its caller's mm. */
    private boolean local;

    protected KernelCall(Tracer trace, Footprint footprint, String name) {
        this.trace = trace;
        this.footprint = footprint;
        this.name = name;
    }

    @Export
    public final String name() {
        return name;
    }

    /** Whether the call has returned. */
    @Export
    public final boolean done() {
        return done;
    }

    /** The return value, once {@link #done}: a count, an address, a pid, 0, or -errno. */
    @Export
    public final long ret() {
        return ret;
    }

    /** What the call made, once done (null if it made nothing: it failed, or has no such result). */
    @Export
    public final R result() {
        return result;
    }

    /** The point the call is stopped at, for traces: e.g. {@code "after faultin_page"}. */
    public final String point() {
        return pointArgs == null ? pointFormat : String.format(pointFormat, pointArgs);
    }

    @Override
    public String toString() {
        return name + " @ " + point();
    }

    /**
     * What the next step waits for: the first lock it would take that is not free now (in the order it takes them),
     * or null if the step can run. Computed by the call from the point it is at, so it stays true when the kernel
     * code changes.
     */
    @Export
    public abstract Acquire blockedOn();

    /**
     * Run to the next preemption point. A step taken from outside the kernel records its footprint besides what the
     * frames and page tables record: the caller's mm ({@link #current}), which stands for its VMA tree, and, unless
     * the call is confined to that mm ({@link #touchesOnlyItsMm}), "anything" ({@code Footprint.GLOBAL}).
     *
     * @throws IllegalStateException if the call is done or its next step is not runnable
     * @throws SleepsForever if it sleeps on a wait queue (only a call run to its end steps one then)
     * @throws org.mmsim.kernel.bug.KernelBug when the kernel would oops
     */
    @Export
    public final void step() {
        if (done || blockedOn() != null) {
            if (!done && blockedOn() instanceof WaitEvent w) {
                // only a call run to its end, nothing else running, steps a sleeping call: nobody could wake it
                throw new SleepsForever(name, w);
            }
            throw new IllegalStateException(name + " at '" + point() + "' cannot step: "
                    + (done ? "it has returned" : "it waits for " + blockedOn()));
        }
        advance();
        if (footprint.on() && !trace.nested()) {
            if (current > 0) {
                footprint.mm(current);
            }
            if (!local || current <= 0) {
                footprint.global();
            }
        }
    }

    /** The body of one step: kernel code from the current point to the next. */
    protected abstract void advance();

    /**
     * The call is made by a task of mm {@code mmId} ({@code current->mm}), the one whose VMAs it reads. Returns the
     * call.
     */
    public final KernelCall<R> current(int mmId) {
        this.current = mmId;
        return this;
    }

    /**
     * Declare that besides frames and page tables (whose footprints they record themselves) the call reads and writes
     * only the VMAs and fields of its caller's mm: a step of it commutes with steps confined to other mms. Calls that
     * do not declare this are "anything" to the explorer's reduction.
     */
    protected final void touchesOnlyItsMm() {
        this.local = true;
    }

    /**
     * Record that the step stopped at {@code next}, described by {@code format} with {@code args} (a
     * {@link String#format} pattern; a sub-call passed as an argument prints its own point). Nothing is formatted
     * unless a trace asks for {@link #point()}: fork passes here once per pte.
     */
    protected final void at(int next, String format, Object... args) {
        pc = next;
        pointFormat = format;
        pointArgs = args.length == 0 ? null : args;
    }

    /** A sub-call, printed as the point it is stopped at now. */
    public record SubPoint(KernelCall<?> call) {
        @Override
        public String toString() {
            return call.point();
        }
    }

    /** Return {@code value}: the call is over. */
    protected final void finish(long value) {
        finish(value, null);
    }

    /** Return {@code value} and {@code made}: the call is over. */
    protected final void finish(long value, R made) {
        ret = value;
        result = made;
        done = true;
        pointFormat = "returned";
        pointArgs = null;
    }

    /** The call's own state (its point and the kernel-stack values it carries), for the explorer's fingerprint. */
    @Export
    public final long fingerprint() {
        StateHasher h = new StateHasher().add(name).add(pc).add(done).add(ret);
        locals(h);
        return h.value();
    }

    /** Feed the call's carried values to {@code h}. */
    protected abstract void locals(StateHasher h);

    /**
     * Run the call to its end without interruption, as the sequential front door and nested kernel code do. Nothing
     * else runs meanwhile, so no lock can be held by anyone else (a lock taken twice is a {@code lock_order} bug), and
     * a wait on a wait queue whose condition does not hold would never end: a call run so that steps a call it made
     * which sleeps there throws {@link SleepsForever} (from that call's {@link #step}).
     *
     * @return {@link #ret()}
     */
    @Export
    public final long run() {
        trace.enterCall();
        boolean returned = false;
        try {
            while (!done) {
                advance();
            }
            returned = true;
        } finally {
            trace.exitCall(name, returned);
        }
        return ret;
    }

    /** {@link #run} the call, then return what it made ({@link #result()}). */
    @Export
    public final R complete() {
        run();
        return result;
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    /**
     * A copy of {@code o} for a copied machine: its point, return, result and flags; the subclass copies its locals.
     * Pairs the copy with {@code o} first, so that calls and state that refer back to it get the copy.
     */
    protected KernelCall(KernelCall<R> o, Copier c) {
        c.pair(o, this);
        this.trace = c.copy(o.trace);
        this.footprint = c.copy(o.footprint);
        this.name = o.name;
        this.pc = o.pc;
        this.pointFormat = o.pointFormat;
        if (o.pointArgs != null) {
            this.pointArgs = new Object[o.pointArgs.length];
            for (int i = 0; i < pointArgs.length; i++) {
                Object a = o.pointArgs[i];
                pointArgs[i] = a instanceof SubPoint sp ? new SubPoint(c.copy(sp.call())) : c.copy(a);
            }
        }
        this.done = o.done;
        this.ret = o.ret;
        this.result = c.copy(o.result);
        this.current = o.current;
        this.local = o.local;
    }

    /** This call, stopped where it is, in the machine {@code c} is copying. */
    @Override
    public abstract KernelCall<R> copy(Copier c);
}
