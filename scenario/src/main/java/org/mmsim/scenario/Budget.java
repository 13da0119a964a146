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
 */
public final class Budget {
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

    /** The budget ran out after {@link #steps} steps of the run. */
    public static final class Exhausted extends StepAbandoned {
        private static final long serialVersionUID = 1L;
        private final double seconds;
        private final int steps;
        private final transient Execution partial;

        Exhausted(double seconds, int steps) {
            this(seconds, steps, null);
        }

        private Exhausted(double seconds, int steps, Execution partial) {
            super(String.format("stopped by --max-seconds %s after %d steps", fmt(seconds), steps));
            this.seconds = seconds;
            this.steps = steps;
            this.partial = partial;
        }

        /** The same, carrying the record of the run so far. */
        Exhausted with(Execution e) {
            return new Exhausted(seconds, steps, e);
        }

        /** How many steps ran before the budget stopped the run. */
        public int steps() {
            return steps;
        }

        /** The record of the run up to where it stopped (not finished), or null. */
        public Execution partial() {
            return partial;
        }

        private static String fmt(double s) {
            return s == Math.rint(s) ? Long.toString((long) s) : Double.toString(s);
        }
    }
}
