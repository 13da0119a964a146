package org.mmsim.scenario;

import java.util.List;
import org.mmsim.kernel.Violation;

/**
 * The verdict for one scenario under one kernel: the outcome over all explored executions, the expectation it
 * was held to (null if the scenario names none for this kernel) and whether it held, and the violations.
 */
public record Result(
        Scenario scenario,
        String kernel,
        Outcome outcome,
        long executions,
        long satisfied,
        Expectation expectation,
        boolean ok,
        List<Violation> violations) {

    /** The expectation's word, or "-" when there is none. */
    public String expected() {
        return expectation == null ? "-" : expectation.word();
    }
}
