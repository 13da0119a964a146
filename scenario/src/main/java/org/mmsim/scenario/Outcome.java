package org.mmsim.scenario;

import java.util.Locale;

/** How many executions satisfied the condition: all of them, some, or none. */
public enum Outcome {
    ALWAYS,
    SOMETIMES,
    NEVER;

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
