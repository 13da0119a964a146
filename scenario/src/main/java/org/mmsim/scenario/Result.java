package org.mmsim.scenario;

import java.util.List;
import org.mmsim.kernel.Violation;

/**
 * The verdict for one scenario under one kernel: the outcome over all explored executions, the expectation it
 * was held to (null if the scenario names none for this kernel), the real kernel's known behaviour (null if the
 * scenario records none), whether both held, and the violations.
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
        List<Violation> violations) {

    /** The expectation's word, or "-" when there is none. */
    public String expected() {
        return expectation == null ? "-" : expectation.word();
    }

    /** Whether mmsim agrees with the real kernel's known behaviour; true when nothing is known for this kernel. */
    public boolean agreesWithKnown() {
        return known == null || known.admits(outcome);
    }
}
