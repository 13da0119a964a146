package org.mmsim.scenario;

import java.util.List;
import org.mmsim.kernel.bug.Violation;

/**
 * The verdict for one scenario under one kernel: the outcome over all explored executions, the expectation it
 * was held to (null if the scenario names none for this kernel), the real kernel's known behaviour (null if the
 * scenario records none), whether both held, and the violations. A scenario with concurrent threads is explored:
 * {@code states} distinct states, {@code executions} explored executions (with reduction, those the sleep sets
 * left), {@code seconds} of search, and a shortest {@code witness} schedule when the condition can hold; a
 * sequential scenario is one execution of one... state count 1.
 *
 * @param stopReason null, or the budget that stopped exploration ("max-states", "max-seconds", "heap",
 *     "interrupted"); the outcome is then {@link Outcome#INCONCLUSIVE} unless it was already settled
 */
public record Result(
        Scenario scenario,
        String kernel,
        Outcome outcome,
        long executions,
        long satisfied,
        Expectation expectation,
        Known known,
        boolean ok,
        List<Violation> violations,
        long states,
        int depth,
        double seconds,
        int[] witness,
        String stopReason) {

    /** The expectation's word, or "-" when there is none. */
    public String expected() {
        return expectation == null ? "-" : expectation.word();
    }

    /** Whether mmsim agrees with the real kernel's known behaviour; true when nothing is known for this kernel. */
    public boolean agreesWithKnown() {
        return known == null || known.admits(outcome);
    }
}
