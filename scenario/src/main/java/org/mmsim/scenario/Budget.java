package org.mmsim.scenario;

import java.util.function.LongSupplier;
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
 * terabyte machine, {@code MADV_POPULATE_WRITE} over all of it). The runner catches the {@link OutOfMemoryError},
 * lets go of the machine and throws {@link Exhausted} with reason {@link #HEAP} ({@link #outOfHeap}), with no record
 * of the run, since the machine that filled the heap is what must go before anything more can be made.
 */
public final class Budget {
    /** {@link Exhausted#reason} of a run stopped by the time limit, as the explorer names it. */
    public static final String MAX_SECONDS = "max-seconds";
    /** {@link Exhausted#reason} of a run that ran out of heap, as the explorer names its heap limit. */
    public static final String HEAP = "heap";
    /** No limit. */
    public static final Budget NONE = new Budget(0, 0, null);

    private final double seconds;
    private final long deadline;
    private final LongSupplier clock;

    private Budget(double seconds, long deadline, LongSupplier clock) {
        this.seconds = seconds;
        this.deadline = deadline;
        this.clock = clock;
    }

    /** A budget of {@code seconds} from now on {@code clock} (nanoseconds); 0 seconds: none. */
    public static Budget of(double seconds, LongSupplier clock) {
        if (!(seconds > 0) || seconds * 1e9 >= Long.MAX_VALUE / 2.0) {
            return NONE; // 0 (or NaN): no limit; beyond about 146 years: none either
        }
        return new Budget(seconds, clock.getAsLong() + (long) (seconds * 1e9), clock);
    }

    /** Throw {@link Exhausted} if the deadline has passed; {@code steps}: how many steps the run has taken. */
    void check(int steps) {
        if (clock != null && clock.getAsLong() - deadline > 0) {
            throw new Exhausted(seconds, steps);
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
        private final double seconds;
        private final int steps;
        private final transient Execution partial;
        private final String reason;

        Exhausted(double seconds, int steps) {
            this(seconds, steps, null, MAX_SECONDS);
        }

        private Exhausted(double seconds, int steps, Execution partial, String reason) {
            super(reason.equals(HEAP)
                    ? String.format("stopped: the heap ran out (the JVM's maximum, %d MB) after %s",
                            Runtime.getRuntime().maxMemory() >> 20, steps(steps))
                    : String.format("stopped by --max-seconds %s after %s", fmt(seconds), steps(steps)));
            this.seconds = seconds;
            this.steps = steps;
            this.partial = partial;
            this.reason = reason;
        }

        /** The same, carrying the record of the run so far. */
        Exhausted with(Execution e) {
            return new Exhausted(seconds, steps, e, reason);
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

        private static String steps(int n) {
            return n == 1 ? "1 step" : n + " steps";
        }

        private static String fmt(double s) {
            return s == Math.rint(s) ? Long.toString((long) s) : Double.toString(s);
        }
    }
}
