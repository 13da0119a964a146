package org.mmsim.kernel.trace;

/**
 * The kernel's instrumentation point: where mechanisms report the functions they enter and the changes they make,
 * and where top-level kernel calls report that they returned. With no journal attached, {@link #path} is one branch
 * and call sites test {@link #on()} before they build a {@link Change}, so an untraced run builds no trace data at
 * all.
 *
 * <p>Not machine state: what is attached is the observer's business, and the nesting depth is always 0 between
 * two top-level calls.
 */
public final class Tracer {
    /** Told when a kernel call run to its end from outside the kernel (not one nested in another) has returned. */
    @FunctionalInterface
    public interface CallObserver {
        void returned(String call);
    }

    /** How many kernel functions are entered between two calls of the watchdog. */
    static final int WATCHDOG_PERIOD = 1 << 14;

    private Journal journal;
    private CallObserver observer;
    private int depth;
    private Runnable watchdog;
    private int sinceWatchdog;

    /** Attach {@code j} (null detaches): it sees every path and change from now on. */
    public void attach(Journal j) {
        this.journal = j;
    }

    /** Tell {@code o} (null: nobody) whenever a top-level kernel call returns. */
    public void observeCalls(CallObserver o) {
        this.observer = o;
    }

    /** Whether a journal is attached: call sites build a {@link Change} only then. */
    public boolean on() {
        return journal != null;
    }

    /**
     * Run {@code w} (null: nothing) after every {@value #WATCHDOG_PERIOD} kernel functions entered: the one way a time
     * budget reaches inside a long step (MAP_POPULATE of gigabytes, a fork that copies millions of ptes). It may
     * throw, abandoning the step and the machine with it; it must not change the machine.
     */
    public void watchdog(Runnable w) {
        this.watchdog = w;
        this.sinceWatchdog = 0;
    }

    /** A modelled kernel function was entered. */
    public void path(String function) {
        if (watchdog != null && ++sinceWatchdog >= WATCHDOG_PERIOD) {
            sinceWatchdog = 0;
            watchdog.run();
        }
        if (journal != null) {
            journal.path(function);
        }
    }

    /** Record {@code c}; callers on hot paths test {@link #on()} first, so that they do not build it in vain. */
    public void record(Change c) {
        if (journal != null) {
            journal.change(c);
        }
    }

    /** Whether a kernel call is being run to its end right now (so a step taken now is nested in it). */
    public boolean nested() {
        return depth > 0;
    }

    /** A kernel call is being run to its end. */
    public void enterCall() {
        depth++;
    }

    /**
     * The call {@link #enterCall} announced is over: it returned, or ({@code returned} false) it threw. If it was the
     * outermost and returned, tell the observer; a call that threw has not returned, and an observer that ran then
     * could hide the exception behind one of its own.
     */
    public void exitCall(String call, boolean returned) {
        if (--depth == 0 && returned && observer != null) {
            observer.returned(call);
        }
    }
}
