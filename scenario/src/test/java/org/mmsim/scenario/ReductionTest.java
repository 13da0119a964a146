package org.mmsim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmsim.explore.Explorer;
import org.mmsim.explore.Options;
import org.mmsim.explore.Report;
import org.mmsim.kernel.profile.KernelProfile;

/**
 * Sleep sets prune steps, never states: with the footprints the runner reports, exhaustive exploration reaches
 * the same distinct states, final states, positive final states, deadlocks and violations (with shortest
 * schedules of the same length) as exploration in which every step conflicts with every other, and it never
 * takes more steps. A footprint that claims two steps commute when they do not would show up here as a lost
 * final state.
 */
class ReductionTest {

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        out.add(Arguments.of(Library.B1, "4.8"));
        out.add(Arguments.of(Library.B1, "6.18"));
        out.add(Arguments.of(Library.B7, "5.9"));
        out.add(Arguments.of(Library.B7, "6.18"));
        for (String s : Library.RACE_FREE) {
            out.add(Arguments.of(s, "4.8"));
            out.add(Arguments.of(s, "5.9"));
            out.add(Arguments.of(s, "6.18"));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} under {1}")
    @MethodSource("cases")
    void reductionFindsTheSameOutcomesWithNoMoreSteps(String path, String kernel) throws ScenarioException {
        Scenario s = Library.scenario(path);
        KernelProfile p = Library.profile(s, kernel);

        Report reduced = Checker.explore(s, p, Options.defaults());
        Report full = Explorer.explore(new ScenarioModel(s, p, false), Options.defaults().withReduction(false));

        assertThat(reduced.complete()).isTrue();
        assertThat(full.complete()).isTrue();
        assertThat(reduced.reduction()).isTrue();
        assertThat(full.reduction()).isFalse();
        assertThat(reduced.states()).isEqualTo(full.states());
        assertThat(reduced.finalStates()).isEqualTo(full.finalStates());
        assertThat(reduced.positiveFinalStates()).isEqualTo(full.positiveFinalStates());
        assertThat(reduced.deadlocks()).isEqualTo(full.deadlocks()).isZero();
        assertThat(reduced.violations().keySet()).containsExactlyInAnyOrderElementsOf(full.violations().keySet());
        for (String key : full.violations().keySet()) {
            assertThat(reduced.violations().get(key)).as(key).hasSameSizeAs(full.violations().get(key));
        }
        assertThat(length(reduced.witness())).isEqualTo(length(full.witness()));
        assertThat(length(reduced.counterWitness())).isEqualTo(length(full.counterWitness()));
        assertThat(reduced.depth()).isEqualTo(full.depth());
        assertThat(reduced.transitions()).isLessThanOrEqualTo(full.transitions());
        assertThat(reduced.executions()).isLessThanOrEqualTo(full.executions());
    }

    @Test
    void theRaceFreeScenariosAreNeverUnderEveryProfileWithoutReductionToo() throws ScenarioException {
        for (String path : Library.RACE_FREE) {
            Scenario s = Library.scenario(path);
            for (String kernel : List.of("4.8", "4.9", "5.7", "5.8", "5.9", "5.11", "5.19", "6.18")) {
                KernelProfile p = Library.profile(s, kernel);
                Report full = Explorer.explore(new ScenarioModel(s, p, false), Options.defaults().withReduction(false));
                assertThat(full.positiveFinalStates()).as("%s under %s", path, kernel).isZero();
                assertThat(full.finalStates()).as("%s under %s", path, kernel).isPositive();
                assertThat(full.violations()).as("%s under %s", path, kernel).isEmpty();
                assertThat(full.states()).as("%s under %s: more states than one thread's steps", path, kernel)
                        .isGreaterThan(full.depth() + 1L);
            }
        }
    }

    private static final String LOADS = """
            scenario loads
            process P Q
            P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
            Q: mmap B 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
            P: store A 0x1
            Q: store B 0x2
            thread T of P {
              r0 = load A
              r1 = load A
            }
            thread U of Q {
              r0 = load B
              r1 = load B
            }
            exists (T:r0 != 0x1 \\/ T:r1 != 0x1 \\/ U:r0 != 0x2 \\/ U:r1 != 0x2)
            expect 6.18 never
            """;

    /**
     * Loads that need no fault, by threads of two processes, touch disjoint ptes and pages: the sleep sets keep
     * all nine states (two steps each) but explore one execution of the six, as for independent counters.
     */
    @Test
    void loadsOfTwoProcessesCommuteAndArePrunedToOneExecution() throws ScenarioException {
        Scenario s = ScenarioParser.parse("loads.mms", LOADS);
        KernelProfile p = Library.profile(s, "6.18");

        Report reduced = Checker.explore(s, p, Options.defaults());
        Report full = Explorer.explore(new ScenarioModel(s, p, false), Options.defaults().withReduction(false));

        assertThat(full.states()).isEqualTo(9);
        assertThat(full.transitions()).isEqualTo(12);
        assertThat(full.executions()).isEqualTo(6);
        assertThat(reduced.states()).isEqualTo(9);
        assertThat(reduced.transitions()).isEqualTo(8);
        assertThat(reduced.executions()).isEqualTo(1);
        assertThat(reduced.finalStates()).isEqualTo(full.finalStates()).isEqualTo(1);
        assertThat(reduced.positiveFinalStates()).isZero();
    }

    private static int length(int[] schedule) {
        return schedule == null ? -1 : schedule.length;
    }
}
