package org.mmsim.explore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Breadth-first search on the toy models, with and without sleep sets: exact counts and shortest schedules. */
class ExhaustiveTest {
    private static final Options FULL = Options.defaults().withReduction(false);
    private static final Options REDUCED = Options.defaults();

    @Test
    void twoIndependentThreadsOfTwoStepsHaveNineStatesAndSixExecutions() {
        Report r = Explorer.exhaustive(new Counters(2, 2), FULL);

        assertThat(r.states()).isEqualTo(9);
        assertThat(r.transitions()).isEqualTo(12);
        assertThat(r.depth()).isEqualTo(4);
        assertThat(r.executions()).isEqualTo(6);
        assertThat(r.positive()).isEqualTo(6);
        assertThat(r.negative()).isZero();
        assertThat(r.finalStates()).isEqualTo(1);
        assertThat(r.positiveFinalStates()).isEqualTo(1);
        assertThat(r.deadlocks()).isZero();
        assertThat(r.witness()).containsExactly(0, 0, 1, 1);
        assertThat(r.counterWitness()).isNull();
        assertThat(r.complete()).isTrue();
        assertThat(r.stopReason()).isNull();
        assertThat(r.mode()).isEqualTo(Options.Mode.EXHAUSTIVE);
        assertThat(r.reduction()).isFalse();
    }

    @Test
    void sleepSetsKeepEveryStateButExploreOneExecutionOfIndependentThreads() {
        Report r = Explorer.exhaustive(new Counters(2, 2), REDUCED);

        assertThat(r.states()).isEqualTo(9);
        assertThat(r.transitions()).isEqualTo(8);
        assertThat(r.executions()).isEqualTo(1);
        assertThat(r.finalStates()).isEqualTo(1);
        assertThat(r.witness()).containsExactly(0, 0, 1, 1);
        assertThat(r.reduction()).isTrue();
    }

    @Test
    void threeThreadsOfTwoStepsCountTheMultinomialOfExecutions() {
        Report full = Explorer.exhaustive(new Counters(3, 2), FULL);
        Report reduced = Explorer.exhaustive(new Counters(3, 2), REDUCED);

        assertThat(full.states()).isEqualTo(27);
        assertThat(full.executions()).isEqualTo(90);
        assertThat(full.transitions()).isEqualTo(54);
        assertThat(reduced.states()).isEqualTo(27);
        assertThat(reduced.transitions()).isEqualTo(26);
        assertThat(reduced.executions()).isEqualTo(1);
        assertThat(reduced.depth()).isEqualTo(full.depth()).isEqualTo(6);
    }

    @Test
    void pathCountsSaturateInsteadOfOverflowing() {
        Report r = Explorer.exhaustive(new Counters(4, 20), FULL);

        assertThat(r.states()).isEqualTo(21L * 21 * 21 * 21);
        assertThat(r.executions()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void lostUpdateIsFoundWithAShortestWitness() {
        Report r = Explorer.exhaustive(new LostUpdate(), FULL);

        assertThat(r.states()).isEqualTo(13);
        assertThat(r.transitions()).isEqualTo(14);
        assertThat(r.executions()).isEqualTo(6);
        assertThat(r.positive()).isEqualTo(4);
        assertThat(r.negative()).isEqualTo(2);
        assertThat(r.finalStates()).isEqualTo(3);
        assertThat(r.positiveFinalStates()).isEqualTo(1);
        assertThat(r.witness()).containsExactly(0, 1, 0, 1);
        assertThat(r.counterWitness()).containsExactly(0, 0, 1, 1);
    }

    @Test
    void conflictingStepsAreAllExploredWithReduction() {
        Report full = Explorer.exhaustive(new LostUpdate(), FULL);
        Report reduced = Explorer.exhaustive(new LostUpdate(), REDUCED);

        assertThat(reduced.withoutTiming()).usingRecursiveComparison().ignoringFields("reduction")
                .isEqualTo(full.withoutTiming());
        assertThat(reduced.executions()).isEqualTo(6);
    }

    @Test
    void locksTakenInOppositeOrderDeadlockAfterTwoSteps() {
        Report r = Explorer.exhaustive(new TwoLocks(), FULL);

        assertThat(r.deadlocks()).isEqualTo(1);
        assertThat(r.deadlockSchedule()).containsExactly(0, 1);
        assertThat(r.executions()).isEqualTo(4);
        assertThat(r.finalStates()).isEqualTo(1);
        assertThat(r.counterWitness()).hasSize(8);
        assertThat(r.witness()).isNull();
    }

    /** The four executions fall into two classes (swap thread 0's unlock A with thread 1's lock B, or back). */
    @Test
    void theDeadlockSurvivesReduction() {
        Report full = Explorer.exhaustive(new TwoLocks(), FULL);
        Report reduced = Explorer.exhaustive(new TwoLocks(), REDUCED);

        assertThat(reduced.deadlocks()).isEqualTo(1);
        assertThat(reduced.deadlockSchedule()).containsExactly(0, 1);
        assertThat(reduced.states()).isEqualTo(full.states());
        assertThat(reduced.executions()).isEqualTo(2);
        assertThat(reduced.transitions()).isLessThan(full.transitions());
    }

    @Test
    void violationsKeepTheirShortestScheduleInTheOrderFound() {
        Counters model = new Counters(2, 3, c -> {
            List<String> v = new ArrayList<>();
            if (c[0] == 2) {
                v.add("counter0 reached 2");
            }
            if (c[0] >= 1 && c[1] >= 1) {
                v.add("both started");
            }
            return v;
        });

        for (Options opts : List.of(FULL, REDUCED)) {
            Report r = Explorer.exhaustive(model, opts);

            assertThat(r.violations()).containsOnlyKeys("counter0 reached 2", "both started");
            assertThat(r.violations().keySet()).containsExactly("counter0 reached 2", "both started");
            assertThat(r.violations().get("counter0 reached 2")).containsExactly(0, 0);
            assertThat(r.violations().get("both started")).containsExactly(0, 1);
        }
    }

    @Test
    void aViolatingInitialStateHasTheEmptySchedule() {
        Report r = Explorer.exhaustive(new Counters(1, 1, c -> List.of("always")), FULL);

        assertThat(r.violations()).containsOnlyKeys("always");
        assertThat(r.violations().get("always")).isEmpty();
    }

    @Test
    void anInitialStateThatIsFinalIsOneStateAndOneExecution() {
        Report r = Explorer.exhaustive(new Counters(2, 0), REDUCED);

        assertThat(r.states()).isEqualTo(1);
        assertThat(r.transitions()).isZero();
        assertThat(r.depth()).isZero();
        assertThat(r.executions()).isEqualTo(1);
        assertThat(r.finalStates()).isEqualTo(1);
        assertThat(r.witness()).isEmpty();
        assertThat(r.complete()).isTrue();
    }

    @Test
    void rebuildingFrontierStatesFromTheTraceGivesTheSameReport() {
        // Counters(2, 9) is 18 steps deep: its last levels are kept (LookaheadPolicy.KEEP_DEPTH) when asked to
        for (Model<?> model : List.of(new Counters(3, 3), new Counters(2, 9), new LostUpdate(), new TwoLocks())) {
            for (Options opts : List.of(FULL, REDUCED)) {
                Report kept = Explorer.exhaustive(model, opts.withKeepFrontierStates(true));
                Report rebuilt = Explorer.exhaustive(model, opts);

                assertThat(rebuilt.withoutTiming()).isEqualTo(kept.withoutTiming());
            }
        }
    }

    @Test
    void visitedBytesCountTheFingerprintTableAndTheTrace() {
        Report r = Explorer.exhaustive(new Counters(2, 2), REDUCED);

        assertThat(r.visitedBytes()).isEqualTo(8L * 65536 + 5L * 1024);
        assertThat(r.bytesPerState()).isEqualTo((8.0 * 65536 + 5 * 1024) / 9);
        assertThat(r.fingerprintBytes()).isEqualTo(8L * 65536);
    }

    @Test
    void aModelThatIsNotLayeredIsRejected() {
        Counters wrapped = new Counters(2, 1);
        Model<int[]> notLayered = new Delegating<>(wrapped) {
            @Override
            public long fingerprint(int[] s) {
                return s[0] + s[1] == 2 ? 0 : wrapped.fingerprint(s);
            }
        };

        assertThatThrownBy(() -> Explorer.exhaustive(notLayered, FULL))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("model is not layered: the state reached by [0, 1] was already found at a shallower"
                        + " depth (fingerprint 0)");
        // with workers at every level, the search files their batches in the same order and finds the same state
        assertThatThrownBy(() -> new BreadthFirst<>(notLayered, FULL.withWorkers(2), 1).run())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("model is not layered: the state reached by [0, 1] was already found at a shallower"
                        + " depth (fingerprint 0)");
    }

    @Test
    void withWorkersTheVisitedSetEndsAsWithOne() {
        for (Options opts : List.of(FULL, REDUCED)) {
            BreadthFirst<int[]> one = new BreadthFirst<>(new Counters(3, 3), opts, 1);
            Report r1 = one.run();
            BreadthFirst<int[]> two = new BreadthFirst<>(new Counters(3, 3), opts.withWorkers(2), 1);
            Report r2 = two.run();

            assertThat(r2.withoutTiming()).isEqualTo(r1.withoutTiming());
            assertThat(two.visited.size()).isEqualTo(one.visited.size()).isEqualTo(r1.states());
            assertThat(two.visited.bytes()).isEqualTo(one.visited.bytes());
        }
    }
}
