package org.mmsim.explore;

import java.util.List;
import java.util.function.Function;

/**
 * Toy model: each of {@code threads} threads increments its own counter {@code steps} times. Every step touches
 * only its own counter, so all steps of different threads commute (footprint: the thread's own bit). The state
 * is the counters; the fingerprint their exact base-(steps+1) encoding, so the initial state's is 0.
 */
final class Counters implements Model<int[]> {
    private final int threads;
    private final int steps;
    private final Function<int[], List<String>> violations;

    Counters(int threads, int steps) {
        this(threads, steps, c -> List.of());
    }

    /** With {@code violations} computed from the counters. */
    Counters(int threads, int steps, Function<int[], List<String>> violations) {
        this.threads = threads;
        this.steps = steps;
        this.violations = violations;
    }

    @Override
    public int[] initial() {
        return new int[threads];
    }

    @Override
    public int[] copy(int[] state) {
        return state.clone();
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public int enabled(int[] state) {
        int m = 0;
        for (int t = 0; t < threads; t++) {
            if (state[t] < steps) {
                m |= 1 << t;
            }
        }
        return m;
    }

    @Override
    public boolean done(int[] state) {
        return enabled(state) == 0;
    }

    @Override
    public long step(int[] state, int thread) {
        state[thread]++;
        return 1L << thread;
    }

    @Override
    public long fingerprint(int[] state) {
        long fp = 0;
        for (int c : state) {
            fp = fp * (steps + 1) + c;
        }
        return fp;
    }

    @Override
    public List<String> violations(int[] state) {
        return violations.apply(state);
    }

    @Override
    public boolean holds(int[] state) {
        return true;
    }
}
