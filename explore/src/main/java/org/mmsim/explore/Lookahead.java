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
 * expansion is read from here and needs no machine at all. Machines are then rebuilt for every other level only,
 * or every fourth in a search shaped like a tree, where the worker looks three levels ahead ({@link #next(int)}).
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
    /**
     * By rank of the thread in {@link #covered}, three words: the child's fingerprint, the step's footprint, and the
     * child's enabled threads shifted left by 8 with its kind in the low byte.
     */
    private final long[] words;
    /**
     * By rank, two references, or null while there is none: the violations first seen in the child (null for none),
     * and the child's own record when the search looks more than one level ahead (null for none).
     */
    private Object[] refs;

    Lookahead(int covered) {
        this.covered = covered;
        words = new long[3 * Integer.bitCount(covered)];
    }

    /** Whether the steps of every thread in {@code threads} are recorded. */
    boolean covers(int threads) {
        return (threads & ~covered) == 0;
    }

    /** Where thread {@code t} (one of {@link #covered}) is recorded. */
    private int rank(int t) {
        return Integer.bitCount(covered & ((1 << t) - 1));
    }

    /** Records the step of thread {@code t}. */
    void record(int t, long childFp, long stepFootprint, int childEnabled, byte childKind, List<String> found) {
        int r = rank(t);
        words[3 * r] = childFp;
        words[3 * r + 1] = stepFootprint;
        words[3 * r + 2] = ((long) childEnabled << 8) | (childKind & 0xff);
        if (!found.isEmpty()) {
            ref(2 * r, found);
        }
    }

    /** Records the child of thread {@code t}'s step's own record. */
    void next(int t, Lookahead child) {
        ref(2 * rank(t) + 1, child);
    }

    private void ref(int i, Object value) {
        if (refs == null) {
            refs = new Object[2 * Integer.bitCount(covered)];
        }
        refs[i] = value;
    }

    long fp(int t) {
        return words[3 * rank(t)];
    }

    long footprint(int t) {
        return words[3 * rank(t) + 1];
    }

    int enabled(int t) {
        return (int) (words[3 * rank(t) + 2] >>> 8);
    }

    byte kind(int t) {
        return (byte) words[3 * rank(t) + 2];
    }

    /** The violations recorded for thread {@code t}'s step. */
    @SuppressWarnings("unchecked")
    List<String> violations(int t) {
        Object v = refs == null ? null : refs[2 * rank(t)];
        return v == null ? List.of() : (List<String>) v;
    }

    /** The record of the child thread {@code t}'s step made, or null. */
    Lookahead next(int t) {
        return refs == null ? null : (Lookahead) refs[2 * rank(t) + 1];
    }

    /**
     * Bytes this record and the records under it hold, in the layout of a 64-bit JVM with compressed references: the
     * object (a 12-byte header, the mask and two references) and its arrays (a 16-byte header each), each rounded up to
     * 8 bytes. The violation lists are not counted (shared with the step that found them, and rare).
     */
    long bytes() {
        long b = 24 + array(8, words.length);
        if (refs != null) {
            b += array(4, refs.length);
            for (int i = 1; i < refs.length; i += 2) {
                if (refs[i] != null) {
                    b += ((Lookahead) refs[i]).bytes();
                }
            }
        }
        return b;
    }

    /** Bytes of an array of {@code n} elements of {@code size} bytes: a 16-byte header, rounded up to 8 bytes. */
    static long array(int size, int n) {
        return (16 + (long) size * n + 7) & ~7L;
    }
}
