package org.mmsim.scenario;

import java.util.function.LongSupplier;
import org.mmsim.explore.HeapLimit;
import org.mmsim.explore.StepAbandoned;

/**
 * A time budget for the work a run does where the explorer's own checks, made between states, cannot reach: a
 * sequential scenario from start to end, the script before a concurrent scenario's first group of threads (the
 * explorer's initial state), and the inside of every step, through the kernel's watchdog (a step that populates
 * gigabytes). The runner asks it after every step and the watchdog every few thousand kernel functions; past the
 * deadline the run stops with {@link Exhausted}: {@code check} reports the outcome inconclusive (exit 4), {@code run}
 * the steps so far, and the explorer, for which it is a {@link org.mmsim.explore.StepAbandoned}, stops as at its own
 * time limit with what it found. The clock is the explorer options' (injected in tests), so a run without a budget
 * reads no clock at all.
 *
 * <p>The heap is the other limit such a run can reach: a script that populates more memory than the JVM has (a
 * terabyte machine, {@code MADV_POPULATE_WRITE} over all of it). A budget made with a heap fraction
 * ({@code --max-heap}, as the explorer's) stops the run with reason {@link #HEAP} once the used heap stays above that
 * fraction of the maximum after a full collection ({@link HeapLimit}), checked where the time is. Only the work of one
 * thread may be checked so ({@link #timeOnly} is what a search's machines share). Should the heap run out all the
 * same, between two checks, the runner catches the {@link OutOfMemoryError}, lets go of the machine and throws
 * {@link Exhausted} with reason {@link #HEAP} ({@link #outOfHeap}), with no record of the run, since the machine that
 * filled the heap is what must go before anything more can be made.
 */
public final class Budget {
    /** {@link Exhausted#reason} of a run stopped by the time limit, as the explorer names it. */
    public static final String MAX_SECONDS = "max-seconds";
    /** {@link Exhausted#reason} of a run that ran out of heap, as the explorer names its heap limit. */
    public static final String HEAP = "heap";
    /** No limit. */
    public static final Budget NONE = new Budget(0, 0, null, 1);

    private final double seconds;
    private final long deadline;
    private final LongSupplier clock;
    /** The fraction of the maximum heap a run may keep in use (1 or more: no limit), and the limit it makes. */
    private final double heapFraction;
    private final HeapLimit heap;

    private Budget(double seconds, long deadline, LongSupplier clock, double heapFraction) {
        this.seconds = seconds;
        this.deadline = deadline;
        this.clock = clock;
        this.heapFraction = heapFraction;
        this.heap = new HeapLimit(heapFraction);
    }

    /**
     * A budget of {@code seconds} from now on {@code clock} (nanoseconds; 0 seconds: no time limit) and of
     * {@code heapFraction} of the maximum heap (1 or more: no heap limit), for the work of one thread.
     */
    public static Budget of(double seconds, double heapFraction, LongSupplier clock) {
        // 0 (or NaN) seconds: no limit; beyond about 146 years: none either
        boolean timed = seconds > 0 && seconds * 1e9 < Long.MAX_VALUE / 2.0;
        if (!timed && !(heapFraction < 1)) {
            return NONE;
        }
        return timed ? new Budget(seconds, clock.getAsLong() + (long) (seconds * 1e9), clock, heapFraction)
                : new Budget(0, 0, null, heapFraction);
    }

    /** This budget's deadline without its heap limit: what the machines of a search, stepped by workers, share. */
    Budget timeOnly() {
        return heap.none() ? this : clock == null ? NONE : new Budget(seconds, deadline, clock, 1);
    }

    /**
     * Throw {@link Exhausted} if the deadline has passed, or the heap is over its limit after a full collection;
     * {@code steps}: how many steps the run has taken.
     */
    void check(int steps) {
        if (clock != null && clock.getAsLong() - deadline > 0) {
            throw new Exhausted(seconds, steps);
        }
        if (heap.exceeded()) {
            throw new Exhausted(heapFraction, steps, null, HEAP);
        }
    }

    /**
     * The heap ran out {@code steps} steps into a run, whose machine the caller has already let go of: what to throw
     * (made after the machine is unreachable, so that there is room to make it).
     */
    static Exhausted outOfHeap(int steps) {
        return new Exhausted(0, steps, null, HEAP);
    }

    /** The budget ran out after {@link #steps} steps of the run. */
    public static final class Exhausted extends StepAbandoned {
        private static final long serialVersionUID = 1L;
        /** The --max-seconds, or the --max-heap fraction, that ran out; 0 for a heap that ran out entirely. */
        private final double limit;
        private final int steps;
        private final transient Execution partial;
        private final String reason;

        Exhausted(double seconds, int steps) {
            this(seconds, steps, null, MAX_SECONDS);
        }

        private Exhausted(double limit, int steps, Execution partial, String reason) {
            super(message(limit, steps, reason));
            this.limit = limit;
            this.steps = steps;
            this.partial = partial;
            this.reason = reason;
        }

        /** The same, carrying the record of the run so far. */
        Exhausted with(Execution e) {
            return new Exhausted(limit, steps, e, reason);
        }

        /** What ran out: {@link #MAX_SECONDS} or {@link #HEAP}. */
        public String reason() {
            return reason;
        }

        @Override
        public boolean outOfHeap() {
            return reason.equals(HEAP);
        }

        /** How many steps ran before the budget stopped the run. */
        public int steps() {
            return steps;
        }

        /** The record of the run up to where it stopped (not finished), or null (always after {@link #HEAP}). */
        public Execution partial() {
            return partial;
        }

        private static String message(double limit, int steps, String reason) {
            long max = Runtime.getRuntime().maxMemory() >> 20;
            if (!reason.equals(HEAP)) {
                return String.format("stopped by --max-seconds %s after %s", fmt(limit), steps(steps));
            }
            return limit > 0 ? String.format("stopped by --max-heap %s (more than %d MB of the JVM's %d MB in use after"
                    + " a full collection) after %s", fmt(limit), (long) (max * limit), max, steps(steps))
                    : String.format("stopped: the heap ran out (the JVM's maximum, %d MB) after %s", max, steps(steps));
        }

        private static String steps(int n) {
            return n == 1 ? "1 step" : n + " steps";
        }

        private static String fmt(double s) {
            return s == Math.rint(s) ? Long.toString((long) s) : Double.toString(s);
        }
    }
}
