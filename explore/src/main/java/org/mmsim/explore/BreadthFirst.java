package org.mmsim.explore;

import java.util.Arrays;
import java.util.List;

/**
 * One exhaustive search (see the design notes on {@link Explorer}): level-by-level BFS over fingerprints, with
 * a parent/choice {@link Trace}, per-level path counts and, when reduction is on, sleep sets.
 *
 * @param <S> the model state
 */
final class BreadthFirst<S> {
    private final Model<S> model;
    private final Options opts;
    private final boolean reduction;
    private final Budget budget;
    private final Findings findings = new Findings();
    private final FingerprintSet visited = new FingerprintSet(16);
    private final Trace trace = new Trace();
    private final LevelIndex index = new LevelIndex();
    private Level<S> current = new Level<>();
    private Level<S> next = new Level<>();
    /** By thread: the footprint of the step just taken from the state being expanded. */
    private final long[] stepFootprints = new long[Integer.SIZE];
    /** By thread: the footprints that go with the sleep set of the child being built. */
    private final long[] childFootprints = new long[Integer.SIZE];
    private int[] replayBuffer = new int[64];

    private long transitions;
    private long executions;
    private long positive;
    private long negative;
    private long finalStates;
    private long positiveFinalStates;
    private long deadlocks;
    private int depth;

    BreadthFirst(Model<S> model, Options opts) {
        this.model = model;
        this.opts = opts;
        this.reduction = opts.reduction();
        this.budget = new Budget(opts);
    }

    Report run() {
        S init = model.initial();
        visited.add(model.fingerprint(init));
        int root = trace.add(-1, 0);
        noteViolations(init, root, -1);
        int enabled = model.enabled(init);
        byte kind = classify(init, enabled, root);
        current.reset(root);
        current.add(1, 0, childFootprints, enabled, kind, opts.keepFrontierStates() ? init : null);
        account(current);
        budget.poll(1, 0, 0);
        for (int level = 0; !budget.stopped(); level++) {
            next.reset(trace.size());
            index.clear();
            for (int i = 0; i < current.size() && !budget.stopped(); i++) {
                if (current.kind(i) == Level.OPEN) {
                    expand(i, level);
                }
                current.release(i);
            }
            account(next);
            if (next.size() == 0) {
                break;
            }
            Level<S> done = current;
            current = next;
            next = done;
        }
        return report();
    }

    /** Takes every enabled, awake thread's step from state {@code i} of the current level. */
    private void expand(int i, int level) {
        int number = current.start() + i;
        S s = opts.keepFrontierStates() ? current.state(i) : rebuild(number);
        int asleep = reduction ? current.sleep(i) & current.enabled(i) : 0;
        int todo = current.enabled(i) & ~asleep;
        long paths = current.paths(i);
        int explored = 0;
        while (todo != 0) {
            int t = Integer.numberOfTrailingZeros(todo);
            todo &= todo - 1;
            S child = todo == 0 ? s : model.copy(s);
            long footprint = model.step(child, t);
            transitions++;
            long fp = model.fingerprint(child);
            noteViolations(child, number, t);
            int sleep = reduction ? childSleep(i, asleep, explored, footprint) : 0;
            int position = index.get(fp);
            if (position >= 0) {
                next.merge(position, paths, sleep, childFootprints);
            } else if (!discover(child, fp, number, t, paths, sleep, level + 1)) {
                return;
            }
            stepFootprints[t] = footprint;
            explored |= 1 << t;
            if ((transitions & 1023) == 0 && !budget.poll(trace.size(), transitions, level)) {
                return;
            }
        }
    }

    /**
     * The sleep set of the child reached by a step with {@code footprint}: the threads asleep here and the
     * siblings already explored (lower thread numbers) whose steps are independent of this one.
     */
    private int childSleep(int i, int asleep, int explored, long footprint) {
        int sleep = 0;
        for (int m = asleep; m != 0; m &= m - 1) {
            int u = Integer.numberOfTrailingZeros(m);
            long f = current.sleepFootprint(i, u);
            if (independent(f, footprint)) {
                sleep |= 1 << u;
                childFootprints[u] = f;
            }
        }
        for (int m = explored; m != 0; m &= m - 1) {
            int u = Integer.numberOfTrailingZeros(m);
            if (independent(stepFootprints[u], footprint)) {
                sleep |= 1 << u;
                childFootprints[u] = stepFootprints[u];
            }
        }
        return sleep;
    }

    /** Whether steps with footprints {@code a} and {@code b} commute by the {@link Model} contract. */
    static boolean independent(long a, long b) {
        return (a & b) == 0 && a != Model.EVERYTHING && b != Model.EVERYTHING;
    }

    /** Numbers a state met for the first time and adds it to the next level; false if the search must stop. */
    private boolean discover(S child, long fp, int parent, int thread, long paths, int sleep, int level) {
        if (!budget.admit(trace.size())) {
            return false;
        }
        if (!visited.add(fp)) {
            throw new IllegalStateException("model is not layered: the state reached by "
                    + Arrays.toString(trace.scheduleThen(parent, thread))
                    + " was already found at a shallower depth (fingerprint " + Long.toHexString(fp) + ")");
        }
        int number = trace.add(parent, thread);
        int enabled = model.enabled(child);
        byte kind = classify(child, enabled, number);
        S kept = opts.keepFrontierStates() && kind == Level.OPEN ? child : null;
        index.put(fp, next.add(paths, sleep, childFootprints, enabled, kind, kept));
        depth = level;
        return ((number + 1) & 4095) != 0 || budget.heapOk();
    }

    /** Final (and whether the condition holds), deadlocked or open; remembers the first of each kind. */
    private byte classify(S s, int enabled, int number) {
        if (model.done(s)) {
            finalStates++;
            if (model.holds(s)) {
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
    private void noteViolations(S s, int parent, int thread) {
        List<String> found = model.violations(s);
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
    private void account(Level<S> level) {
        for (int i = 0; i < level.size(); i++) {
            byte k = level.kind(i);
            if (k == Level.FINAL_POSITIVE || k == Level.FINAL_NEGATIVE) {
                executions = Level.saturatingAdd(executions, level.paths(i));
                if (k == Level.FINAL_POSITIVE) {
                    positive = Level.saturatingAdd(positive, level.paths(i));
                } else {
                    negative = Level.saturatingAdd(negative, level.paths(i));
                }
            }
        }
    }

    /** State {@code number} rebuilt from the initial state by replaying its schedule. */
    private S rebuild(int number) {
        int n = trace.length(number);
        replayBuffer = trace.fill(number, replayBuffer);
        S s = model.initial();
        for (int k = 0; k < n; k++) {
            model.step(s, replayBuffer[k]);
        }
        return s;
    }

    private Report report() {
        return new Report(Options.Mode.EXHAUSTIVE, reduction, trace.size(), transitions, depth, executions,
                positive, negative, finalStates, positiveFinalStates, deadlocks, findings.deadlock,
                findings.witness, findings.counterWitness, findings.violations, !budget.stopped(),
                budget.stopReason(), budget.elapsedNanos(), visited.bytes() + trace.bytes());
    }
}
