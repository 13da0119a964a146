package org.mmsim.scenario;

/**
 * {@code known KERNEL... WORD "SOURCE"}: what the real kernel is known to do with the scenario's condition, and
 * where that fact comes from (a selftest run, a bug report, a commit). An {@link Expectation} says what mmsim
 * should do; a known fact says what Linux did. Where both exist for a kernel they should agree, and
 * {@code mmsim fidelity} tabulates where they do.
 *
 * <p>WORD is read as for {@code expect}: {@code forbidden} means the bad outcome was never seen (a selftest
 * printed {@code ok}), {@code allowed} that the kernel is known to reach it (a version the bug affected).
 *
 * @param kernel a plain profile name ({@code 6.18}): a known fact is about a real kernel, never one with switches
 *     overridden
 * @param source where the fact is established, e.g. {@code kernel-oracle.md §6.1 #1: ok}
 * @param line the line of the {@code known} directive
 */
public record Known(String kernel, String word, String source, int line) {

    /** Whether the real kernel's known behaviour admits outcome {@code o} (the same rule as {@code expect}). */
    public boolean admits(Outcome o) {
        return Expectation.admits(word, o);
    }
}
