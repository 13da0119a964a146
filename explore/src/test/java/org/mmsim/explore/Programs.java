package org.mmsim.explore;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Toy model for property tests: each thread runs a straight-line program over two shared variables, two locks
 * and a private register. Footprints are honest: a step names the shared variable or lock it reads or writes,
 * a purely private step names nothing (0), and a fence names {@link Model#EVERYTHING}. A thread's footprint
 * depends only on its next instruction, never on data.
 *
 * <p>The condition is {@code x0 > x1}; the violations are "x0 >= 2", "x1 >= 2" and "x0 == x1 == 1", each a
 * predicate of the state alone.
 */
final class Programs implements Model<int[]> {
    /** The instructions; {@code a} names a variable or lock, {@code b} a value. */
    enum Op {
        /** reg = x[a]. */
        LOAD,
        /** x[a] = reg. */
        STORE,
        /** x[a] += 1, atomically. */
        INC,
        /** reg += 1 (private). */
        LOCAL,
        /** Wait until lock a is free, then take it. */
        LOCK,
        /** Release lock a if this thread holds it. */
        UNLOCK,
        /** Wait until x[a] == b. */
        WAIT,
        /** Nothing, but conflicts with everything. */
        FENCE
    }

    /** One instruction. */
    record Instr(Op op, int a, int b) {
        @Override
        public String toString() {
            return op + " " + a + (op == Op.WAIT ? "==" + b : "");
        }
    }

    private static final int X = 0;
    private static final int LOCKS = 2;
    private static final int PC = 4;

    private final List<List<Instr>> program;
    private final int n;
    private final int reg;

    /**
     * Random models for property tests: two to four threads of one to {@code maxInstructions} instructions over two
     * variables and two locks.
     */
    static Arbitrary<Programs> arbitrary(int maxInstructions) {
        Arbitrary<Instr> instr = Combinators.combine(
                Arbitraries.of(Op.class), Arbitraries.integers().between(0, 1),
                Arbitraries.integers().between(0, 2)).as(Instr::new);
        return instr.list().ofMinSize(1).ofMaxSize(maxInstructions).list().ofMinSize(2).ofMaxSize(4)
                .map(Programs::new);
    }

    /** A model running {@code program.get(t)} as thread t. */
    Programs(List<List<Instr>> program) {
        this.program = program;
        this.n = program.size();
        this.reg = PC + n;
    }

    /** State: [x0, x1, lock0 owner + 1, lock1 owner + 1, pc of each thread, register of each thread]. */
    @Override
    public int[] initial() {
        return new int[PC + 2 * n];
    }

    @Override
    public int[] copy(int[] s) {
        return s.clone();
    }

    @Override
    public int threads() {
        return n;
    }

    @Override
    public int enabled(int[] s) {
        int m = 0;
        for (int t = 0; t < n; t++) {
            int pc = s[PC + t];
            if (pc < program.get(t).size() && canRun(s, program.get(t).get(pc))) {
                m |= 1 << t;
            }
        }
        return m;
    }

    private static boolean canRun(int[] s, Instr i) {
        return switch (i.op()) {
            case LOCK -> s[LOCKS + i.a()] == 0;
            case WAIT -> s[X + i.a()] == i.b();
            default -> true;
        };
    }

    @Override
    public boolean done(int[] s) {
        for (int t = 0; t < n; t++) {
            if (s[PC + t] < program.get(t).size()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public long step(int[] s, int t) {
        Instr i = program.get(t).get(s[PC + t]++);
        int a = i.a();
        switch (i.op()) {
            case LOAD -> s[reg + t] = s[X + a];
            case STORE -> s[X + a] = s[reg + t];
            case INC -> s[X + a]++;
            case LOCAL -> s[reg + t]++;
            case LOCK -> s[LOCKS + a] = t + 1;
            case UNLOCK -> s[LOCKS + a] = s[LOCKS + a] == t + 1 ? 0 : s[LOCKS + a];
            case WAIT, FENCE -> { }
        }
        return switch (i.op()) {
            case LOAD, STORE, INC, WAIT -> 1L << a;
            case LOCK, UNLOCK -> 4L << a;
            case LOCAL -> 0;
            case FENCE -> EVERYTHING;
        };
    }

    /**
     * Exact for up to four threads and 31 instructions in all: every field is below 32 (a value grows by at most
     * one per step), five bits each.
     */
    @Override
    public long fingerprint(int[] s) {
        long fp = 0;
        for (int v : s) {
            fp = fp << 5 | v;
        }
        return fp;
    }

    @Override
    public List<String> violations(int[] s) {
        List<String> v = new ArrayList<>(0);
        if (s[X] >= 2) {
            v.add("x0 >= 2");
        }
        if (s[X + 1] >= 2) {
            v.add("x1 >= 2");
        }
        if (s[X] == 1 && s[X + 1] == 1) {
            v.add("x0 == x1 == 1");
        }
        return v;
    }

    @Override
    public boolean holds(int[] s) {
        return s[X] > s[X + 1];
    }

    @Override
    public String toString() {
        return program.toString();
    }
}
