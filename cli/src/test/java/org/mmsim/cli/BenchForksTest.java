package org.mmsim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mmsim bench} measures the explorer's figures in a JVM of their own and reads them back unchanged. */
class BenchForksTest {
    @TempDir
    Path tmp;

    @Test
    void figuresCrossToTheParentWithTheirNamesOrderAndTypes() {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("explore_scenario", "two-stores");
        figures.put("explore_states", 5L);
        figures.put("explore_2w_speedup", 1.67);
        figures.put("explore_large_complete", true);
        figures.put("rounds", 5);

        Map<String, Object> back = BenchForks.parse(BenchForks.format(figures));

        assertThat(back.keySet()).containsExactlyElementsOf(figures.keySet());
        assertThat(back).containsEntry("explore_scenario", "two-stores").containsEntry("explore_states", 5L)
                .containsEntry("explore_2w_speedup", 1.67).containsEntry("explore_large_complete", true)
                .containsEntry("rounds", 5L);
        assertThatThrownBy(() -> BenchForks.parse("explore_states 5\n")).hasMessageContaining("not a figure");
    }

    @Test
    void theExplorerFiguresAreMeasuredInAChildJvmAsInThisOne() throws Exception {
        Path file = Files.writeString(tmp.resolve("two.mms"), BenchFiguresTest.TWO_STORES);

        Map<String, Object> child = BenchForks.explore(file, 1, 0);

        assertThat(child.keySet()).containsExactly("explore_scenario", "explore_states",
                "explore_states_per_second", "explore_states_per_second_2w", "explore_2w_speedup",
                "explore_two_searches_speedup", "explore_walk_states_per_second", "explore_walk_speedup",
                "explore_bytes_per_state", "explore_bytes_per_state_with_trace", "explore_bytes_per_open_state",
                "explore_peak_heap_mb", "explore_alloc_bytes_per_state");
        assertThat(child).containsEntry("explore_scenario", "two-stores").containsEntry("explore_states", 5L);
        assertThat((Long) child.get("explore_states_per_second")).isPositive();
    }

    @Test
    void aChildThatFailsNamesItsGroupAndWhatItSaid() throws Exception {
        Path broken = Files.writeString(tmp.resolve("broken.mms"), "scenario broken\nprocess P\nP: frobnicate A\n");

        assertThatThrownBy(() -> BenchForks.large(broken)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("large JVM exited with 2").hasMessageContaining("frobnicate");
    }

    @Test
    void theChildGetsThisJvmsOptionsButNotThoseOfJavaToolOptionsTwice() {
        List<String> given = List.of("-XX:+UseSerialGC", "-XX:StartFlightRecording=filename=a.jfr", "-Dmmsim.root=/r",
                "-Xshare:off");

        assertThat(BenchForks.jvmOptions(given, " -XX:StartFlightRecording=filename=a.jfr  -Xshare:off "))
                .containsExactly("-XX:+UseSerialGC", "-Dmmsim.root=/r");
        assertThat(BenchForks.jvmOptions(given, null)).isEqualTo(given);
        assertThat(BenchForks.jvmOptions(given, "   ")).isEqualTo(given);
    }
}
