package org.mmsim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mmsim.explore.Options;

/** A search budget stops exploration cleanly: the outcome is inconclusive and the result says why. */
class BudgetTest {

    @Test
    void aStateBudgetBelowTheStateSpaceLeavesDirtyCowUnder49Inconclusive() throws ScenarioException {
        Scenario b1 = Library.scenario(Library.B1);

        Result r = Checker.check(b1, "4.9", Map.of(), Options.defaults().withMaxStates(3));

        assertThat(r.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
        assertThat(r.stopReason()).isEqualTo("max-states");
        assertThat(r.states()).isEqualTo(3);
        assertThat(r.executions()).isZero();
        assertThat(r.satisfied()).isZero();
        assertThat(r.witness()).isNull();
        assertThat(r.violations()).isEmpty();
    }

    @Test
    void aBudgetAsLargeAsTheStateSpaceSettlesTheOutcome() throws ScenarioException {
        Scenario b1 = Library.scenario(Library.B1);
        long states = Checker.check(b1, "4.9", Map.of()).states();

        Result r = Checker.check(b1, "4.9", Map.of(), Options.defaults().withMaxStates(states));

        assertThat(states).isEqualTo(15);
        assertThat(r.outcome()).isEqualTo(Outcome.NEVER);
        assertThat(r.stopReason()).isNull();
        assertThat(r.states()).isEqualTo(15);
        assertThat(r.ok()).isTrue();
    }

    /**
     * Under 4.8 the sixteenth state found is the witness's final state, after a counter-example: a search stopped
     * there has seen both outcomes and settles on sometimes; one stopped a state earlier has not.
     */
    @Test
    void aBudgetThatStopsOnceBothOutcomesAreSeenStillSettlesSometimes() throws ScenarioException {
        Scenario b1 = Library.scenario(Library.B1);

        Result settled = Checker.check(b1, "4.8", Map.of(), Options.defaults().withMaxStates(16));
        Result early = Checker.check(b1, "4.8", Map.of(), Options.defaults().withMaxStates(15));

        assertThat(settled.stopReason()).isEqualTo("max-states");
        assertThat(settled.states()).isEqualTo(16);
        assertThat(settled.outcome()).isEqualTo(Outcome.SOMETIMES);
        assertThat(settled.executions()).isEqualTo(2);
        assertThat(settled.satisfied()).isEqualTo(1);
        assertThat(settled.witness()).containsExactly(0, 0, 0, 1, 0, 0, 0);
        assertThat(early.stopReason()).isEqualTo("max-states");
        assertThat(early.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
        assertThat(early.executions()).isEqualTo(1);
        assertThat(early.satisfied()).isZero();
        assertThat(early.witness()).isNull();
    }

    /** A clock that advances one second per reading: the budget of S seconds runs out after S readings. */
    private static java.util.function.LongSupplier oneSecondPerReading() {
        long[] now = {0};
        return () -> now[0] += 1_000_000_000L;
    }

    /** How a traced run of {@code s} under 6.18 within {@code b} stops. */
    private static Budget.Exhausted stopped(Scenario s, Budget b) {
        org.mmsim.kernel.profile.KernelProfile p = org.mmsim.kernel.profile.Profiles.byName("6.18");
        return org.assertj.core.api.Assertions.catchThrowableOfType(Budget.Exhausted.class,
                () -> Runner.run(s, p, true, b));
    }

    private static Scenario stores(int n, boolean group) throws ScenarioException {
        StringBuilder sb = new StringBuilder("scenario many\nprocess P\nP: mmap A 4K PROT_READ|PROT_WRITE "
                + "MAP_PRIVATE|MAP_ANONYMOUS\n");
        for (int i = 0; i < n; i++) {
            sb.append("P: store A ").append(i).append('\n');
        }
        if (group) {
            sb.append("thread T1 of P {\n  r0 = load A\n}\nthread T2 of P {\n  store A 7\n}\n");
            sb.append("exists (T1:r0 = 7)\nexpect 6.18 sometimes\n");
        } else {
            sb.append("P: r0 = load A\nexists (P:r0 = 0)\nexpect 6.18 never\n");
        }
        return ScenarioParser.parse("many.mms", sb.toString());
    }

    /** The budget holds inside a sequential scenario: checked after every step, not only between searches. */
    @Test
    void aTimeBudgetStopsASequentialScenarioAfterTheStepThatUsedItUp() throws ScenarioException {
        Scenario s = stores(100, false);

        Result r = Checker.check(s, "6.18", Map.of(),
                Options.defaults().withMaxSeconds(5).withClock(oneSecondPerReading()));

        assertThat(r.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
        assertThat(r.stopReason()).isEqualTo("max-seconds");
        assertThat(r.ok()).as("inconclusive, no violation: not a failure").isTrue();
        assertThat(Checker.check(s, "6.18", Map.of()).outcome()).isEqualTo(Outcome.NEVER);
    }

    @Test
    void runStopsWithTheStepsSoFar() throws ScenarioException {
        Scenario s = stores(100, false);

        Budget.Exhausted x = stopped(s, Budget.of(3, 1, oneSecondPerReading()));

        // the deadline is the start's reading (1 s) + 3 s; the check after step k reads k + 1 s, past it at k = 4
        assertThat(x.steps()).isEqualTo(4);
        assertThat(x.partial().steps()).hasSize(4);
        assertThat(x.partial().finished()).isFalse();
        assertThat(x.getMessage()).isEqualTo("stopped by --max-seconds 3 after 4 steps");
        assertThat(x.reason()).isEqualTo(Budget.MAX_SECONDS);
        assertThat(x.outOfHeap()).isFalse();
        // and one step is one step: the deadline 1.5 s, past it at the check after the first
        assertThat(stopped(s, Budget.of(0.5, 1, oneSecondPerReading())).getMessage())
                .isEqualTo("stopped by --max-seconds 0.5 after 1 step");
    }

    /** The script before the first group of threads used to ignore the budget: it is the explorer's start. */
    @Test
    void aTimeBudgetStopsTheScriptBeforeTheFirstGroup() throws ScenarioException {
        Scenario s = stores(100, true);

        Result r = Checker.check(s, "6.18", Map.of(),
                Options.defaults().withMaxSeconds(5).withClock(oneSecondPerReading()));

        assertThat(r.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
        assertThat(r.stopReason()).isEqualTo("max-seconds");
        assertThat(Checker.check(s, "6.18", Map.of()).outcome()).isEqualTo(Outcome.SOMETIMES);
    }

    /** A single heavy step (MAP_POPULATE of 64 MiB: 16,384 faults) is cut inside, through the kernel's watchdog. */
    @Test
    void aTimeBudgetReachesInsideAHeavyStep() throws ScenarioException {
        Scenario s = ScenarioParser.parse("heavy.mms", """
                scenario heavy
                process P
                P: mmap A 64M PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE
                P: r0 = load A
                exists (P:r0 = 0)
                expect 6.18 always
                """);
        org.mmsim.kernel.profile.KernelProfile p = org.mmsim.kernel.profile.Profiles.byName("6.18");

        Budget.Exhausted x = org.assertj.core.api.Assertions.catchThrowableOfType(Budget.Exhausted.class,
                () -> Runner.run(s, p, false, Budget.of(1, 1, oneSecondPerReading())));

        assertThat(x.steps()).as("stopped inside the first step").isZero();
        assertThat(x.partial().steps()).isEmpty();
        assertThat(Runner.run(s, p, false).conditionHolds()).as("without a budget it runs to the end").isTrue();
    }

    /**
     * A clock that gives a second per reading until its {@code n}th, which throws {@link OutOfMemoryError} as an
     * allocation in the middle of a step would when the heap is full: the budget's readings are made where the model
     * allocates (after each step, and inside steps through the kernel's watchdog).
     */
    private static java.util.function.LongSupplier heapRunsOutAtReading(int n) {
        long[] now = {0};
        return () -> {
            if (++now[0] == n) {
                throw new OutOfMemoryError("Java heap space (a test's)");
            }
            return now[0] * 1_000_000_000L;
        };
    }

    /**
     * A script that fills the heap (a terabyte machine populated) ended in a raw {@link OutOfMemoryError}: a stack
     * trace and exit 1, which said the expectation failed. The run is abandoned as at a budget: inconclusive, stopped
     * at "heap", with no record of the run, since the machine that filled the heap is let go first.
     */
    @Test
    void aRunThatFillsTheHeapIsAbandonedAsInconclusive() throws ScenarioException {
        Scenario s = stores(100, false);

        // reading 1 sets the deadline; the check after step k is reading k + 1, so the sixth throws after five steps
        Budget.Exhausted x = stopped(s, Budget.of(1000, 1, heapRunsOutAtReading(6)));

        assertThat(x.reason()).isEqualTo(Budget.HEAP);
        assertThat(x.outOfHeap()).isTrue();
        assertThat(x.steps()).isEqualTo(5);
        assertThat(x.partial()).isNull();
        assertThat(x.getMessage()).isEqualTo("stopped: the heap ran out (the JVM's maximum, "
                + (Runtime.getRuntime().maxMemory() >> 20) + " MB) after 5 steps");

        Result r = Checker.check(s, "6.18", Map.of(),
                Options.defaults().withMaxSeconds(1000).withClock(heapRunsOutAtReading(3)));
        assertThat(r.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
        assertThat(r.stopReason()).isEqualTo("heap");
        assertThat(r.violations()).isEmpty();
        assertThat(r.ok()).as("inconclusive, no violation: not a failure").isTrue();
    }

    /** The same in the script before the first group of threads: the explorer's start, before any search. */
    @Test
    void aScriptBeforeTheThreadsThatFillsTheHeapLeavesTheSearchInconclusive() throws ScenarioException {
        Scenario s = stores(100, true);

        Result r = Checker.check(s, "6.18", Map.of(),
                Options.defaults().withMaxSeconds(1000).withClock(heapRunsOutAtReading(10)));

        assertThat(r.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
        assertThat(r.stopReason()).isEqualTo("heap");
        assertThat(r.states()).isZero();
        assertThat(Checker.check(s, "6.18", Map.of()).outcome()).isEqualTo(Outcome.SOMETIMES);
    }

    /**
     * A heap limit ({@code --max-heap}) stops a run once the used heap stays above it after a full collection: with a
     * limit of a few bytes, at the first check, after the first step, with the steps so far.
     */
    @Test
    void aHeapLimitStopsARunWithItsStepsSoFar() throws ScenarioException {
        Scenario s = stores(100, false);
        org.mmsim.kernel.profile.KernelProfile p = org.mmsim.kernel.profile.Profiles.byName("6.18");

        Budget.Exhausted x = stopped(s, Budget.of(0, 1e-12, oneSecondPerReading()));

        long max = Runtime.getRuntime().maxMemory() >> 20;
        assertThat(x.reason()).isEqualTo(Budget.HEAP);
        assertThat(x.steps()).isEqualTo(1);
        assertThat(x.partial().steps()).hasSize(1);
        assertThat(x.getMessage()).isEqualTo("stopped by --max-heap 1.0E-12 (more than 0 MB of the JVM's " + max
                + " MB in use after a full collection) after 1 step");

        Result r = Checker.check(s, "6.18", Map.of(), Options.defaults().withHeapFraction(1e-12));
        assertThat(r.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
        assertThat(r.stopReason()).isEqualTo("heap");
        // at or above the whole heap, no limit
        assertThat(Budget.of(0, 1, oneSecondPerReading())).isSameAs(Budget.NONE);
        assertThat(Runner.run(s, p, false, Budget.of(0, 0.99, oneSecondPerReading())).finished()).isTrue();
    }

    /**
     * The limit holds for the script before the first group of threads, which runs on the search's thread; the steps
     * after it are taken by workers on copies of the run at once, and only their deadline goes with them (the search
     * checks the heap itself, between states).
     */
    @Test
    void aHeapLimitHoldsForTheScriptBeforeTheThreadsAndNotInsideTheSearch() throws ScenarioException {
        Scenario s = stores(100, true);
        org.mmsim.kernel.profile.KernelProfile p = org.mmsim.kernel.profile.Profiles.byName("6.18");

        Result r = Checker.check(s, "6.18", Map.of(), Options.defaults().withHeapFraction(1e-12));
        assertThat(r.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
        assertThat(r.stopReason()).isEqualTo("heap");
        assertThat(r.states()).isZero();

        Budget both = Budget.of(1000, 1e-12, oneSecondPerReading());
        assertThat(both.timeOnly()).isNotSameAs(both).isNotSameAs(Budget.NONE);
        assertThat(Budget.of(0, 1e-12, oneSecondPerReading()).timeOnly()).isSameAs(Budget.NONE);
        // a run started past its script, as the explorer's initial state is, steps on under the deadline alone: a
        // thread's step that populates 64 MiB reaches the kernel's watchdog, which would stop it at a heap limit
        Scenario heavy = ScenarioParser.parse("heavy.mms", """
                scenario heavy
                process P
                thread T1 of P {
                  mmap A 64M PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE
                }
                thread T2 of P {
                  mmap B 4K PROT_READ MAP_PRIVATE|MAP_ANONYMOUS
                }
                exists (P:r0 = 1)
                expect 6.18 never
                """.replace("exists (P:r0 = 1)", "exists ([P:A] = 1)"));
        Runner started = Runner.start(heavy, p, false, false, Budget.of(0, 1e-12, oneSecondPerReading()));
        started.stepThread(0);
        started.stepThread(1);
        assertThat(started.finished()).isTrue();
    }
}
