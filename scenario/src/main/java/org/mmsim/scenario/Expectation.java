package org.mmsim.scenario;

import java.util.Set;

/**
 * {@code expect KERNEL... WORD}: what the condition should do under a kernel. WORD is an outcome
 * ({@code always}, {@code sometimes}, {@code never}) or {@code allowed} (not never: the bad outcome is reachable)
 * or {@code forbidden} (never).
 */
public record Expectation(String kernel, String word, int line) {
    static final Set<String> WORDS = Set.of("always", "sometimes", "never", "allowed", "forbidden");

    public boolean admits(Outcome o) {
        return admits(word, o);
    }

    /** Whether {@code word} (one of {@link #WORDS}) admits outcome {@code o}; shared with {@link Known}. */
    static boolean admits(String word, Outcome o) {
        return switch (word) {
            case "allowed" -> o != Outcome.NEVER;
            case "forbidden" -> o == Outcome.NEVER;
            default -> o.word().equals(word);
        };
    }

    /** Whether the author expects the bad outcome to be reachable (so invariant violations are expected too). */
    public boolean expectsBug() {
        return !word.equals("never") && !word.equals("forbidden");
    }
}
