package org.mmsim.explore;

import java.util.List;

/**
 * The steps of one state taken ahead of its turn: for each thread it covers, what that thread's step from the state
 * gives (the child's fingerprint, violations, enabled threads and kind, and the step's footprint), recorded by the
 * worker that made the state while it still held the machine ({@link Expander}).
 *
 * <p>Why. A state the search does not keep is rebuilt when its level is expanded, by replaying its schedule from the
 * initial state: on explore-100k that replay is most of what a state costs, since a copy of the machine costs about
 * as much as six replayed steps and a state's children are few. A worker that has just made a child has its machine
 * in hand, so it takes the child's steps at once and records their results here; when the child's turn comes, its
 * expansion is read from here and needs no machine at all. Machines are then rebuilt for every other level only.
 *
 * <p>What a step gives depends only on the state and the thread (the {@link Model} is deterministic), so the record
 * of a state made from one parent serves the state however it is reached. What it does not record is the sleep set:
 * that is known only when every parent is merged, and is worked out from the recorded footprints at expansion time,
 * exactly as from fresh ones. The record covers the threads the state was awake for when made; a state that a
 * later parent wakes further is rebuilt as before ({@link #covers}). A state with no record, or one read back from a
 * checkpoint, is rebuilt too: the record only saves work, it never changes a result.
 */
final class Lookahead {
    /** The threads whose steps are recorded, as a bit mask. */
    final int covered;
    final long[] fp;
    final long[] footprint;
    final int[] enabled;
    final byte[] kind;
    /** By rank of the thread in {@link #covered}: the violations first seen in the child, or null for none. */
    final Object[] violations;
    /** By rank: the child's own steps taken ahead too (when the search looks more than one level ahead), or null. */
    final Lookahead[] next;

    Lookahead(int covered) {
        this.covered = covered;
        int n = Integer.bitCount(covered);
        fp = new long[n];
        footprint = new long[n];
        enabled = new int[n];
        kind = new byte[n];
        violations = new Object[n];
        next = new Lookahead[n];
    }

    /** Whether the steps of every thread in {@code threads} are recorded. */
    boolean covers(int threads) {
        return (threads & ~covered) == 0;
    }

    /** Where thread {@code t} (one of {@link #covered}) is recorded. */
    int rank(int t) {
        return Integer.bitCount(covered & ((1 << t) - 1));
    }

    /** Records the step of thread {@code t}. */
    void record(int t, long childFp, long stepFootprint, int childEnabled, byte childKind, List<String> found) {
        int r = rank(t);
        fp[r] = childFp;
        footprint[r] = stepFootprint;
        enabled[r] = childEnabled;
        kind[r] = childKind;
        violations[r] = found.isEmpty() ? null : found;
    }

    /** The violations recorded for thread {@code t}'s step. */
    @SuppressWarnings("unchecked")
    List<String> violations(int t) {
        Object v = violations[rank(t)];
        return v == null ? List.of() : (List<String>) v;
    }
}
