package org.mmsim.explore;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One exhaustive search (see the design notes on {@link Explorer}): level-by-level BFS over fingerprints, with
 * a parent/choice {@link Trace}, per-level path counts and, when reduction is on, sleep sets.
 *
 * <p>Each state is handled in two halves. {@link Expander#expand} takes its steps: copies, steps, fingerprints,
 * violations, enabled threads and sleep sets of its children, touching nothing the search shares, so workers run it
 * for many states at once. {@link #merge} then files the children, one after another in state and thread order: counts,
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
    /** Batches the workers may be expanding while the search files an earlier one. */
    private static final int IN_FLIGHT = 3;
    /** States a worker claims at a time within a batch. */
    private static final int CLAIM = 8;
    /** Levels narrower than this are expanded by the calling thread alone: workers would cost more than they win. */
    static final int PARALLEL_LEVEL = 64;
    /**
     * Transitions between two reads of the clock and the interrupt: often, since one transition of a scenario that
     * holds gigabytes can take a second, and a read costs a few nanoseconds against microseconds per transition.
     */
    static final int POLL_PERIOD = 16;
    /** {@link #PARALLEL_LEVEL}, or less in tests that want small models expanded by workers. */
    private final int parallelLevel;
    /** The bytes of records past which the workers look only {@value LookaheadPolicy#DEEP_LOOKAHEAD} levels ahead. */
    private final long recordsLimit = Runtime.getRuntime().maxMemory() / LookaheadPolicy.RECORDS_HEAP_SHARE;

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
    private final Expander<S> expander;
    /** The children that workers look ahead from, level by level ({@link Workers.Claims}). */
    private final Workers.Claims claims = new Workers.Claims();
    private final Expander.Worker<S> single = new Expander.Worker<>();
    /** The initial state as the model made it, never stepped: what a state that was not kept is rebuilt from. */
    private final S initial;

    long transitions;
    /** The steps taken ahead of their states' turns so far, counted as expansions are merged ({@link #treeStates}). */
    private long stepsAhead;
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
    /**
     * Whether the search files what its workers expanded after a stop ({@link #fileAfterStop}): the clock and the
     * interrupt, which stopped it, are not asked again, and the heap check does not count the stop.
     */
    private boolean draining;
    /** How many states of the level being built are kept. */
    private int keptInNext;
    /** The most bytes both live levels held when a level was complete, and the open states of that level. */
    private long frontierBytes;
    private long frontierStates;

    BreadthFirst(Model<S> model, Options opts) {
        this(model, opts, PARALLEL_LEVEL);
    }

    BreadthFirst(Model<S> model, Options opts, int parallelLevel) {
        this(model, opts, parallelLevel, true);
    }

    /** As {@link #BreadthFirst(Model, Options, int)}, with steps taken ahead ({@link Lookahead}) on or off. */
    BreadthFirst(Model<S> model, Options opts, int parallelLevel, boolean lookahead) {
        this.parallelLevel = parallelLevel;
        this.model = model;
        this.opts = opts;
        this.reduction = opts.reduction();
        this.budget = new Budget(opts);
        this.expander = new Expander<>(model, opts, lookahead);
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

    /** The model's identity in named parts (a checkpoint records them, to say what differs when it is refused). */
    Map<String, String> identityParts() {
        return model.identityParts();
    }

    /** Whether sleep sets are on (a checkpoint records it). */
    boolean reductionOn() {
        return reduction;
    }

    Report run() {
        if (opts.resume() != null) {
            Checkpoint.read(opts.resume(), this, model.fingerprint(initial));
            budget.resumedWith(trace.size());
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
                try {
                    if (opts.workers() == 1 || current.size() - cursor < parallelLevel) {
                        expandLevel();
                    } else {
                        expandLevel(pool);
                    }
                } catch (StepAbandoned e) {
                    budget.outOfTime();
                } catch (HeapExhausted e) {
                    // the records of steps taken ahead are most of what the search holds, and only save work: drop
                    // them, so that what follows (a checkpoint, the report) has room
                    current.dropRecords();
                    next.dropRecords();
                    budget.outOfHeap();
                }
                if (budget.stopped()) {
                    break;
                }
                account(next);
                if (next.size() == 0) {
                    break;
                }
                // every state of the level just expanded was released with its record: only its arrays remain
                long bytes = current.arrayBytes() + next.bytes();
                if (bytes > frontierBytes) {
                    frontierBytes = bytes;
                    frontierStates = next.size();
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
                Checkpoint.write(opts.checkpoint(), this, model.fingerprint(initial));
            }
            account(next);
        }
        return report();
    }

    /** The rest of the current level, one state at a time. */
    private void expandLevel() {
        for (; cursor < current.size() && !budget.stopped(); cursor++) {
            if (current.kind(cursor) == Level.OPEN) {
                Expander.Expansion<S> e;
                try {
                    e = expander.expand(current, cursor, single, trace.view(), visited, null, lookaheadDepth(),
                            treeStates(1), mayKeep(), () -> false);
                } catch (OutOfMemoryError oom) {
                    throw HeapExhausted.INSTANCE;
                }
                if (!merge(e)) {
                    return;
                }
            }
            current.release(cursor);
            applied = 0;
        }
    }

    /**
     * The heap ran out while states were being expanded, between two of the search's heap checks ({@link #discover}
     * checks every 256 new states, and the workers' batches in flight can fill what a small heap has left in
     * between). Nothing the search shares was being changed then: the expansions in progress are dropped, as a step
     * the model abandons is, and the search stops at its heap limit with what it found; a checkpoint resumes at the
     * first state not filed. The search's own tables are grown before a child joins any of them
     * ({@link #discover}), so that running out while it files children stops it the same way; an
     * {@link OutOfMemoryError} anywhere else in the search's own work is not caught.
     */
    private static final class HeapExhausted extends RuntimeException {
        private static final long serialVersionUID = 1L;
        /** Made in advance: when it is thrown, the heap may have no room for a new one. */
        static final HeapExhausted INSTANCE = new HeapExhausted();

        private HeapExhausted() {
            super("heap exhausted while expanding", null, false, false);
        }
    }

    /** The rest of the current level, expanded by the pool's workers a batch at a time and merged in order. */
    private void expandLevel(Workers pool) {
        claims.renew(level);
        int workers = opts.workers();
        @SuppressWarnings("unchecked")
        Expander.Worker<S>[][] ws = new Expander.Worker[IN_FLIGHT][workers];
        for (int set = 0; set < IN_FLIGHT; set++) {
            for (int w = 0; w < workers; w++) {
                ws[set][w] = new Expander.Worker<>();
                ws[set][w].initial = model.copy(initial);
            }
        }
        int size = current.size();
        int batchSize = BATCH_PER_WORKER * workers;
        // batches started and not yet filed, oldest first: while one is filed here, the workers expand the others, and
        // a worker done with its share of one goes straight on to the next instead of waiting for this thread
        ArrayDeque<Batch<S>> pending = new ArrayDeque<>();
        int next = cursor;
        // the batch started IN_FLIGHT batches earlier is filed by the time its worker set is used again
        for (int started = 0; ; ) {
            while (pending.size() < IN_FLIGHT && next < size) {
                int to = Math.min(size, next + batchSize);
                pending.add(startBatch(pool, next, to, ws[started++ % IN_FLIGHT]));
                next = to;
            }
            Batch<S> batch = pending.poll();
            if (batch == null) {
                return;
            }
            boolean abandoned;
            try {
                // polling the budget while the workers work: a batch looked ahead from to the leaves can take seconds;
                // once it says stop, every batch in flight is given up at once, so that no worker starts on the next
                abandoned = batch.jobs.await(() -> {
                    if (budget.poll(trace.size(), transitions, level)) {
                        return false;
                    }
                    pending.forEach(b -> b.jobs.abandon());
                    return true;
                });
            } catch (OutOfMemoryError oom) {
                // what the batches hold is garbage once the workers are done with them
                settle(pending);
                throw HeapExhausted.INSTANCE;
            }
            if (abandoned || !file(batch)) {
                if (budget.stoppedByClock()) {
                    fileAfterStop(batch, pending);
                } else {
                    waitFor(pending);
                }
                return;
            }
        }
    }

    /**
     * Files the states of {@code batch} from the {@link #cursor} on: all of them, since the workers expanded them all,
     * or, after a stop ({@link #draining}), up to the first state no worker took.
     *
     * @return whether all were filed: false at a stop (the cursor and {@link #applied} then say where), or, while
     *     draining, at the first state no worker took, or when the state budget or the heap stopped the filing
     */
    private boolean file(Batch<S> batch) {
        for (int i = cursor; i < batch.to; i++) {
            Expander.Expansion<S> e = batch.expansions[i - batch.from];
            // an open state without an expansion is one no worker took after a stop
            if (e == null ? draining && current.kind(i) == Level.OPEN : !merge(e)) {
                return false;
            }
            filed(batch, i);
            if (!draining && budget.stopped()) {
                return false;
            }
        }
        return true;
    }

    /** State {@code i} of {@code batch} is filed: the cursor goes on to the next. */
    private void filed(Batch<S> batch, int i) {
        batch.expansions[i - batch.from] = null;
        current.release(i);
        cursor = i + 1;
        applied = 0;
    }

    /**
     * After a stop by the clock or an interrupt while the workers expanded {@code batch} or while it was filed: files
     * what they had expanded, in order, as an uninterrupted search would have, up to the first state no worker took
     * (the batches after it only once it is filed whole), so that a checkpoint keeps their work. With the batches in
     * flight given up, they took no further state and cut short the steps they took ahead of the children
     * ({@link Lookahead.Builder#full}), so every state they took is expanded once they end, with records that cover
     * less. Why: with two workers the first batch of a level can be most of a search, so dropping the batches in
     * flight would drop most of the work (stopped after 705,257 of the 1.1 million steps of explore-1m, such a
     * checkpoint held 337 states and no records, and the resumed search took every step again). A stop by the state
     * budget or the heap files nothing more ({@link #waitFor}).
     */
    private void fileAfterStop(Batch<S> batch, ArrayDeque<Batch<S>> rest) {
        rest.forEach(b -> b.jobs.abandon());
        draining = true;
        try {
            if (!file(batch)) {
                return;
            }
            for (Batch<S> b; (b = rest.poll()) != null; ) {
                try {
                    b.jobs.await();
                } catch (OutOfMemoryError dropped) {
                    return;
                }
                if (!file(b)) {
                    return;
                }
            }
        } finally {
            draining = false;
            waitFor(rest);
        }
    }

    /** A batch of states being expanded by the workers. */
    private record Batch<S>(int from, int to, Expander.Expansion<S>[] expansions, Workers.Pending jobs) {}

    private Batch<S> startBatch(Workers pool, int from, int to, Expander.Worker<S>[] ws) {
        @SuppressWarnings("unchecked")
        Expander.Expansion<S>[] expansions = new Expander.Expansion[to - from];
        Trace.View frozen = trace.view();
        int ahead = lookaheadDepth();
        // the batches in flight took their share of the budget's room from the same count of steps taken ahead
        int treeStates = treeStates((to - from) * IN_FLIGHT);
        boolean carry = mayKeep();
        // claimed a few at a time, whoever is free next: a state that is rebuilt and looked ahead from costs a hundred
        // times one expanded from its record, so fixed shares would leave a worker idle; in a small batch (a narrow
        // level of such states) one or two at a time, so that no worker is left alone with the last big claim
        int claim = Math.max(1, Math.min(CLAIM, (to - from) / (16 * ws.length)));
        Workers.Pending jobs = pool.forEach(from, to, claim, (w, i, abandoned) -> {
            if (current.kind(i) == Level.OPEN) {
                expansions[i - from] = expander.expand(current, i, ws[w], frozen, visited, claims, ahead, treeStates,
                        carry, abandoned);
            }
        });
        return new Batch<>(from, to, expansions, jobs);
    }

    /** How many levels ahead a worker takes the steps of a new state it makes ({@link LookaheadPolicy#depth}). */
    private int lookaheadDepth() {
        boolean alone = opts.workers() > 1 && current.size() - cursor < parallelLevel;
        return LookaheadPolicy.depth(trace.size(), transitions, alone, current.bytes() + next.bytes(), recordsLimit);
    }

    /**
     * The most states whose steps one child's tree may take when {@code expanding} states are about to be expanded
     * ({@link LookaheadPolicy#treeStates}).
     */
    private int treeStates(int expanding) {
        // a resumed search has found states whose steps it did not take ahead itself
        return LookaheadPolicy.treeStates(opts.maxStates(), Math.max(stepsAhead, trace.size()), expanding,
                model.threads());
    }

    /** Whether the level being built may still keep machines ({@link LookaheadPolicy#mayKeep}). */
    private boolean mayKeep() {
        return LookaheadPolicy.mayKeep(opts.keepFrontierStates(), level, keptInNext);
    }

    /** Lets the batches started ahead finish, whatever they throw: the search is stopping and drops them. */
    private static void settle(ArrayDeque<? extends Batch<?>> batches) {
        for (Batch<?> b : batches) {
            try {
                b.jobs.await();
            } catch (RuntimeException | Error dropped) {
                // the search stops at its heap limit whatever else a dropped batch ran into
            }
        }
        batches.clear();
    }

    /**
     * Lets the batches started ahead finish before the search goes on (their results are not used). One that ran out
     * of heap is dropped like the others: the search is stopping, often because its heap check found the heap full.
     */
    private static void waitFor(ArrayDeque<? extends Batch<?>> batches) {
        for (Batch<?> b : batches) {
            b.jobs.abandon();
        }
        for (Batch<?> b : batches) {
            try {
                b.jobs.await();
            } catch (OutOfMemoryError dropped) {
                // what it held is garbage now
            }
        }
    }

    /**
     * Files the children of one expanded state, in order, from child {@link #applied} on.
     *
     * @return false if a budget stopped the search (then {@link #applied} and {@link #partial} say where)
     */
    private boolean merge(Expander.Expansion<S> e) {
        if (applied == 0) {
            stepsAhead += e.stepsAhead;
        }
        int number = current.start() + e.position;
        long paths = current.paths(e.position);
        for (int k = applied; k < e.n; k++) {
            if (!partial) {
                transitions++;
                noteViolations(e.violations[k], number, e.thread[k]);
            }
            partial = false;
            int position = index.get(e.fp[k]);
            if (position >= 0) {
                next.merge(position, paths, e.sleep[k], e.sleepFootprints[k]);
                if (e.ahead[k] != null) {
                    next.lookahead(position, e.ahead[k], e.aheadBytes[k]);
                }
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
            e.ahead[k] = null;
            applied = k + 1;
            if (!draining && transitions % POLL_PERIOD == 0 && !budget.poll(trace.size(), transitions, level)) {
                return false;
            }
        }
        return true;
    }

    private static final int DISCOVERED = 0;
    private static final int STOPPED_BEFORE = 1;
    private static final int STOPPED_AFTER = 2;

    /** Numbers child {@code k}, met for the first time, and adds it to the next level. */
    private int discover(Expander.Expansion<S> e, int k, int parent, long paths, int childLevel) {
        if (!budget.admit(trace.size())) {
            return STOPPED_BEFORE;
        }
        try {
            // every table this child joins grown first, if it must grow, so that a heap too small for that stops the
            // search here, with the child not filed, instead of leaving it in some tables and not in others
            visited.reserve();
            trace.reserve();
            next.reserve(e.sleep[k]);
            index.reserve();
        } catch (OutOfMemoryError oom) {
            budget.outOfHeap();
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
        S kept = kind == Level.OPEN && mayKeep() ? e.child(k) : null;
        if (kept != null) {
            keptInNext++;
        }
        int position = next.add(paths, e.sleep[k], e.sleepFootprints[k], e.enabled[k], kind, kept);
        if (e.ahead[k] != null) {
            next.lookahead(position, e.ahead[k], e.aheadBytes[k]);
        }
        index.put(fp, position);
        depth = childLevel;
        return ((number + 1) & 255) != 0 || (draining ? budget.heapRoom() : budget.heapOk()) ? DISCOVERED
                : STOPPED_AFTER;
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

    private Report report() {
        return new Report(Options.Mode.EXHAUSTIVE, reduction, trace.size(), transitions, depth, executions,
                positive, negative, finalStates, positiveFinalStates, deadlocks, findings.deadlock,
                findings.witness, findings.counterWitness, findings.violations, !budget.stopped(),
                budget.stopReason(), budget.elapsedNanos(), visited.bytes() + trace.bytes(), visited.bytes(),
                frontierBytes, frontierStates);
    }
}
