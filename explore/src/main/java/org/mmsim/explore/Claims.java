package org.mmsim.explore;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The new states of the level being built whose steps some worker has already taken ahead ({@link Lookahead}), so that
 * a worker that makes the same state from another parent leaves them to that record instead of taking them again.
 *
 * <p>Why. A worker looks ahead only from a child that the visited set does not yet hold ({@link Expander#expand}), but
 * with workers the visited set lags: the children of the batches in flight are filed only after them, so a state with
 * several parents in one level looked new to each worker that made it, and had its steps taken once per parent. On
 * bench/scenarios/merge-heavy.mms (59,049 states, each reached from about four parents) two workers copied the machine
 * 543,544 times where one worker copies it 252,983 times, and ran slower than one.
 *
 * <p>How. A table of 2^{@value #BITS} words, a state's fingerprint (mixed with the level, so that no table needs clearing
 * between levels) swapped into its home slot: a worker that finds its own key there was beaten to the state. Two
 * states sharing a slot evict each other, and then both are looked ahead from, as before; either way, which worker
 * looks ahead only decides what work is saved, never a result (the records are the same from any parent).
 */
final class Claims {
    private static final int BITS = 16;
    private final AtomicLongArray slots = new AtomicLongArray(1 << BITS);
    /** Mixed into every key: renewed for each level ({@link #renew}), before the workers start on it. */
    private long salt = 0x6d6d73696d636c61L;

    /** The next level: nothing is claimed on it. */
    void renew(int level) {
        salt = (level + 1L) * 0x9E3779B97F4A7C15L ^ 0x6d6d73696d636c61L;
    }

    /** Whether the caller is the first to claim the state with fingerprint {@code fp} on this level (as far as known). */
    boolean claim(long fp) {
        long key = FingerprintSet.key(fp ^ salt);
        return slots.getAndSet(FingerprintSet.home(key, BITS), key) != key;
    }
}
