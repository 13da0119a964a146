package org.mmsim.explore;

import java.util.StringJoiner;

/**
 * The interleaving explorer: exhaustive breadth-first search with sleep-set reduction, random walks and PCT,
 * over any {@link Model}.
 *
 * <h2>Design notes</h2>
 *
 * <p><b>Exhaustive search.</b> TLC's explicit-state search, strictly level by level. The
 * visited set holds only 64-bit fingerprints ({@link FingerprintSet}); for every distinct state a {@link Trace}
 * records the state it was first reached from and the thread that took the step, and a schedule is rebuilt by
 * walking those links back to the initial state. The frontier is a {@link Level}: state numbers (a contiguous
 * range, since a level's states are numbered as they are found), path counts, enabled masks, sleep sets, the
 * records of steps taken ahead ({@link Lookahead}) and, if asked for, the model states of deep levels
 * ({@link LookaheadPolicy#KEEP_DEPTH}). To expand a state, each enabled thread's step is
 * taken, in ascending thread order, on a {@link Model#copy} (the last one on the state itself, which is not needed
 * again), and the result is fingerprinted: a fingerprint not seen before is a new state of the next level. A state
 * with no record of its steps taken ahead is rebuilt by {@link Model#replay}ing its schedule on a copy of the
 * machine of an ancestor the worker holds, or of the initial state ({@link Expander#rebuild}). Workers
 * ({@link Options#workers}) expand states in batches; one thread files their children in order ({@link Expander},
 * {@link BreadthFirst}), so the report does not depend on the number of workers. A search a budget stops can be
 * saved and resumed ({@link Checkpoint}).
 *
 * <p><b>Why the graph is layered, and what that buys.</b> The model's fingerprint includes how many steps each
 * thread has taken and each step advances exactly one thread, so the number of steps from the initial state to
 * a state is the same along every path: level d holds exactly the states at distance d, and every step from
 * level d ends in level d + 1. Hence (1) the first time BFS meets a state it is along a shortest path, so the
 * witness, counter-witness, deadlock and violation schedules are shortest (ties go to the lowest state number,
 * the first found); (2) all the paths into a level-(d+1) state come from level d, so its path count is final
 * once level d is expanded, and the number of executions is a sum over final states; (3) every way into a state
 * is known before the state is expanded, which is what makes sleep sets and state caching agree (below); (4) a
 * successor already in the visited set but not in the level being built breaks the contract and is reported as
 * an {@link IllegalStateException} rather than silently miscounted.
 *
 * <p><b>Sleep sets with state caching</b> (Godefroid, LNCS 1032, 1996). When state s with sleep set Z is
 * expanded, only enabled threads outside Z are explored, in order t1 &lt; t2 &lt; …; the child reached by t_i
 * gets the sleep set {u in Z ∪ {t1..t_(i-1)} : footprint(u) ∩ footprint(t_i) = ∅}: u's step commutes with t_i's,
 * so whatever follows u from the child was, or will be, reached by taking u first. A thread's footprint is the
 * one its step had when it was put to sleep ({@link Model#EVERYTHING} conflicts with everything); this assumes,
 * as footprints that name what a step reads and writes do, that an independent step of another thread does not
 * change it. With a visited set a state can be reached along several ways with different sleep sets, and only
 * threads asleep on every way may be skipped; depth-first checkers have to re-explore a revisited state for
 * the difference. Here every way in is found while the previous level is expanded, so the sleep set is simply
 * the intersection of all of them (a mask AND) before the state is ever expanded. Sleep sets prune steps, never
 * states: every reachable state is still visited, so the distinct states, final states, positive final states,
 * deadlocks and violation keys (and the lengths of their shortest schedules) are the same with and without
 * reduction whenever footprints are honest. Path counts then only follow explored steps, so
 * {@link Report#executions} counts the executions explored, not all interleavings. A state whose enabled
 * threads are all asleep is an ordinary state, not a deadlock (a deadlock has no enabled thread at all).
 *
 * <p><b>Memory per state.</b> 8 bytes of fingerprint divided by the load factor (1/2 to 3/4, so 10.7 to 16 bytes)
 * plus 5 bytes of trace: {@link Report#visitedBytes}. Only the two live levels cost more: 50 to 65 bytes per
 * state for the level arrays and the level index, the records of steps taken ahead, and, if asked for, at most
 * {@link LookaheadPolicy#KEEP_LIMIT} kept model states per level.
 *
 * <p><b>Random modes.</b> Each run starts from {@link Model#initial} and asks a {@link Scheduler} (uniform random
 * walk or {@link Pct}) for the next thread until the state is final or deadlocked. Run r's generator is the
 * r-th split of a {@link java.util.SplittableRandom} seeded with {@link Options#seed}, so a report is a function
 * of the options. Random searches are never complete.
 *
 * <p><b>Budgets.</b> {@link Options#maxStates}, {@link Options#maxSeconds}, {@link Options#heapFraction} and
 * {@link Options#interrupted} end a search cleanly: the report has {@code complete == false}, a
 * {@code stopReason} and everything found so far. The clock decides nothing else.
 */
public final class Explorer {
    private Explorer() {
    }

    /** Searches {@code model} as {@code opts.mode()} says: {@link #exhaustive} or {@link #random}. */
    public static <S> Report explore(Model<S> model, Options opts) {
        return opts.mode() == Options.Mode.EXHAUSTIVE ? exhaustive(model, opts) : random(model, opts);
    }

    /**
     * Every reachable state of {@code model}, breadth first, with sleep-set reduction if
     * {@link Options#reduction} is on. {@code opts.mode()} is not consulted.
     *
     * @throws IllegalStateException if the model breaks the layering contract
     */
    public static <S> Report exhaustive(Model<S> model, Options opts) {
        checkThreads(model);
        return new BreadthFirst<>(model, opts).run();
    }

    /**
     * {@link Options#runs} random executions of {@code model}, by random walk or PCT as {@code opts.mode()} says.
     *
     * @throws IllegalArgumentException if the mode is {@link Options.Mode#EXHAUSTIVE}
     */
    public static <S> Report random(Model<S> model, Options opts) {
        if (opts.mode() == Options.Mode.EXHAUSTIVE) {
            throw new IllegalArgumentException("random search needs mode RANDOM_WALK or PCT: " + opts.mode());
        }
        checkThreads(model);
        return new RandomSearch<>(model, opts).run();
    }

    /**
     * The state reached from {@link Model#initial} by the steps of {@code schedule}.
     *
     * @throws IllegalArgumentException "step N: thread T is not enabled (enabled: …)" if choice N (0-based) names
     *                                  a thread that cannot step there
     */
    public static <S> S replay(Model<S> model, int[] schedule) {
        S s = model.initial();
        for (int i = 0; i < schedule.length; i++) {
            step(model, s, schedule, i);
        }
        return s;
    }

    private static <S> void step(Model<S> model, S s, int[] schedule, int i) {
        int t = schedule[i];
        if (!isEnabled(model, s, t)) {
            throw new IllegalArgumentException("step " + i + ": thread " + t + " is not enabled (enabled: "
                    + threads(model.enabled(s)) + ")");
        }
        model.step(s, t);
    }

    private static <S> boolean isEnabled(Model<S> model, S s, int t) {
        return t >= 0 && t < Integer.SIZE && (model.enabled(s) & (1 << t)) != 0;
    }

    private static String threads(int mask) {
        if (mask == 0) {
            return "none";
        }
        StringJoiner j = new StringJoiner(", ");
        for (int m = mask; m != 0; m &= m - 1) {
            j.add(Integer.toString(Integer.numberOfTrailingZeros(m)));
        }
        return j.toString();
    }

    /** The most threads a model may have: a state's enabled set and sleep set are bit masks of one int. */
    public static final int MAX_THREADS = 30;

    private static void checkThreads(Model<?> model) {
        int n = model.threads();
        if (n < 0 || n > MAX_THREADS) {
            throw new IllegalArgumentException("a model has 0.." + MAX_THREADS + " threads: " + n);
        }
    }
}
