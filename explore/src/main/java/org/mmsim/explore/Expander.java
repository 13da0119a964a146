package org.mmsim.explore;

import java.util.ArrayList;
import java.util.List;

/**
 * The half of an exhaustive search that workers run ({@link BreadthFirst}): a state of the level being expanded, with
 * its children. It takes every enabled, awake thread's step on a copy of the state (rebuilt by replay if it was not
 * kept), and records each child's fingerprint, violations, enabled threads, kind and sleep set. It reads the level and
 * a frozen view of the trace and writes only its own {@link Worker} and the {@link Expansion} it returns, so several
 * workers may expand different states at once; filing the children is the search's own, single-threaded half.
 *
 * @param <S> the model state
 */
final class Expander<S> {
    private final Model<S> model;
    private final Options opts;
    private final boolean reduction;

    Expander(Model<S> model, Options opts) {
        this.model = model;
        this.opts = opts;
        this.reduction = opts.reduction();
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
    }

    /** The children of one state, in thread order: all that {@code BreadthFirst.merge} needs, from {@link #expand}. */
    static final class Expansion<S> {
        final int position;
        int n;
        final int[] thread;
        final Object[] child;
        final long[] fp;
        final int[] sleep;
        final long[][] sleepFootprints;
        final int[] enabled;
        final byte[] kind;
        final List<List<String>> violations = new ArrayList<>();

        Expansion(int position, int max) {
            this.position = position;
            thread = new int[max];
            child = new Object[max];
            fp = new long[max];
            sleep = new int[max];
            sleepFootprints = new long[max][];
            enabled = new int[max];
            kind = new byte[max];
        }

        @SuppressWarnings("unchecked")
        S child(int k) {
            return (S) child[k];
        }
    }

    /**
     * Takes every enabled, awake thread's step from state {@code i} of the current level; reads only the current
     * level, so several workers may run it at once on different states.
     */
    Expansion<S> expand(Level<S> current, int level, int i, Worker<S> w, Trace.View trace) {
        int number = current.start() + i;
        S s = opts.keepFrontierStates() && current.state(i) != null ? current.state(i) : rebuild(number, w, trace);
        int asleep = reduction ? current.sleep(i) & current.enabled(i) : 0;
        int todo = current.enabled(i) & ~asleep;
        Expansion<S> e = new Expansion<>(i, Integer.bitCount(todo));
        // a child is carried to the merge only if the merge may keep it: holding machines that will be dropped
        // makes every garbage collection until the merge copy them
        boolean keepable = opts.keepFrontierStates() && level + 1 >= BreadthFirst.KEEP_DEPTH;
        int explored = 0;
        while (todo != 0) {
            int t = Integer.numberOfTrailingZeros(todo);
            todo &= todo - 1;
            S child = todo == 0 ? s : model.copy(s);
            long footprint = model.step(child, t);
            int k = e.n++;
            e.thread[k] = t;
            e.fp[k] = model.fingerprint(child);
            e.violations.add(model.violations(child));
            int sleep = reduction ? childSleep(current, i, asleep, explored, footprint, w) : 0;
            e.sleep[k] = sleep;
            e.sleepFootprints[k] = sleep == 0 ? null : w.childFootprints.clone();
            int enabled = model.enabled(child);
            boolean done = model.done(child);
            e.enabled[k] = enabled;
            e.kind[k] = done ? (model.holds(child) ? Level.FINAL_POSITIVE : Level.FINAL_NEGATIVE)
                    : enabled == 0 ? Level.DEADLOCK : Level.OPEN;
            e.child[k] = keepable ? child : null;
            w.stepFootprints[t] = footprint;
            explored |= 1 << t;
        }
        return e;
    }

    /**
     * The sleep set of the child reached by a step with {@code footprint}: the threads asleep here and the
     * siblings already explored (lower thread numbers) whose steps are independent of this one.
     */
    private int childSleep(Level<S> current, int i, int asleep, int explored, long footprint, Worker<S> w) {
        int sleep = 0;
        for (int m = asleep; m != 0; m &= m - 1) {
            int u = Integer.numberOfTrailingZeros(m);
            long f = current.sleepFootprint(i, u);
            if (independent(f, footprint)) {
                sleep |= 1 << u;
                w.childFootprints[u] = f;
            }
        }
        for (int m = explored; m != 0; m &= m - 1) {
            int u = Integer.numberOfTrailingZeros(m);
            if (independent(w.stepFootprints[u], footprint)) {
                sleep |= 1 << u;
                w.childFootprints[u] = w.stepFootprints[u];
            }
        }
        return sleep;
    }

    /** Whether steps with footprints {@code a} and {@code b} commute by the {@link Model} contract. */
    static boolean independent(long a, long b) {
        return (a & b) == 0 && a != Model.EVERYTHING && b != Model.EVERYTHING;
    }

    /** State {@code number} rebuilt from (a copy of) the initial state by replaying its schedule. */
    S rebuild(int number, Worker<S> w, Trace.View trace) {
        int n = trace.length(number);
        w.replayBuffer = trace.fill(number, w.replayBuffer);
        S s = model.copy(w.initial);
        for (int k = 0; k < n; k++) {
            model.replay(s, w.replayBuffer[k]);
        }
        return s;
    }
}
