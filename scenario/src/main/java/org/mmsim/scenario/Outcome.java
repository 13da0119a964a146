package org.mmsim.scenario;

import java.util.Locale;

/**
 * How many executions satisfied the condition: all of them, some, or none; or, when exploration stopped at a
 * budget before that was settled, inconclusive.
 */
public enum Outcome {
    ALWAYS,
    SOMETIMES,
    NEVER,
    /** The explorer stopped at a budget before it could tell. */
    INCONCLUSIVE;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** From satisfied and total execution counts. */
    public static Outcome of(long satisfied, long executions) {
        if (satisfied == 0) {
            return NEVER;
        }
        return satisfied == executions ? ALWAYS : SOMETIMES;
    }
}
