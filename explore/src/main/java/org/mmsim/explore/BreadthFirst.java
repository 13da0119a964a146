package org.mmsim.explore;

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
 * runs in the same order for any number of workers, so the report does not depend on them. A state whose steps a worker
 * took ahead is filed straight from that record ({@link #fileRecorded}), with no expansion in between: most states are,
 * and their filing is the part of a search that workers cannot share. A search stopped by a budget stops inside a
 * merge; {@link #cursor}, {@link #applied} and {@link #partial} say how far it got, which is what a {@link Checkpoint}
 * records to go on from exactly there.
 *
 * @param <S> the model state
 */
final class BreadthFirst<S> {
    /**
     * Levels narrower than this are expanded by the calling thread alone: workers would cost more than they win
     * ({@link Options#parallelLevel}'s default).
     */
    static final int PARALLEL_LEVEL = 64;
    /**
     * Transitions between two reads of the clock and the interrupt: often, since one transition of a scenario that
     * holds gigabytes can take a second, and a read costs a few nanoseconds against microseconds per transition.
     */
    static final int POLL_PERIOD = 16;
    /** {@link Options#parallelLevel}, or less in tests that want small models expanded by workers. */
    private final int parallelLevel;
    /** The bytes of records past which the workers look only {@value LookaheadPolicy#DEEP_LOOKAHEAD} levels ahead. */
    private final long recordsLimit = Runtime.getRuntime().maxMemory() / LookaheadPolicy.RECORDS_HEAP_SHARE;

    final Model<S> model;
    final Options opts;
    private final boolean reduction;
    final Budget budget;
    final Findings findings = new Findings();
    final FingerprintSet visited = new FingerprintSet(16);
    final Trace trace = new Trace();
    final LevelIndex index = new LevelIndex();
    Level<S> current = new Level<>();
    Level<S> next = new Level<>();
    final Expander<S> expander;
    private final Expander.Worker<S> single = new Expander.Worker<>();
    /** The child being filed ({@link #file}), filled again for each. */
    private final Child<S> child = new Child<>();
    /** The initial state as the model made it, never stepped: what a state that was not kept is rebuilt from. */
    final S initial;

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
     * Whether the search files what its workers expanded after a stop ({@link ParallelLevel#fileAfterStop}): the clock
     * and the interrupt, which stopped it, are not asked again, and the heap check does not count the stop.
     */
    boolean draining;
    /** How many states of the level being built are kept. */
    private int keptInNext;
    /** How many levels the workers expanded ({@link ParallelLevel}): the rest were this thread's alone (tests). */
    int levelsByWorkers;
    /** The most bytes both live levels held when a level was complete, and the open states of that level. */
    private long frontierBytes;
    private long frontierStates;

    BreadthFirst(Model<S> model, Options opts) {
        this(model, opts, opts.parallelLevel());
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
        // the search's own thread merges each expansion before the next, so one serves every state it expands
        single.reused = new Expander.Expansion<>(0, model.threads());
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
            ParallelLevel<S> parallel = new ParallelLevel<>(this, pool);
            while (!budget.stopped()) {
                try {
                    if (opts.workers() == 1 || current.size() - cursor < parallelLevel || fromRecords()) {
                        expandLevel();
                    } else {
                        levelsByWorkers++;
                        parallel.expand();
                    }
                } catch (StepAbandoned e) {
                    if (e.outOfHeap()) {
                        stopOutOfHeap();
                    } else {
                        budget.outOfTime();
                    }
                } catch (HeapExhausted e) {
                    stopOutOfHeap();
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

    /**
     * Stops the search at its heap limit. The records of steps taken ahead are most of what the search holds, and only
     * save work: they are dropped, so that what follows (a checkpoint, the report) has room.
     */
    private void stopOutOfHeap() {
        current.dropRecords();
        next.dropRecords();
        budget.outOfHeap();
    }

    /**
     * Whether every open state left in the current level is read from the steps taken ahead of it
     * ({@link Expander#fromRecord}): such a level is filed by this thread alone, faster than with workers. Reading a
     * state's record costs about what filing its children does, so workers would only wait for this thread, and
     * handing them batches costs more than it saves: on explore-100k, whose levels after the fourth are all read from
     * records, those levels took 19 ms a search with two workers and 14-17 ms with this thread alone.
     */
    private boolean fromRecords() {
        for (int i = cursor; i < current.size(); i++) {
            if (current.kind(i) == Level.OPEN && !expander.fromRecord(current, i)) {
                return false;
            }
        }
        return true;
    }

    /** The rest of the current level, one state at a time. */
    private void expandLevel() {
        int warmed = cursor;
        for (; cursor < current.size() && !budget.stopped(); cursor++) {
            if (cursor == warmed) {
                warmed = Math.min(current.size(), cursor + WARM);
                warm(cursor, warmed);
            }
            if (current.kind(cursor) == Level.OPEN) {
                if (expander.fromRecord(current, cursor)) {
                    if (!fileRecorded(cursor)) {
                        return;
                    }
                } else {
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
            }
            current.release(cursor);
            applied = 0;
        }
    }

    /** States whose records and visited-set slots {@link #warm} reads in one go. */
    private static final int WARM = 32;
    /** What {@link #warm} read, kept so that its reads are not left out. */
    private long warmth;

    /**
     * Reads, for the open states {@code from .. to - 1} read from records, each child's fingerprint and the visited
     * set's slot for it, before any of them is filed: the reads do not wait for one another, so the cache misses
     * of a few dozen children overlap instead of coming one after another as the filing meets them. The visited set
     * is half of what filing a level from records costs (a scratch search of explore-100k that skipped it filed those
     * levels in 4.7 ms instead of 9.7); this takes about a tenth of that half off, whether it reads 8, 32 or 128
     * states ahead.
     */
    private void warm(int from, int to) {
        long sum = 0;
        for (int i = from; i < to; i++) {
            Lookahead record = current.recordRoot(i);
            if (record != null && current.kind(i) == Level.OPEN) {
                int node = current.recordAt(i);
                for (int m = record.coveredAt(node); m != 0; m &= m - 1) {
                    sum += visited.peek(record.fpAt(record.slotIn(node, Integer.numberOfTrailingZeros(m))));
                }
            }
        }
        warmth += sum;
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
    static final class HeapExhausted extends RuntimeException {
        private static final long serialVersionUID = 1L;
        /** Made in advance: when it is thrown, the heap may have no room for a new one. */
        static final HeapExhausted INSTANCE = new HeapExhausted();

        private HeapExhausted() {
            super("heap exhausted while expanding", null, false, false);
        }
    }

    /** How many levels ahead a worker takes the steps of a new state it makes ({@link LookaheadPolicy#depth}). */
    int lookaheadDepth() {
        boolean alone = opts.workers() > 1 && current.size() - cursor < parallelLevel;
        return LookaheadPolicy.depth(trace.size(), transitions, alone, current.bytes() + next.bytes(), recordsLimit);
    }

    /**
     * The most states whose steps one child's tree may take when {@code expanding} states are about to be expanded
     * ({@link LookaheadPolicy#treeStates}).
     */
    int treeStates(int expanding) {
        // a resumed search has found states whose steps it did not take ahead itself
        return LookaheadPolicy.treeStates(opts.maxStates(), Math.max(stepsAhead, trace.size()), expanding,
                model.threads());
    }

    /** Whether the level being built may still keep machines ({@link LookaheadPolicy#mayKeep}). */
    boolean mayKeep() {
        return LookaheadPolicy.mayKeep(opts.keepFrontierStates(), level, keptInNext);
    }

    /**
     * Files the children of one expanded state, in order, from child {@link #applied} on.
     *
     * @return false if a budget stopped the search (then {@link #applied} and {@link #partial} say where)
     */
    boolean merge(Expander.Expansion<S> e) {
        if (applied == 0) {
            stepsAhead += e.stepsAhead;
        }
        int number = current.start() + e.position;
        long paths = current.paths(e.position);
        Child<S> c = child;
        for (int k = applied; k < e.n; k++) {
            Lookahead a = e.ahead[k];
            c.thread = e.thread[k];
            c.fp = e.fp[k];
            c.violations = e.violations[k];
            c.sleep = e.sleep[k];
            c.sleepFootprints = e.sleepFootprints[k];
            c.enabled = e.enabled[k];
            c.kind = e.kind[k];
            c.machine = e.child(k);
            c.record = a == null ? null : a.root;
            c.recordAt = a == null ? 0 : a.at;
            c.recordBytes = e.aheadBytes[k];
            boolean filed = file(k, number, paths, c);
            c.machine = null;
            if (applied > k) { // filed, or a stop after it: a merge that goes on starts after it
                e.child[k] = null;
                e.ahead[k] = null;
            }
            if (!filed) {
                return false;
            }
        }
        return true;
    }

    /**
     * Files the children of open state {@code i} of the current level straight from the record of its steps taken ahead
     * ({@link Expander#fromRecord} must hold), from child {@link #applied} on: what {@link Expander#expand} and
     * {@link #merge} do for such a state, the same children with the same sleep sets in the same order, without an
     * expansion in between or a view of each child's record. Most states of a search are filed this way, by this thread
     * alone (with workers too: {@link #fromRecords}), so this is the part of a search that two workers cannot share.
     *
     * @return false if a budget stopped the search (then {@link #applied} and {@link #partial} say where)
     */
    private boolean fileRecorded(int i) {
        Lookahead record = current.recordRoot(i);
        int node = current.recordAt(i);
        int number = current.start() + i;
        long paths = current.paths(i);
        int enabled = current.enabled(i);
        int asleep = reduction ? current.sleep(i) & enabled : 0;
        Expander.Worker<S> w = single;
        Child<S> c = child;
        int explored = 0;
        for (int m = enabled & ~asleep, k = 0; m != 0; m &= m - 1, k++) {
            int t = Integer.numberOfTrailingZeros(m);
            int slot = record.slotIn(node, t);
            long footprint = record.footprintAt(slot);
            // the sleep set as the expansion works it out, from the siblings before this child: so for every child,
            // the ones a stop left filed too; its footprints go straight into the level, so one array serves all
            int sleep = reduction ? expander.childSleep(current, i, asleep, explored, footprint, w) : 0;
            w.stepFootprints[t] = footprint;
            explored |= 1 << t;
            if (k < applied) {
                continue;
            }
            int childNode = record.childAt(slot);
            c.thread = t;
            c.fp = record.fpAt(slot);
            c.violations = record.violationsAt(slot);
            c.sleep = sleep;
            c.sleepFootprints = sleep == 0 ? null : w.childFootprints;
            c.enabled = record.enabledAt(slot);
            c.kind = record.kindAt(slot);
            c.record = childNode < 0 ? null : record;
            c.recordAt = childNode;
            c.recordBytes = childNode < 0 ? 0 : record.bytesAt(childNode);
            if (!file(k, number, paths, c)) {
                return false;
            }
        }
        return true;
    }

    /**
     * One child on its way to being filed ({@link #file}): the thread that reached it, its fingerprint, violations,
     * sleep set with its footprints, enabled threads and kind, the machine a worker carried for the next level to keep
     * (or null), and the node of its steps taken ahead (or none). One is filled again for each child.
     */
    static final class Child<S> {
        int thread;
        long fp;
        List<String> violations;
        int sleep;
        long[] sleepFootprints;
        int enabled;
        byte kind;
        S machine;
        Lookahead record;
        int recordAt;
        long recordBytes;
    }

    /**
     * Files child {@code k} of state {@code number} (whose paths are {@code paths}): counts its transition and
     * violations (unless a stop left it counted, {@link #partial}), then merges it into the next level if it is there
     * already, else numbers it and adds it ({@link #discover}).
     *
     * @return false if a budget stopped the search (then {@link #applied} and {@link #partial} say where)
     */
    private boolean file(int k, int number, long paths, Child<S> c) {
        if (!partial) {
            transitions++;
            noteViolations(c.violations, number, c.thread);
        }
        partial = false;
        // only a child the visited set holds can be in the next level already: a new one is filed without asking
        // the level index, which a level of new states then never builds
        int position = -1;
        if (visited.contains(c.fp)) {
            try {
                index.build();
            } catch (OutOfMemoryError oom) {
                budget.outOfHeap();
                applied = k;
                partial = true;
                return false;
            }
            position = index.get(c.fp);
        }
        if (position >= 0) {
            next.merge(position, paths, c.sleep, c.sleepFootprints);
            if (c.record != null) {
                next.lookahead(position, c.record, c.recordAt, c.recordBytes);
            }
        } else {
            int r = discover(c, number, paths, level + 1);
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
        applied = k + 1;
        return draining || transitions % POLL_PERIOD != 0 || budget.poll(trace.size(), transitions, level);
    }

    private static final int DISCOVERED = 0;
    private static final int STOPPED_BEFORE = 1;
    private static final int STOPPED_AFTER = 2;

    /** Numbers child {@code c}, met for the first time, and adds it to the next level. */
    private int discover(Child<S> c, int parent, long paths, int childLevel) {
        if (!budget.admit(trace.size())) {
            return STOPPED_BEFORE;
        }
        try {
            // every table this child joins grown first, if it must grow, so that a heap too small for that stops the
            // search here, with the child not filed, instead of leaving it in some tables and not in others
            visited.reserve();
            trace.reserve();
            next.reserve(c.sleep);
            index.reserve();
        } catch (OutOfMemoryError oom) {
            budget.outOfHeap();
            return STOPPED_BEFORE;
        }
        long fp = c.fp;
        if (!visited.add(fp)) {
            throw new IllegalStateException("model is not layered: the state reached by "
                    + Arrays.toString(trace.scheduleThen(parent, c.thread))
                    + " was already found at a shallower depth (fingerprint " + Long.toHexString(fp) + ")");
        }
        int number = trace.add(parent, c.thread);
        byte kind = classify(c.kind == Level.FINAL_POSITIVE || c.kind == Level.FINAL_NEGATIVE,
                c.kind == Level.FINAL_POSITIVE, c.enabled, number);
        S kept = kind == Level.OPEN && mayKeep() ? c.machine : null;
        if (kept != null) {
            keptInNext++;
        }
        int position = next.add(paths, c.sleep, c.sleepFootprints, c.enabled, kind, kept);
        if (c.record != null) {
            next.lookahead(position, c.record, c.recordAt, c.recordBytes);
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
