package org.mmsim.explore;

import java.util.List;

/**
 * Toy model: two threads each add one to a shared counter non-atomically, first reading it into a local
 * register, then writing the register plus one. Both steps touch the counter, so every pair of steps of
 * different threads conflicts. The condition is the lost update: the counter ends below 2.
 */
final class LostUpdate implements Model<LostUpdate.State> {
    static final long COUNTER = 1;

    /** The counter, each thread's register and program counter (0 = read next, 1 = write next, 2 = done). */
    static final class State {
        int counter;
        final int[] local = new int[2];
        final int[] pc = new int[2];
    }

    @Override
    public State initial() {
        return new State();
    }

    @Override
    public State copy(State s) {
        State c = new State();
        c.counter = s.counter;
        System.arraycopy(s.local, 0, c.local, 0, 2);
        System.arraycopy(s.pc, 0, c.pc, 0, 2);
        return c;
    }

    @Override
    public int threads() {
        return 2;
    }

    @Override
    public int enabled(State s) {
        return (s.pc[0] < 2 ? 1 : 0) | (s.pc[1] < 2 ? 2 : 0);
    }

    @Override
    public boolean done(State s) {
        return s.pc[0] == 2 && s.pc[1] == 2;
    }

    @Override
    public long step(State s, int t) {
        if (s.pc[t] == 0) {
            s.local[t] = s.counter;
        } else {
            s.counter = s.local[t] + 1;
        }
        s.pc[t]++;
        return COUNTER;
    }

    @Override
    public long fingerprint(State s) {
        return ((((s.counter * 8L + s.local[0]) * 8 + s.local[1]) * 4 + s.pc[0]) * 4 + s.pc[1]);
    }

    @Override
    public List<String> violations(State s) {
        return List.of();
    }

    @Override
    public boolean holds(State s) {
        return s.counter != 2;
    }
}
