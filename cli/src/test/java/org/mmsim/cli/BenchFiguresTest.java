package org.mmsim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmsim.scenario.ScenarioParser;

/** The explorer's figures of {@code mmsim bench}, on a search small enough for a test. */
class BenchFiguresTest {
    /** Two threads, a store each to a page of its own: five states, a tree. */
    static final String TWO_STORES = """
            scenario two-stores
            process P
            P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
            thread T1 of P {
              store A 1
            }
            thread T2 of P {
              store A+4K 2
            }
            exists ([P:A] != 1)
            expect 6.18 never
            """;

    @TempDir
    Path tmp;

    @Test
    void theExplorerFiguresComeInTheirOrderWithAnAllocationPerState() throws Exception {
        Path file = Files.writeString(tmp.resolve("two.mms"), TWO_STORES);
        Map<String, Object> out = new LinkedHashMap<>();

        BenchFigures.explore(ScenarioParser.parse(file), out, 1, 1);

        assertThat(out.keySet()).containsExactly("explore_scenario", "explore_states", "explore_states_per_second",
                "explore_states_per_second_2w", "explore_2w_speedup", "explore_two_searches_speedup",
                "explore_walk_states_per_second",
                "explore_walk_speedup", "explore_bytes_per_state",
                "explore_bytes_per_state_with_trace",
                "explore_bytes_per_open_state", "explore_peak_heap_mb", "explore_alloc_bytes_per_state");
        assertThat(out).containsEntry("explore_scenario", "two-stores").containsEntry("explore_states", 5L);
        // one round: the paired speedup is that round's two-worker rate over its one-worker rate, up to the rounding
        // of the rates to whole states per second (large, relatively, for a five-state search on a cold JIT) and of
        // the speedup to two decimals (half a hundredth, which is more than 1% of a speedup under 0.5)
        double speedup = (Double) out.get("explore_2w_speedup");
        double ratio = (double) (Long) out.get("explore_states_per_second_2w")
                / (Long) out.get("explore_states_per_second");
        assertThat(Math.abs(speedup - ratio)).isLessThanOrEqualTo(Math.max(0.006, ratio / 100));
        // the walk of the model alone is paired with the one-worker search the same way
        double walkSpeedup = (Double) out.get("explore_walk_speedup");
        double walkRatio = (double) (Long) out.get("explore_walk_states_per_second")
                / (Long) out.get("explore_states_per_second");
        assertThat(Math.abs(walkSpeedup - walkRatio)).isLessThanOrEqualTo(Math.max(0.006, walkRatio / 100));
        // two searches at once against one alone: more than nothing, and not more than two cores can give, with room
        // for a five-state search's noise on a cold JIT
        assertThat((Double) out.get("explore_two_searches_speedup")).isPositive().isLessThan(20.0);
        // a state costs at least a copy of the machine: kilobytes, not bytes
        assertThat((Long) out.get("explore_alloc_bytes_per_state")).isGreaterThan(1000L);
    }

    @Test
    void statesThatAreNotATreeHaveNoWalkFigures() throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();

        BenchFigures.explore(ScenarioParser.parse(Files.writeString(tmp.resolve("loads.mms"), ModelWalkTest.TWO_LOADS)),
                out, 1, 0);

        assertThat(out).containsEntry("explore_states", 4L)
                .doesNotContainKeys("explore_walk_states_per_second", "explore_walk_speedup");
    }
}
