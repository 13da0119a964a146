package org.mmsim.explore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One exhaustive search (see the design notes on {@link Explorer}): level-by-level BFS over fingerprints, with
 * a parent/choice {@link Trace}, per-level path counts and, when reduction is on, sleep sets.
 *
 * <p>Each state is handled in two halves. {@link #expand} takes its steps: copies, steps, fingerprints, violations,
 * enabled threads and sleep sets of its children, touching nothing the search shares, so workers run it for many
 * states at once. {@link #merge} then files the children, one after another in state and thread order: counts,
 * findings, the visited set, the next level. Merging is the only place where the search's own data changes, and it
 * runs in the same order for any number of workers, so the report does not depend on them. A search stopped by a
 * budget stops inside a merge; {@link #cursor}, {@link #applied} and {@link #partial} say how far it got, which is
 * what a {@link Checkpoint} records to go on from exactly there.
 *
 * @param <S> the model state
 */
final class BreadthFirst<S> {
    /** States expanded per worker between two merges. */
    private static final int BATCH_PER_WORKER = 256;
    /**
     * Which model states are kept for their expansion. A state not kept is rebuilt when its turn comes, from a copy of
     * the initial state, by replaying its schedule without the checks its steps passed the first time. Replaying a
     * short schedule costs less than keeping the state: a kept state survives garbage collections until its level is
     * expanded, and copying it through them costs more than a dozen replayed steps (on explore-100k, depth 12,
     * keeping up to 2,048 states a level halves the rate compared with keeping none). So states at depths below
     * {@value #KEEP_DEPTH}, the whole of most scenarios, are replayed; deeper ones are kept, at most
     * {@value #KEEP_LIMIT} per level, which bounds the heap a search needs.
     */
    static final int KEEP_DEPTH = 16;
    static final int KEEP_LIMIT = 2048;
    /** How many states of the level being built are kept. */
    private int keptInNext;
    /** Levels narrower than this are expanded by the calling thread alone: workers would cost more than they win. */
    static final int PARALLEL_LEVEL = 64;
    /** {@link #PARALLEL_LEVEL}, or less in tests that want small models expanded by workers. */
    private final int parallelLevel;

    private final Model<S> model;
    private final Options opts;
    private final boolean reduction;
    private final Budget budget;
    final Findings findings = new Findings();
    final FingerprintSet visited = new FingerprintSet(16);
    final Trace trace = new Trace();
    final LevelIndex index = new LevelIndex();
    Level<S> current = new Level<>();
    Level<S> next = new Level<>();
    private final Worker<S> single = new Worker<>();
    /** The initial state as the model made it, never stepped: what a state that was not kept is rebuilt from. */
    private final S initial;

    long transitions;
    long executions;
    long positive;
    long negative;
    long finalStates;
    long positiveFinalStates;
    long deadlocks;
    int depth;
    /** The level being expanded. */
    int level;
    /** The position in {@link #current} of the next state to expand (or the one whose merge stopped). */
    int cursor;
    /** How many children of the state at {@link #cursor} are merged. */
    int applied;
    /** Whether child {@link #applied} was counted (transition, violations) but not yet filed. */
    boolean partial;

    BreadthFirst(Model<S> model, Options opts) {
        this(model, opts, PARALLEL_LEVEL);
    }

    BreadthFirst(Model<S> model, Options opts, int parallelLevel) {
        this.parallelLevel = parallelLevel;
        this.model = model;
        this.opts = opts;
        this.reduction = opts.reduction();
        this.budget = new Budget(opts);
        this.initial = model.initial();
        single.initial = initial;
    }

    /** A 64-bit hash of the model's identity and thread count (a checkpoint records it). */
    long identity() {
        String id = model.identity();
        long h = 0x6d6d73696d2d6964L ^ model.threads();
        for (int i = 0; i < id.length(); i++) {
            h = (h ^ id.charAt(i)) * 0x100000001b3L;
            h ^= h >>> 29;
        }
        return h;
    }

    /** Whether sleep sets are on (a checkpoint records it). */
    boolean reductionOn() {
        return reduction;
    }

    /** What a worker reuses from one state to the next. */
    private static final class Worker<S> {
        /** This worker's own copy of the initial state, to rebuild states from (copying it writes to it). */
        S initial;
        /** By thread: the footprint of the step just taken from the state being expanded. */
        final long[] stepFootprints = new long[Integer.SIZE];
        /** By thread: the footprints that go with the sleep set of the child being built. */
        final long[] childFootprints = new long[Integer.SIZE];
        int[] replayBuffer = new int[64];
    }

    /** The children of one state, in thread order: everything {@link #merge} needs, computed by {@link #expand}. */
    private static final class Expansion<S> {
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

    Report run() {
        if (opts.resume() != null) {
            Checkpoint.read(opts.resume(), this, model.fingerprint(model.initial()));
            restoreStates();
        } else {
            S init = model.initial();
            visited.add(model.fingerprint(init));
            int root = trace.add(-1, 0);
            noteViolations(model.violations(init), root, -1);
            int enabled = model.enabled(init);
            boolean done = model.done(init);
            byte kind = classify(done, done && model.holds(init), enabled, root);
            current.reset(root);
            current.add(1, 0, single.childFootprints, enabled, kind, opts.keepFrontierStates() ? init : null);
            keptInNext = 0;
            account(current);
            next.reset(trace.size());
            index.clear();
        }
        budget.poll(trace.size(), transitions, level);
        try (Workers pool = new Workers(opts.workers())) {
            while (!budget.stopped()) {
                if (opts.workers() == 1 || current.size() - cursor < parallelLevel) {
                    expandLevel();
                } else {
                    expandLevel(pool);
                }
                if (budget.stopped()) {
                    break;
                }
                account(next);
                if (next.size() == 0) {
                    break;
                }
                Level<S> done = current;
                current = next;
                next = done;
                level++;
                cursor = 0;
                next.reset(trace.size());
                keptInNext = 0;
                index.clear();
            }
        }
        if (budget.stopped()) {
            if (opts.checkpoint() != null) {
                Checkpoint.write(opts.checkpoint(), this, model.fingerprint(model.initial()));
            }
            account(next);
        }
        return report();
    }

    /** The rest of the current level, one state at a time. */
    private void expandLevel() {
        for (; cursor < current.size() && !budget.stopped(); cursor++) {
            if (current.kind(cursor) == Level.OPEN && !merge(expand(cursor, single, trace.view()))) {
                return;
            }
            current.release(cursor);
            applied = 0;
        }
    }

    /** The rest of the current level, expanded by the pool's workers a batch at a time and merged in order. */
    private void expandLevel(Workers pool) {
        int workers = opts.workers();
        @SuppressWarnings("unchecked")
        Worker<S>[][] ws = new Worker[2][workers];
        for (int set = 0; set < 2; set++) {
            for (int w = 0; w < workers; w++) {
                ws[set][w] = new Worker<>();
                ws[set][w].initial = model.copy(initial);
            }
        }
        int size = current.size();
        int batchSize = BATCH_PER_WORKER * workers;
        int from = cursor;
        Batch<S> pending = startBatch(pool, from, Math.min(size, from + batchSize), ws[0]);
        for (int b = 0; pending != null; b++) {
            Batch<S> batch = pending;
            batch.jobs.await();
            // the next batch is expanded by the workers while this one is filed here
            pending = batch.to < size ? startBatch(pool, batch.to, Math.min(size, batch.to + batchSize),
                    ws[(b + 1) & 1]) : null;
            for (int i = batch.from; i < batch.to; i++) {
                Expansion<S> e = batch.expansions[i - batch.from];
                if (e != null && !merge(e)) {
                    waitFor(pending);
                    return;
                }
                batch.expansions[i - batch.from] = null;
                current.release(i);
                cursor = i + 1;
                applied = 0;
                if (budget.stopped()) {
                    waitFor(pending);
                    return;
                }
            }
        }
    }

    /** A batch of states being expanded by the workers. */
    private record Batch<S>(int from, int to, Expansion<S>[] expansions, Workers.Pending jobs) {}

    private Batch<S> startBatch(Workers pool, int from, int to, Worker<S>[] ws) {
        int workers = ws.length;
        @SuppressWarnings("unchecked")
        Expansion<S>[] expansions = new Expansion[to - from];
        Trace.View frozen = trace.view();
        Workers.Pending jobs = pool.start(w -> {
            for (int i = from + w; i < to; i += workers) {
                if (current.kind(i) == Level.OPEN) {
                    expansions[i - from] = expand(i, ws[w], frozen);
                }
            }
        });
        return new Batch<>(from, to, expansions, jobs);
    }

    /** Lets a batch started ahead finish before the search goes on (its results are not used). */
    private static void waitFor(Batch<?> b) {
        if (b != null) {
            b.jobs.await();
        }
    }


    /**
     * Takes every enabled, awake thread's step from state {@code i} of the current level; reads only the current
     * level, so several workers may run it at once on different states.
     */
    private Expansion<S> expand(int i, Worker<S> w, Trace.View trace) {
        int number = current.start() + i;
        S s = opts.keepFrontierStates() && current.state(i) != null ? current.state(i) : rebuild(number, w, trace);
        int asleep = reduction ? current.sleep(i) & current.enabled(i) : 0;
        int todo = current.enabled(i) & ~asleep;
        Expansion<S> e = new Expansion<>(i, Integer.bitCount(todo));
        // a child is carried to the merge only if the merge may keep it: holding machines that will be dropped
        // makes every garbage collection until the merge copy them
        boolean keepable = opts.keepFrontierStates() && level + 1 >= KEEP_DEPTH;
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
            int sleep = reduction ? childSleep(i, asleep, explored, footprint, w) : 0;
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
     * Files the children of one expanded state, in order, from child {@link #applied} on.
     *
     * @return false if a budget stopped the search (then {@link #applied} and {@link #partial} say where)
     */
    private boolean merge(Expansion<S> e) {
        int number = current.start() + e.position;
        long paths = current.paths(e.position);
        for (int k = applied; k < e.n; k++) {
            if (!partial) {
                transitions++;
                noteViolations(e.violations.get(k), number, e.thread[k]);
            }
            partial = false;
            int position = index.get(e.fp[k]);
            if (position >= 0) {
                next.merge(position, paths, e.sleep[k], e.sleepFootprints[k]);
            } else {
                int r = discover(e, k, number, paths, level + 1);
                if (r == STOPPED_BEFORE) {
                    applied = k;
                    partial = true;
                    return false;
                }
                if (r == STOPPED_AFTER) {
                    applied = k + 1;
                    return false;
                }
            }
            e.child[k] = null;
            applied = k + 1;
            if ((transitions & 1023) == 0 && !budget.poll(trace.size(), transitions, level)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The sleep set of the child reached by a step with {@code footprint}: the threads asleep here and the
     * siblings already explored (lower thread numbers) whose steps are independent of this one.
     */
    private int childSleep(int i, int asleep, int explored, long footprint, Worker<S> w) {
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

    private static final int DISCOVERED = 0;
    private static final int STOPPED_BEFORE = 1;
    private static final int STOPPED_AFTER = 2;

    /** Numbers child {@code k}, met for the first time, and adds it to the next level. */
    private int discover(Expansion<S> e, int k, int parent, long paths, int childLevel) {
        if (!budget.admit(trace.size())) {
            return STOPPED_BEFORE;
        }
        long fp = e.fp[k];
        if (!visited.add(fp)) {
            throw new IllegalStateException("model is not layered: the state reached by "
                    + Arrays.toString(trace.scheduleThen(parent, e.thread[k]))
                    + " was already found at a shallower depth (fingerprint " + Long.toHexString(fp) + ")");
        }
        int number = trace.add(parent, e.thread[k]);
        byte kind = classify(e.kind[k] == Level.FINAL_POSITIVE || e.kind[k] == Level.FINAL_NEGATIVE,
                e.kind[k] == Level.FINAL_POSITIVE, e.enabled[k], number);
        S kept = opts.keepFrontierStates() && kind == Level.OPEN && childLevel >= KEEP_DEPTH && keptInNext < KEEP_LIMIT
                ? e.child(k) : null;
        if (kept != null) {
            keptInNext++;
        }
        index.put(fp, next.add(paths, e.sleep[k], e.sleepFootprints[k], e.enabled[k], kind, kept));
        depth = childLevel;
        return ((number + 1) & 4095) != 0 || budget.heapOk() ? DISCOVERED : STOPPED_AFTER;
    }

    /** Final (and whether the condition holds), deadlocked or open; remembers the first of each kind. */
    private byte classify(boolean done, boolean holds, int enabled, int number) {
        if (done) {
            finalStates++;
            if (holds) {
                positiveFinalStates++;
                if (findings.witness == null) {
                    findings.witness = trace.schedule(number);
                }
                return Level.FINAL_POSITIVE;
            }
            if (findings.counterWitness == null) {
                findings.counterWitness = trace.schedule(number);
            }
            return Level.FINAL_NEGATIVE;
        }
        if (enabled == 0) {
            deadlocks++;
            if (findings.deadlock == null) {
                findings.deadlock = trace.schedule(number);
            }
            return Level.DEADLOCK;
        }
        return Level.OPEN;
    }

    /** Records violation keys not seen before; the state was reached from {@code parent} by {@code thread}. */
    private void noteViolations(List<String> found, int parent, int thread) {
        if (found.isEmpty()) {
            return;
        }
        for (String key : found) {
            if (!findings.violations.containsKey(key)) {
                findings.putViolation(key, thread < 0 ? trace.schedule(parent) : trace.scheduleThen(parent, thread));
            }
        }
    }

    /** Adds the paths into the final states of a level whose incoming steps are all taken. */
    private void account(Level<S> l) {
        for (int i = 0; i < l.size(); i++) {
            byte k = l.kind(i);
            if (k == Level.FINAL_POSITIVE || k == Level.FINAL_NEGATIVE) {
                executions = Level.saturatingAdd(executions, l.paths(i));
                if (k == Level.FINAL_POSITIVE) {
                    positive = Level.saturatingAdd(positive, l.paths(i));
                } else {
                    negative = Level.saturatingAdd(negative, l.paths(i));
                }
            }
        }
    }

    /** After a resume: the open states of both live levels, rebuilt by replaying their schedules. */
    private void restoreStates() {
        if (!opts.keepFrontierStates()) {
            return;
        }
        for (int i = cursor; i < current.size(); i++) {
            if (current.kind(i) == Level.OPEN) {
                current.keep(i, rebuild(current.start() + i, single, trace.view()));
            }
        }
        for (int i = 0; i < next.size(); i++) {
            if (next.kind(i) == Level.OPEN) {
                next.keep(i, rebuild(next.start() + i, single, trace.view()));
            }
        }
    }

    /** State {@code number} rebuilt from (a copy of) the initial state by replaying its schedule. */
    private S rebuild(int number, Worker<S> w, Trace.View trace) {
        int n = trace.length(number);
        w.replayBuffer = trace.fill(number, w.replayBuffer);
        S s = model.copy(w.initial);
        for (int k = 0; k < n; k++) {
            model.replay(s, w.replayBuffer[k]);
        }
        return s;
    }

    private Report report() {
        return new Report(Options.Mode.EXHAUSTIVE, reduction, trace.size(), transitions, depth, executions,
                positive, negative, finalStates, positiveFinalStates, deadlocks, findings.deadlock,
                findings.witness, findings.counterWitness, findings.violations, !budget.stopped(),
                budget.stopReason(), budget.elapsedNanos(), visited.bytes() + trace.bytes(), visited.bytes());
    }
}
