package org.mmsim.explore;

import java.util.SplittableRandom;

/**
 * Picks the next thread of a random run, in the manner of Fray's scheduler interface: told when a run starts,
 * asked for each step, told when the run ends. All randomness comes from the generator handed to
 * {@link #startRun}, so a run is a function of its seed.
 */
interface Scheduler {
    /** A new run begins; {@code rng} is this run's own generator. */
    void startRun(SplittableRandom rng);

    /**
     * The thread that takes step number {@code step} (0-based) of the run.
     *
     * @param enabled the enabled threads, never 0
     */
    int pick(int enabled, int step);

    /** The run ended after {@code length} steps. */
    void endRun(int length);

    /** Uniform among the enabled threads at every step. */
    static Scheduler randomWalk() {
        return new Scheduler() {
            private SplittableRandom rng;

            @Override
            public void startRun(SplittableRandom rng) {
                this.rng = rng;
            }

            @Override
            public int pick(int enabled, int step) {
                return nthBit(enabled, rng.nextInt(Integer.bitCount(enabled)));
            }

            @Override
            public void endRun(int length) {
            }
        };
    }

    /** The position of the {@code n}-th (0-based) set bit of {@code mask}. */
    static int nthBit(int mask, int n) {
        int m = mask;
        for (int k = 0; k < n; k++) {
            m &= m - 1;
        }
        return Integer.numberOfTrailingZeros(m);
    }
}
