package org.mmsim.explore;

/**
 * Told how a long search is going, at most once per second. The explorer never prints; the caller decides what
 * a progress line looks like.
 */
@FunctionalInterface
public interface Progress {
    /** A callback that ignores every report. */
    Progress NONE = (states, statesAtStart, transitions, depth, elapsedNanos) -> { };

    /**
     * Called from inside the search.
     *
     * @param states        distinct states found so far, those of the checkpoint a resumed search began from included
     * @param statesAtStart the states the search began with: 0, or a resumed search's checkpoint's (so that a rate is
     *                      {@code (states - statesAtStart) / elapsedNanos})
     * @param transitions   steps taken so far, a resumed search's checkpoint's included
     * @param depth         the BFS level being expanded, or the longest run so far in the random modes
     * @param elapsedNanos  time since this search (or this resumed part of it) started, from {@link Options#clock}
     */
    void progress(long states, long statesAtStart, long transitions, int depth, long elapsedNanos);
}
