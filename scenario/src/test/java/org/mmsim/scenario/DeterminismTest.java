package org.mmsim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mmsim.explore.Explorer;
import org.mmsim.explore.Options;
import org.mmsim.explore.Report;
import org.mmsim.kernel.profile.KernelProfile;

/**
 * Exploring a scenario is a function of the scenario, the profile and the options: two searches give equal
 * reports, the random modes included when they share a seed; and a schedule replayed from the start reaches the
 * very state (by fingerprint) that stepping the model through the same choices reaches.
 */
class DeterminismTest {

    @Test
    void exhaustiveExplorationTwiceGivesEqualReports() throws ScenarioException {
        for (String[] c : new String[][] {{Library.B1, "4.8"}, {Library.B7, "5.9"},
                {"races/race-free-fork-vs-stores.mms", "6.18"}}) {
            Scenario s = Library.scenario(c[0]);
            KernelProfile p = Library.profile(s, c[1]);

            Report first = Checker.explore(s, p, Options.defaults());
            Report second = Checker.explore(s, p, Options.defaults());

            assertThat(second.withoutTiming()).as("%s under %s", c[0], c[1]).isEqualTo(first.withoutTiming());
            assertThat(first.withoutTiming().elapsedNanos()).isZero();
        }
    }

    @Test
    void randomWalkAndPctWithTheSameSeedGiveEqualReports() throws ScenarioException {
        Scenario b7 = Library.scenario(Library.B7);
        KernelProfile p = Library.profile(b7, "5.9");
        for (Options.Mode mode : new Options.Mode[] {Options.Mode.RANDOM_WALK, Options.Mode.PCT}) {
            Options opts = Options.defaults().withMode(mode).withSeed(42).withRuns(200);

            Report first = Checker.explore(b7, p, opts);
            Report second = Checker.explore(b7, p, opts);

            assertThat(second.withoutTiming()).as(mode.name()).isEqualTo(first.withoutTiming());
            assertThat(first.mode()).isEqualTo(mode);
            assertThat(first.executions()).as(mode.name()).isEqualTo(200);
            assertThat(first.positive() + first.negative()).as(mode.name()).isEqualTo(200);
            assertThat(first.deadlocks()).as(mode.name()).isZero();
            assertThat(first.complete()).as(mode.name()).isFalse();
        }
    }

    @Test
    void aReplayedScheduleReachesTheStateTheModelReachesStepByStep() throws ScenarioException {
        Scenario b1 = Library.scenario(Library.B1);
        KernelProfile p = Library.profile(b1, "4.8");
        Report r = Checker.explore(b1, p, Options.defaults());
        assertThat(r.witness()).isNotNull();
        assertThat(r.counterWitness()).isNotNull();

        for (int[] schedule : new int[][] {r.witness(), r.counterWitness()}) {
            ScenarioModel tracked = new ScenarioModel(b1, p, true);
            ScenarioModel plain = new ScenarioModel(b1, p, false);
            Runner stepped = tracked.initial();
            Set<Long> seen = new HashSet<>();
            seen.add(tracked.fingerprint(stepped));
            for (int i = 0; i < schedule.length; i++) {
                tracked.step(stepped, schedule[i]);
                int[] prefix = Arrays.copyOf(schedule, i + 1);
                long fp = tracked.fingerprint(stepped);
                assertThat(Runner.replay(b1, p, false, prefix).fingerprint()).as("prefix %d", i + 1).isEqualTo(fp);
                assertThat(Runner.replay(b1, p, true, prefix).fingerprint()).as("traced prefix %d", i + 1)
                        .isEqualTo(fp);
                assertThat(plain.fingerprint(Explorer.replay(plain, prefix))).as("untracked prefix %d", i + 1)
                        .isEqualTo(fp);
                assertThat(seen.add(fp)).as("prefix %d repeats an earlier state", i + 1).isTrue();
            }
            assertThat(stepped.finished()).isTrue();
            assertThat(tracked.copy(stepped).fingerprint()).isEqualTo(stepped.fingerprint());
        }
        Runner end = Runner.replay(b1, p, false, r.witness());
        assertThat(end.holds()).isTrue();
        assertThat(end.schedule()).containsExactly(r.witness());
        assertThat(Runner.replay(b1, p, false, r.counterWitness()).holds()).isFalse();
    }

    @Test
    void theCheckerGivesTheSameResultTwice() throws ScenarioException {
        Scenario b7 = Library.scenario(Library.B7);

        Result first = Checker.check(b7, "5.7", Map.of());
        Result second = Checker.check(b7, "5.7", Map.of());

        assertThat(second.outcome()).isEqualTo(first.outcome()).isEqualTo(Outcome.SOMETIMES);
        assertThat(second.states()).isEqualTo(first.states());
        assertThat(second.executions()).isEqualTo(first.executions());
        assertThat(second.satisfied()).isEqualTo(first.satisfied());
        assertThat(second.witness()).containsExactly(first.witness());
        assertThat(second.violations()).isEqualTo(first.violations());
    }
}
