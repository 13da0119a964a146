package org.mmsim.explore;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code threads} threads of {@code steps} steps each; the state is the schedule taken so far (in a one-element
 * holder, so that a step can grow it in place), so no two prefixes meet.
 */
final class Schedules implements Model<int[][]> {
    final int threads;
    final int steps;
    /** Counted from every worker's thread at once. */
    final AtomicLong replays = new AtomicLong();
    final AtomicLong copies = new AtomicLong();
    final AtomicLong taken = new AtomicLong();

    /** Rounds of busy work each step does, so that a batch of the workers' takes long enough to be stopped in. */
    int work;
    /** What the busy work computed: read, so that the JIT keeps it. */
    long sink;

    Schedules(int threads, int steps) {
        this.threads = threads;
        this.steps = steps;
    }

    @Override
    public int[][] initial() {
        return new int[][] {new int[0]};
    }

    @Override
    public int[][] copy(int[][] state) {
        copies.incrementAndGet();
        return new int[][] {state[0].clone()};
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public int enabled(int[][] state) {
        int[] taken = new int[threads];
        for (int t : state[0]) {
            taken[t]++;
        }
        int m = 0;
        for (int t = 0; t < threads; t++) {
            m |= taken[t] < steps ? 1 << t : 0;
        }
        return m;
    }

    @Override
    public boolean done(int[][] state) {
        return enabled(state) == 0;
    }

    @Override
    public long step(int[][] state, int thread) {
        taken.incrementAndGet();
        long x = thread;
        for (int i = 0; i < work; i++) {
            x = x * 0x9E3779B97F4A7C15L + i;
        }
        sink += x;
        state[0] = Arrays.copyOf(state[0], state[0].length + 1);
        state[0][state[0].length - 1] = thread;
        return Model.EVERYTHING;
    }

    @Override
    public void replay(int[][] state, int thread) {
        replays.incrementAndGet();
        step(state, thread);
    }

    @Override
    public long fingerprint(int[][] state) {
        return Arrays.hashCode(state[0]) * 0x9E3779B97F4A7C15L + state[0].length;
    }

    @Override
    public List<String> violations(int[][] state) {
        return List.of();
    }

    @Override
    public boolean holds(int[][] state) {
        return false;
    }
}
