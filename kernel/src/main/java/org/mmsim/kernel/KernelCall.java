package org.mmsim.kernel;

/**
 * A system call in progress, cut at the kernel's preemption points: each {@link #step} runs the call from one
 * point to the next, atomically, and between two steps any other thread may run. A call that has not finished
 * may hold {@code mmap_lock} or a page-table lock across points, exactly where the kernel holds them; a step
 * that would take a lock someone else holds is not {@link #runnable}.
 *
 * <p>Design notes. The model has no threads: a call keeps what the kernel keeps on its stack (the loop
 * position, the pte it read, the flags it retries with) in fields, and {@code step} is a switch over named
 * points, each case a straight run of kernel code to the next point, in the manner of PlusCal labels. The
 * points are those of docs/explorer.md: lock acquire and release, every place a path drops a lock and
 * revalidates, each round of GUP's follow/fault loop, each pte of fork's copy and of zap, and each read of
 * GUP-fast's lockless walk. {@link #runToEnd} runs a call without interruption, which is how the sequential
 * front door ({@link Kernel#fork}, {@link Kernel#procMemWrite}, ...) runs the same code.
 *
 * <p>Lock order (as in the kernel): {@code mmap_lock} before the PTL; a call never waits for a lock while it
 * holds a PTL.
 */
public abstract class KernelCall {
    final Kernel k;
    /** The call's name as the kernel knows it, e.g. {@code "__access_remote_vm"}. */
    private final String name;
    /** The point the call is stopped at, i.e. where its next step begins. */
    int pc;
    /** Where the call stopped, as a format and its arguments: formatted only when someone asks (traces). */
    private String pointFormat = "entry";
    private Object[] pointArgs;
    private boolean done;
    long ret;

    KernelCall(Kernel k, String name) {
        this.k = k;
        this.name = name;
    }

    public final String name() {
        return name;
    }

    /** Whether the call has returned. */
    public final boolean done() {
        return done;
    }

    /** The return value, once {@link #done}. */
    public final long ret() {
        return ret;
    }

    /** The point the call is stopped at, for traces: e.g. {@code "after faultin_page"}. */
    public final String point() {
        return pointArgs == null ? pointFormat : String.format(pointFormat, pointArgs);
    }

    @Override
    public String toString() {
        return name + " @ " + point();
    }

    /** Whether the next step can run now: the locks it takes are free. */
    public abstract boolean runnable();

    /**
     * Run to the next preemption point.
     *
     * @throws IllegalStateException if the call is done or its next step is not runnable
     * @throws KernelBug when the kernel would oops
     */
    public final void step() {
        if (done || !runnable()) {
            throw new IllegalStateException(name + " at '" + point() + "' cannot step: "
                    + (done ? "it has returned" : "a lock it needs is held"));
        }
        advance();
    }

    /** The body of one step: kernel code from the current point to the next. */
    abstract void advance();

    /**
     * Record that the step stopped at {@code next}, described by {@code format} with {@code args} (a
     * {@link String#format} pattern; a sub-call passed as an argument prints its own point). Nothing is formatted
     * unless a trace asks for {@link #point()}: fork passes here once per pte.
     */
    final void at(int next, String format, Object... args) {
        pc = next;
        pointFormat = format;
        pointArgs = args.length == 0 ? null : args;
    }

    /** A sub-call, printed as the point it is stopped at now. */
    record SubPoint(KernelCall call) {
        @Override
        public String toString() {
            return call.point();
        }
    }

    /** A pte, printed as {@link Pte#describe} does, when a point's description is formatted. */
    record PteText(long pte) {
        @Override
        public String toString() {
            return Pte.describe(pte);
        }
    }

    /** Return {@code value}: the call is over. */
    final void finish(long value) {
        ret = value;
        done = true;
        pointFormat = "returned";
        pointArgs = null;
    }

    /** The call's own state (its point and the kernel-stack values it carries), for the explorer's fingerprint. */
    public final long fingerprint() {
        StateHasher h = new StateHasher().add(name).add(pc).add(done).add(ret);
        locals(h);
        return h.value();
    }

    /** Feed the call's carried values to {@code h}. */
    abstract void locals(StateHasher h);

    /** Run the call to its end without interruption, as the sequential front door does. */
    final long runToEnd() {
        while (!done) {
            step();
        }
        return ret;
    }

    // ---- lock helpers shared by the calls ---------------------------------------------------------------------

    /** {@code mmap_read_lock()} can be taken: no writer holds it. */
    static boolean mmapReadFree(Mm mm) {
        return !mm.mmapLockWriter;
    }

    /** {@code mmap_write_lock()} can be taken: nobody holds it. */
    static boolean mmapWriteFree(Mm mm) {
        return !mm.mmapLockWriter && mm.mmapLockReaders == 0;
    }

    final void mmapReadLock(Mm mm) {
        k.path("mmap_read_lock");
        mm.mmapLockReaders++;
    }

    final void mmapReadUnlock(Mm mm) {
        mm.mmapLockReaders--;
    }

    final void mmapWriteLock(Mm mm) {
        k.path("mmap_write_lock");
        mm.mmapLockWriter = true;
    }

    final void mmapWriteUnlock(Mm mm) {
        mm.mmapLockWriter = false;
    }
}
