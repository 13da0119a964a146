package org.mmsim.explore;

import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The half of an exhaustive search that workers run ({@link BreadthFirst}): a state of the level being expanded, with
 * its children. It takes every enabled, awake thread's step on a copy of the state (rebuilt by replay if it was not
 * kept), and records each child's fingerprint, violations, enabled threads, kind and sleep set; for each new open
 * child it also takes the child's own steps while it holds the child's machine ({@link Lookahead}), so that the child
 * is expanded from that record without a rebuild. It reads the level, a frozen view of the trace and, as a hint, the
 * visited set, and writes only its own {@link Worker} and the {@link Expansion} it returns, so several
 * workers may expand different states at once; filing the children is the search's own, single-threaded half.
 *
 * @param <S> the model state
 */
final class Expander<S> {
    /**
     * How far above a rebuilt state the worker keeps a machine for the next rebuild ({@link Worker#prefix}): the
     * states rebuilt in turn at one level are mostly cousins, and with the steps of three levels taken ahead
     * ({@code LookaheadPolicy.DEEP_LOOKAHEAD}) those under one great-grandparent are rebuilt one after another.
     */
    static final int PREFIX_BACK = 3;
    /**
     * The most states whose steps one look ahead records ({@link #lookAhead}): depth first, so a tree that reaches it
     * leaves the rest of its subtree, the states still on its way back up, to be rebuilt when their levels come
     * (a record is a header word and four words per thread it covers). With 1,024, one worker replays 246 steps to
     * rebuild states of explore-100k (15,936 looking three levels ahead) and 978 of bench/scenarios/deep-tree.mms
     * (221,318); 4,096 saved few more rebuilds and ran no faster.
     */
    static final int LOOKAHEAD_STATES = 1024;
    private final Model<S> model;
    private final Options opts;
    private final boolean reduction;
    /** Whether new children have their steps taken ahead (off only in tests that compare). */
    private final boolean lookahead;
    /** The model's thread slots: the length of the footprint arrays a look ahead makes for each state it steps from. */
    private final int threads;

    Expander(Model<S> model, Options opts, boolean lookahead) {
        this.model = model;
        this.threads = model.threads();
        this.opts = opts;
        this.reduction = opts.reduction();
        this.lookahead = lookahead;
    }

    /** What a worker reuses from one state to the next. */
    static final class Worker<S> {
        /** This worker's own copy of the initial state, to rebuild states from (copying it writes to it). */
        S initial;
        /** By thread: the footprint of the step just taken from the state being expanded. */
        final long[] stepFootprints = new long[Integer.SIZE];
        /** By thread: the footprints that go with the sleep set of the child being built. */
        final long[] childFootprints = new long[Integer.SIZE];
        int[] replayBuffer = new int[64];
        /** The words of the tree of records this worker builds next ({@link Lookahead.Builder#buffer}). */
        long[] treeBuffer = new long[64];
        /**
         * By depth still to look ahead: the footprints of the steps taken from the state being looked ahead from, and
         * those that go with its child's sleep set ({@link #lookAhead}), reused from one state to the next.
         */
        long[][] aheadStepFootprints = new long[0][];
        long[][] aheadChildFootprints = new long[0][];
        /**
         * The machine of the state {@value #PREFIX_BACK} steps above the last state this worker rebuilt, and that
         * state's number (-1: none yet): the next state rebuilt under the same ancestor, as the states of a level
         * mostly are in turn, is copied from it and replays only its last steps.
         */
        S prefix;
        int prefixNumber = -1;
        /**
         * The expansion this worker fills again for each state, or null: only for a worker whose caller merges each
         * expansion before it asks for the next (the search's own thread, expanding a level alone).
         */
        Expansion<S> reused;
        /**
         * A worker of a parallel level hands its expansions on in batches instead: those it made for the batch before,
         * which the search has filed by the time this worker takes the next ({@link #recycle}), are filled again in
         * turn, so that a level allocates none once its batches repeat.
         */
        private Expansion<S>[] made;
        private int nrMade;
        private int used;

        /** The expansions made so far may be filled again: the batch they went to is filed. */
        void recycle() {
            used = 0;
        }

        /** An empty expansion of state {@code i}, with room for {@code threads} children: one made before if free. */
        @SuppressWarnings("unchecked")
        Expansion<S> next(int i, int threads) {
            if (used < nrMade) {
                return made[used++].reuse(i);
            }
            if (made == null || nrMade == made.length) {
                made = made == null ? new Expansion[64] : Arrays.copyOf(made, 2 * nrMade);
            }
            Expansion<S> e = new Expansion<>(i, threads);
            made[nrMade++] = e;
            used = nrMade;
            return e;
        }
    }

    /** The children of one state, in thread order: all that {@code BreadthFirst.merge} needs, from {@link #expand}. */
    static final class Expansion<S> {
        int position;
        int n;
        final int[] thread;
        final Object[] child;
        final long[] fp;
        final int[] sleep;
        final long[][] sleepFootprints;
        final int[] enabled;
        final byte[] kind;
        /** By child: its steps taken ahead, or null. */
        final Lookahead[] ahead;
        /**
         * By child: the bytes its record holds ({@link Lookahead#bytes}), worked out by the worker that made or read
         * the record, so that the search's own thread keeps a level's total as records join it.
         */
        final long[] aheadBytes;
        /** By child: the keys of the violations its step found (mostly the empty list). */
        final List<String>[] violations;
        /** The steps the worker took ahead for this state's children, in trees of its own (not read from a record). */
        long stepsAhead;

        Expansion(int position, int max) {
            this.position = position;
            thread = new int[max];
            child = new Object[max];
            fp = new long[max];
            sleep = new int[max];
            sleepFootprints = new long[max][];
            enabled = new int[max];
            kind = new byte[max];
            ahead = new Lookahead[max];
            aheadBytes = new long[max];
            @SuppressWarnings("unchecked")
            List<String>[] lists = new List[max];
            violations = lists;
        }

        /** This expansion emptied for state {@code i}, to be filled again: its arrays hold as many children as before. */
        Expansion<S> reuse(int i) {
            position = i;
            n = 0;
            stepsAhead = 0;
            return this;
        }

        /** Files the next child: the thread that reached it, its fingerprint, violations, enabled threads and kind. */
        int add(int t, long childFp, List<String> found, int childEnabled, byte childKind) {
            int k = n++;
            thread[k] = t;
            fp[k] = childFp;
            violations[k] = found;
            enabled[k] = childEnabled;
            kind[k] = childKind;
            return k;
        }

        @SuppressWarnings("unchecked")
        S child(int k) {
            return (S) child[k];
        }
    }

    /**
     * Takes every enabled, awake thread's step from state {@code i} of the current level; reads only the current
     * level, so several workers may run it at once on different states. A state whose steps were taken ahead
     * ({@link Lookahead}) is expanded from that record without a machine; any other is rebuilt (or taken from the
     * level if kept), and each new open child it makes has its own steps taken ahead, unless {@code known} already
     * holds the child's fingerprint (a hint only: a child it misses is merely looked ahead for nothing) or another
     * worker has claimed the child in {@code claims}.
     *
     * @param claims the children some worker looks ahead from at this level ({@link Workers.Claims}), or null when
     *               one thread expands the level and merges each state's children before the next: {@code known}
     *               then misses none
     * @param ahead how many levels of a new child's steps to take ({@code LookaheadPolicy.depth})
     * @param treeStates the most states whose steps one child's tree takes, at most {@link #LOOKAHEAD_STATES}
     *                   ({@code LookaheadPolicy.treeStates})
     * @param carry whether new open children are carried to the merge as machines for it to keep
     *              ({@code LookaheadPolicy.mayKeep}); they then get no record, since a kept machine is expanded
     *              directly
     * @param abandoned whether the search gave up on this expansion (a budget stopped it while the workers were at
     *                  it): the steps taken ahead are then cut short, since the expansion will not be used
     */
    Expansion<S> expand(Level<S> current, int i, Worker<S> w, Trace.View trace, FingerprintSet known,
            Workers.Claims claims, int ahead, int treeStates, boolean carry, BooleanSupplier abandoned) {
        int asleep = asleep(current, i);
        int todo = current.enabled(i) & ~asleep;
        if (fromRecord(current, i)) {
            return recorded(current, i, asleep, todo, current.lookahead(i), w);
        }
        boolean kept = opts.keepFrontierStates() && current.state(i) != null;
        S s = kept ? current.state(i) : rebuild(current.start() + i, w, trace);
        Expansion<S> e = expansion(w, i);
        int explored = 0;
        while (todo != 0) {
            int t = Integer.numberOfTrailingZeros(todo);
            todo &= todo - 1;
            S child = todo == 0 ? s : model.copy(s);
            long footprint = model.step(child, t);
            int enabled = model.enabled(child);
            int k = e.add(t, model.fingerprint(child), model.violations(child), enabled, kind(child, enabled));
            int sleep = sleep(e, k, current, i, asleep, explored, footprint, w);
            // a child is carried to the merge only if the merge may keep it (a new open one while the next level has
            // room for machines): holding machines that will be dropped makes every garbage collection until the merge
            // copy them, and with workers three batches of them are in flight; any other new open child gets a record
            boolean isNew = e.kind[k] == Level.OPEN && !known.contains(e.fp[k]);
            e.child[k] = carry && isNew ? child : null;
            if (lookahead && !carry && isNew && (claims == null || claims.claim(e.fp[k]))) {
                Lookahead.Builder tree = new Lookahead.Builder(treeStates, abandoned, w.treeBuffer);
                lookAhead(tree, w, child, enabled, sleep, e.sleepFootprints[k], ahead);
                e.stepsAhead += tree.steps();
                e.ahead[k] = tree.build();
                w.treeBuffer = tree.buffer();
                e.aheadBytes[k] = e.ahead[k].bytes();
            }
            w.stepFootprints[t] = footprint;
            explored |= 1 << t;
        }
        return e;
    }

    /** The threads state {@code i} of {@code current} sleeps on now that every parent of it is merged. */
    private int asleep(Level<S> current, int i) {
        return reduction ? current.sleep(i) & current.enabled(i) : 0;
    }

    /**
     * Whether {@link #expand} reads open state {@code i} of {@code current} from the steps taken ahead of it, with no
     * machine: it has a record that covers every thread it is awake for, and no machine kept.
     */
    boolean fromRecord(Level<S> current, int i) {
        return current.recordCovers(i, current.enabled(i) & ~asleep(current, i))
                && !(opts.keepFrontierStates() && current.state(i) != null);
    }

    /** An empty expansion of state {@code i}, with room for a child per thread: one the worker made before if free. */
    private Expansion<S> expansion(Worker<S> w, int i) {
        return w.reused != null ? w.reused.reuse(i) : w.next(i, threads);
    }

    /** What kind of state {@code state}, with {@code enabled} threads, is. */
    private byte kind(S state, int enabled) {
        return model.done(state) ? (model.holds(state) ? Level.FINAL_POSITIVE : Level.FINAL_NEGATIVE)
                : enabled == 0 ? Level.DEADLOCK : Level.OPEN;
    }

    /**
     * Takes the steps from {@code state} (which it may use up) that its expansion would take if it kept sleep set
     * {@code sleep} (footprints by thread in {@code sleepFootprints}), and records them as a node of {@code tree};
     * {@code depth} levels deep or until the tree holds as many nodes as it may ({@link Lookahead.Builder#full}),
     * working out each child's sleep set as {@link #childSleep} would (the threads asleep here, with their footprints
     * in {@code sleepFootprints}, and the siblings already explored). The sleep sets are a guess (a state reached from
     * more parents sleeps on fewer threads), which only decides what is recorded: {@link #expand} uses a record only
     * if it covers every thread the state is then awake for.
     *
     * @return the node's offset in {@code tree}
     */
    private int lookAhead(Lookahead.Builder tree, Worker<S> w, S state, int enabled, int sleep,
            long[] sleepFootprints, int depth) {
        int asleep = sleep & enabled;
        int todo = enabled & ~asleep;
        int node = tree.node(todo);
        if (reduction && depth > 1 && w.aheadStepFootprints.length < depth) {
            w.aheadStepFootprints = new long[depth][threads];
            w.aheadChildFootprints = new long[depth][threads];
        }
        // this depth's arrays: a child's look ahead, one depth down, uses the next ones and is done before the next
        // child's sleep set is worked out here
        long[] stepFootprints = reduction && depth > 1 ? w.aheadStepFootprints[depth - 1] : null;
        int explored = 0;
        for (int m = todo; m != 0; ) {
            int u = Integer.numberOfTrailingZeros(m);
            m &= m - 1;
            // each branch and all below it are done with before the next branch is made or the state itself steps
            S g = m == 0 ? state : model.branch(state);
            long footprint = model.step(g, u);
            long fp = model.fingerprint(g);
            List<String> found = model.violations(g);
            int childEnabled = model.enabled(g);
            byte kind = kind(g, childEnabled);
            tree.record(node, u, fp, footprint, childEnabled, kind, found);
            if (depth > 1 && kind == Level.OPEN && !tree.full()) {
                long[] childFootprints = reduction ? w.aheadChildFootprints[depth - 1] : null;
                int childSleep = reduction ? independentOf(asleep, sleepFootprints, footprint, childFootprints)
                        | independentOf(explored, stepFootprints, footprint, childFootprints) : 0;
                tree.next(node, u, lookAhead(tree, w, g, childEnabled, childSleep, childFootprints, depth - 1));
            }
            if (stepFootprints != null) {
                stepFootprints[u] = footprint;
            }
            explored |= 1 << u;
        }
        tree.end(node);
        return node;
    }

    /**
     * The threads of {@code threads} whose footprints in {@code footprints} are independent of {@code footprint}, their
     * footprints copied to {@code out}: the sleeping or already explored threads that a step with {@code footprint}
     * lets sleep on ({@link #childSleep}).
     */
    private static int independentOf(int threads, long[] footprints, long footprint, long[] out) {
        int sleep = 0;
        for (int m = threads; m != 0; m &= m - 1) {
            int v = Integer.numberOfTrailingZeros(m);
            if (independent(footprints[v], footprint)) {
                sleep |= 1 << v;
                out[v] = footprints[v];
            }
        }
        return sleep;
    }

    /**
     * The expansion of state {@code i} read from the steps taken ahead of it: the same children, in the same order,
     * with the sleep sets worked out from the recorded footprints as {@link #expand} works them out from fresh ones.
     */
    private Expansion<S> recorded(Level<S> current, int i, int asleep, int todo, Lookahead ahead, Worker<S> w) {
        Expansion<S> e = expansion(w, i);
        int explored = 0;
        for (int m = todo; m != 0; m &= m - 1) {
            int t = Integer.numberOfTrailingZeros(m);
            long footprint = ahead.footprint(t);
            int k = e.add(t, ahead.fp(t), ahead.violations(t), ahead.enabled(t), ahead.kind(t));
            sleep(e, k, current, i, asleep, explored, footprint, w);
            e.ahead[k] = ahead.next(t);
            e.aheadBytes[k] = e.ahead[k] == null ? 0 : e.ahead[k].bytes();
            w.stepFootprints[t] = footprint;
            explored |= 1 << t;
        }
        return e;
    }

    /**
     * Gives child {@code k} of {@code e}, reached by a step with {@code footprint}, its sleep set ({@link #childSleep};
     * none without reduction) and the footprints that go with it; returns the sleep set.
     */
    private int sleep(Expansion<S> e, int k, Level<S> current, int i, int asleep, int explored, long footprint,
            Worker<S> w) {
        int sleep = reduction ? childSleep(current, i, asleep, explored, footprint, w) : 0;
        e.sleep[k] = sleep;
        e.sleepFootprints[k] = sleep == 0 ? null : Arrays.copyOf(w.childFootprints, threads);
        return sleep;
    }

    /**
     * The sleep set of the child reached by a step with {@code footprint}: the threads asleep here and the
     * siblings already explored (lower thread numbers) whose steps are independent of this one.
     */
    int childSleep(Level<S> current, int i, int asleep, int explored, long footprint, Worker<S> w) {
        int sleep = 0;
        for (int m = asleep; m != 0; m &= m - 1) {
            int u = Integer.numberOfTrailingZeros(m);
            long f = current.sleepFootprint(i, u);
            if (independent(f, footprint)) {
                sleep |= 1 << u;
                w.childFootprints[u] = f;
            }
        }
        return sleep | independentOf(explored, w.stepFootprints, footprint, w.childFootprints);
    }

    /** Whether steps with footprints {@code a} and {@code b} commute by the {@link Model} contract. */
    static boolean independent(long a, long b) {
        return (a & b) == 0 && a != Model.EVERYTHING && b != Model.EVERYTHING;
    }

    /**
     * State {@code number} rebuilt by replaying its schedule: from a copy of the worker's machine of its ancestor
     * {@value #PREFIX_BACK} steps up if the worker holds that one ({@link Worker#prefix}), else from a copy of the
     * initial state, keeping the ancestor's machine on the way for the states rebuilt after it. The model is
     * deterministic, so either way gives the state the search first made.
     */
    S rebuild(int number, Worker<S> w, Trace.View trace) {
        int n = trace.length(number);
        w.replayBuffer = trace.fill(number, w.replayBuffer);
        if (n <= PREFIX_BACK) {
            return replayed(model.copy(w.initial), w.replayBuffer, 0, n);
        }
        int ancestor = number;
        for (int k = 0; k < PREFIX_BACK; k++) {
            ancestor = trace.parent()[ancestor];
        }
        if (ancestor != w.prefixNumber) {
            w.prefix = replayed(model.copy(w.initial), w.replayBuffer, 0, n - PREFIX_BACK);
            w.prefixNumber = ancestor;
        }
        return replayed(model.copy(w.prefix), w.replayBuffer, n - PREFIX_BACK, n);
    }

    /** {@code s} after replaying steps [from, to) of {@code schedule}. */
    private S replayed(S s, int[] schedule, int from, int to) {
        for (int k = from; k < to; k++) {
            model.replay(s, schedule[k]);
        }
        return s;
    }
}
