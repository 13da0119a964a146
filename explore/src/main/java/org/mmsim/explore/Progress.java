package org.mmsim.explore;

/**
 * Told how a long search is going, at most once per second. The explorer never prints; the caller decides what
 * a progress line looks like.
 */
@FunctionalInterface
public interface Progress {
    /** A callback that ignores every report. */
    Progress NONE = (states, transitions, depth, elapsedNanos) -> { };

    /**
     * Called from inside the search.
     *
     * @param states       distinct states found so far
     * @param transitions  steps taken so far
     * @param depth        the BFS level being expanded, or the longest run so far in the random modes
     * @param elapsedNanos time since the search started, from {@link Options#clock}
     */
    void progress(long states, long transitions, int depth, long elapsedNanos);
}
