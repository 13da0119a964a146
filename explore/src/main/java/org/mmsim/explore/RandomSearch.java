package org.mmsim.explore;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random executions (random walk or {@link Pct}), each from a fresh initial state and each with its own
 * generator split off one {@link SplittableRandom} seeded with {@link Options#seed}: run r always sees the same
 * random numbers, whatever the other runs did with theirs. Distinct states, final states, positive final states
 * and deadlocks are counted by fingerprint; the shortest schedule found to each finding is kept.
 *
 * @param <S> the model state
 */
final class RandomSearch<S> {
    private final Model<S> model;
    private final Options opts;
    private final Budget budget;
    private final Scheduler scheduler;
    private final Findings findings = new Findings();
    private final FingerprintSet visited = new FingerprintSet(12);
    private final FingerprintSet finals = new FingerprintSet(4);
    private final FingerprintSet positives = new FingerprintSet(4);
    private final FingerprintSet deadlocked = new FingerprintSet(4);
    private int[] schedule = new int[64];

    private long transitions;
    private long executions;
    private long positive;
    private long negative;
    private int longest;

    RandomSearch(Model<S> model, Options opts) {
        this.model = model;
        this.opts = opts;
        this.budget = new Budget(opts);
        this.scheduler = opts.mode() == Options.Mode.PCT
                ? new Pct(model.threads(), opts.pctDepth(), opts.pctSteps())
                : Scheduler.randomWalk();
    }

    Report run() {
        SplittableRandom seeds = new SplittableRandom(opts.seed());
        for (int r = 0; r < opts.runs(); r++) {
            if (!budget.admit(visited.size()) || !budget.poll(visited.size(), transitions, longest)
                    || (r & 3) == 3 && !budget.heapOk()) {
                break;
            }
            scheduler.startRun(seeds.split());
            int length;
            try {
                length = runOnce();
            } catch (StepAbandoned e) {
                if (e.outOfHeap()) {
                    budget.outOfHeap();
                } else {
                    budget.outOfTime();
                }
                break;
            }
            scheduler.endRun(length);
            longest = Math.max(longest, length);
        }
        return new Report(opts.mode(), false, visited.size(), transitions, longest, executions, positive,
                negative, finals.size(), positives.size(), deadlocked.size(), findings.deadlock, findings.witness,
                findings.counterWitness, findings.violations, false, budget.stopReason(), budget.elapsedNanos(),
                visited.bytes() + finals.bytes() + positives.bytes() + deadlocked.bytes(), visited.bytes(), 0, 0);
    }

    /** One execution to a final state, a deadlock or a budget stop; its length. */
    private int runOnce() {
        S s = model.initial();
        visited.add(model.fingerprint(s));
        noteViolations(s, 0);
        int n = 0;
        while (true) {
            if (model.done(s)) {
                finished(s, n);
                return n;
            }
            int enabled = model.enabled(s);
            if (enabled == 0) {
                long fp = model.fingerprint(s);
                deadlocked.add(fp);
                if (findings.wantsDeadlock(n)) {
                    findings.deadlock = Arrays.copyOf(schedule, n);
                }
                return n;
            }
            int t = scheduler.pick(enabled, n);
            model.step(s, t);
            transitions++;
            if (n == schedule.length) {
                schedule = Arrays.copyOf(schedule, n * 2);
            }
            schedule[n++] = t;
            visited.add(model.fingerprint(s));
            noteViolations(s, n);
            if ((transitions & 255) == 0 && (!budget.poll(visited.size(), transitions, Math.max(longest, n))
                    || !budget.heapOk())) {
                return n;
            }
        }
    }

    /** Counts a run that reached final state {@code s} after {@code n} steps. */
    private void finished(S s, int n) {
        executions++;
        long fp = model.fingerprint(s);
        finals.add(fp);
        if (model.holds(s)) {
            positive++;
            positives.add(fp);
            if (findings.wantsWitness(n)) {
                findings.witness = Arrays.copyOf(schedule, n);
            }
        } else {
            negative++;
            if (findings.wantsCounterWitness(n)) {
                findings.counterWitness = Arrays.copyOf(schedule, n);
            }
        }
    }

    private void noteViolations(S s, int n) {
        List<String> found = model.violations(s);
        for (String key : found) {
            if (findings.wantsViolation(key, n)) {
                findings.putViolation(key, Arrays.copyOf(schedule, n));
            }
        }
    }
}
