package org.mmsim.explore;

import java.util.SplittableRandom;

/**
 * The PCT scheduler (Burckhardt, Kothari, Musuvathi, Nagarakatte, "A Randomized Scheduler with Probabilistic
 * Guarantees of Finding Bugs", ASPLOS 2010), which finds a bug of depth d in a run of n threads and k steps
 * with probability at least 1/(n·k^(d-1)).
 *
 * <p>Per run, as in the paper's algorithm: the n threads get the priorities d, d+1, …, d+n-1 in random order;
 * d-1 change points k_1..k_{d-1} are drawn, distinct, uniformly from steps 1..k; the enabled thread of highest
 * priority always runs; when step k_i is reached, the thread about to run drops to priority i (below every
 * initial priority) and the highest-priority enabled thread is chosen again. k is {@link Options#pctSteps} if
 * set, else the longest run seen so far (64 until a run has ended).
 */
final class Pct implements Scheduler {
    private static final int FIRST_ESTIMATE = 64;

    private final int depth;
    private final int fixedSteps;
    private final int[] priority;
    /** The change points of the run, grown as runs grow: a run of k steps draws at most k of them. */
    private int[] changePoints;
    private int changeCount;
    private int longestRun;
    private SplittableRandom rng;

    /** A PCT scheduler for {@code threads} threads and bug depth {@code depth}. */
    Pct(int threads, int depth, int steps) {
        this.depth = depth;
        this.fixedSteps = steps;
        this.priority = new int[threads];
        this.changePoints = new int[Math.min(depth - 1, FIRST_ESTIMATE)];
    }

    @Override
    public void startRun(SplittableRandom rng) {
        this.rng = rng;
        int n = priority.length;
        for (int t = 0; t < n; t++) {
            priority[t] = depth + t;
        }
        for (int t = n - 1; t > 0; t--) {
            int j = rng.nextInt(t + 1);
            int p = priority[t];
            priority[t] = priority[j];
            priority[j] = p;
        }
        int k = fixedSteps > 0 ? fixedSteps : longestRun > 0 ? longestRun : FIRST_ESTIMATE;
        changeCount = Math.min(depth - 1, k);
        if (changeCount > changePoints.length) {
            changePoints = new int[changeCount];
        }
        for (int i = 0; i < changeCount; i++) {
            changePoints[i] = distinctPoint(k, i);
        }
    }

    @Override
    public int pick(int enabled, int step) {
        int t = highest(enabled);
        for (int i = 0; i < changeCount; i++) {
            if (changePoints[i] == step + 1) {
                priority[t] = i + 1;
                t = highest(enabled);
            }
        }
        return t;
    }

    @Override
    public void endRun(int length) {
        longestRun = Math.max(longestRun, length);
    }

    /** A step in 1..k not among the first {@code filled} change points. */
    private int distinctPoint(int k, int filled) {
        while (true) {
            int p = 1 + rng.nextInt(k);
            boolean fresh = true;
            for (int j = 0; j < filled; j++) {
                fresh &= changePoints[j] != p;
            }
            if (fresh) {
                return p;
            }
        }
    }

    private int highest(int enabled) {
        int best = -1;
        for (int m = enabled; m != 0; m &= m - 1) {
            int t = Integer.numberOfTrailingZeros(m);
            if (best < 0 || priority[t] > priority[best]) {
                best = t;
            }
        }
        return best;
    }
}
