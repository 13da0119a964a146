package org.mmsim.explore;

import java.util.List;

/**
 * Toy model: thread 0 takes lock A then lock B and releases them; thread 1 takes B then A. Each step's footprint
 * is the bit of the lock it touches, so steps on different locks commute. Taking A and B at once deadlocks.
 */
final class TwoLocks implements Model<int[]> {
    /** Per thread, the lock each of its four steps touches; steps 0 and 1 take, steps 2 and 3 release. */
    private static final int[][] PROGRAM = {{0, 1, 1, 0}, {1, 0, 0, 1}};

    /** State: [owner of A + 1, owner of B + 1, pc of thread 0, pc of thread 1]. */
    @Override
    public int[] initial() {
        return new int[4];
    }

    @Override
    public int[] copy(int[] s) {
        return s.clone();
    }

    @Override
    public int threads() {
        return 2;
    }

    @Override
    public int enabled(int[] s) {
        int m = 0;
        for (int t = 0; t < 2; t++) {
            int pc = s[2 + t];
            if (pc < 4 && (pc >= 2 || s[PROGRAM[t][pc]] == 0)) {
                m |= 1 << t;
            }
        }
        return m;
    }

    @Override
    public boolean done(int[] s) {
        return s[2] == 4 && s[3] == 4;
    }

    @Override
    public long step(int[] s, int t) {
        int pc = s[2 + t];
        int lock = PROGRAM[t][pc];
        s[lock] = pc < 2 ? t + 1 : 0;
        s[2 + t]++;
        return 1L << lock;
    }

    @Override
    public long fingerprint(int[] s) {
        return ((s[0] * 3L + s[1]) * 5 + s[2]) * 5 + s[3];
    }

    @Override
    public List<String> violations(int[] s) {
        return List.of();
    }

    @Override
    public boolean holds(int[] s) {
        return false;
    }
}
