package org.mmsim.explore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Random walks and PCT: counts over the runs, shortest findings, and reports that are a function of the seed. */
class RandomSearchTest {
    private static final Options WALK = Options.defaults().withMode(Options.Mode.RANDOM_WALK);
    private static final Options PCT = Options.defaults().withMode(Options.Mode.PCT);

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Programs> programs() {
        return Programs.arbitrary(5);
    }

    /**
     * A random mode runs some of the executions, so it finds no more than the exhaustive search of the same model: no
     * more states, final states, positive final states or deadlocks, no deeper state, no violation it did not find, and
     * a witness or a deadlock only where there is one (the same promise {@code fuzz --differential} checks on mutated
     * scenarios).
     */
    @net.jqwik.api.Property(tries = 200)
    void aRandomModeFindsNothingTheExhaustiveSearchDoesNot(@net.jqwik.api.ForAll("programs") Programs model,
            @net.jqwik.api.ForAll boolean pct, @net.jqwik.api.ForAll long seed) {
        Report all = Explorer.explore(model, Options.defaults());
        Report some = Explorer.explore(model, (pct ? PCT : WALK).withSeed(seed).withRuns(30));
        assertThat(some.states()).isLessThanOrEqualTo(all.states());
        assertThat(some.depth()).isLessThanOrEqualTo(all.depth());
        assertThat(some.finalStates()).isLessThanOrEqualTo(all.finalStates());
        assertThat(some.positiveFinalStates()).isLessThanOrEqualTo(all.positiveFinalStates());
        assertThat(some.deadlocks()).isLessThanOrEqualTo(all.deadlocks());
        assertThat(all.violations().keySet()).containsAll(some.violations().keySet());
        if (some.witness() != null) {
            assertThat(all.witness()).isNotNull();
        }
    }

    @Test
    void aRandomWalkCountsEveryRunAndFindsTheLostUpdate() {
        Report r = Explorer.random(new LostUpdate(), WALK);

        assertThat(r.mode()).isEqualTo(Options.Mode.RANDOM_WALK);
        assertThat(r.reduction()).isFalse();
        assertThat(r.executions()).isEqualTo(1000);
        assertThat(r.positive() + r.negative()).isEqualTo(1000);
        assertThat(r.positive()).as("both reads first: probability 1/2").isBetween(400L, 600L);
        assertThat(r.transitions()).isEqualTo(4000);
        assertThat(r.depth()).isEqualTo(4);
        assertThat(r.states()).isEqualTo(13);
        assertThat(r.finalStates()).isEqualTo(3);
        assertThat(r.positiveFinalStates()).isEqualTo(1);
        assertThat(r.witness()).hasSize(4);
        assertThat(r.counterWitness()).hasSize(4);
        assertThat(r.complete()).isFalse();
        assertThat(r.stopReason()).isNull();
    }

    @Test
    void aRandomWalkFindsTheDeadlockWithAShortestSchedule() {
        Report r = Explorer.random(new TwoLocks(), WALK);

        assertThat(r.deadlocks()).isEqualTo(1);
        assertThat(r.deadlockSchedule()).hasSize(2);
        assertThat(r.executions()).as("runs not deadlocked: probability 1/2").isBetween(400L, 600L);
        assertThat(r.negative()).isEqualTo(r.executions());
        assertThat(r.finalStates()).isEqualTo(1);
    }

    @Test
    void pctOfDepthOneRunsEachThreadToCompletionInPriorityOrder() {
        Report r = Explorer.random(new LostUpdate(), PCT.withPctDepth(1));

        assertThat(r.positive()).isZero();
        assertThat(r.negative()).isEqualTo(1000);
        assertThat(r.finalStates()).isEqualTo(2);
        assertThat(r.states()).isEqualTo(9);
        assertThat(r.counterWitness()).isIn(new int[] {0, 0, 1, 1}, new int[] {1, 1, 0, 0});
    }

    @Test
    void pctOfDepthTwoFindsTheLostUpdateWithOneChangePoint() {
        Report r = Explorer.random(new LostUpdate(), PCT.withPctDepth(2));

        assertThat(r.positive()).as("change point at step 2 of 4: probability 1/4").isBetween(150L, 350L);
        assertThat(r.finalStates()).isEqualTo(3);
        assertThat(r.witness()).hasSize(4);
    }

    @Test
    void pctFindsTheDeadlock() {
        Report r = Explorer.random(new TwoLocks(), PCT);

        assertThat(r.deadlocks()).isEqualTo(1);
        assertThat(r.deadlockSchedule()).hasSize(2);
        assertThat(r.mode()).isEqualTo(Options.Mode.PCT);
    }

    @Test
    void violationsKeepTheShortestScheduleOfAllRuns() {
        Counters model = new Counters(2, 3, c -> c[0] == 2 && c[1] >= 1 ? List.of("late") : List.of());

        Report r = Explorer.random(model, WALK);

        assertThat(r.violations()).containsOnlyKeys("late");
        assertThat(r.violations().get("late")).hasSize(3);
    }

    @Test
    void theSameSeedGivesTheSameReport() {
        for (Options opts : List.of(WALK, PCT, PCT.withPctSteps(5))) {
            for (Model<?> model : List.of(new LostUpdate(), new TwoLocks(), new Counters(3, 3))) {
                Report a = Explorer.random(model, opts.withSeed(42));
                Report b = Explorer.random(model, opts.withSeed(42));

                assertThat(a.withoutTiming()).isEqualTo(b.withoutTiming());
            }
        }
    }

    @Test
    void differentSeedsTakeDifferentRuns() {
        for (Options opts : List.of(WALK, PCT)) {
            Set<List<Integer>> firstRuns = new HashSet<>();
            for (long seed = 1; seed <= 10; seed++) {
                Report r = Explorer.random(new LostUpdate(), opts.withRuns(1).withSeed(seed));
                int[] run = r.witness() != null ? r.witness() : r.counterWitness();
                firstRuns.add(Arrays.stream(run).boxed().toList());
            }

            assertThat(firstRuns).hasSizeGreaterThan(1);
        }
    }

    @Test
    void maxStatesIsCheckedBeforeEachRun() {
        Report r = Explorer.random(new Counters(2, 3), WALK.withMaxStates(5));

        assertThat(r.stopReason()).isEqualTo("max-states");
        assertThat(r.executions()).isEqualTo(1);
        assertThat(r.states()).isEqualTo(7);
    }

    @Test
    void exhaustiveModeIsNotARandomMode() {
        assertThatThrownBy(() -> Explorer.random(new LostUpdate(), Options.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("random search needs mode RANDOM_WALK or PCT: EXHAUSTIVE");
    }

    @Test
    void exploreDispatchesOnTheMode() {
        assertThat(Explorer.explore(new LostUpdate(), WALK.withRuns(3)).executions()).isEqualTo(3);
        assertThat(Explorer.explore(new LostUpdate(), Options.defaults()).states()).isEqualTo(13);
    }
}
