package org.mmsim.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.mmsim.scenario.Scenario;
import org.mmsim.scenario.ScenarioException;
import org.mmsim.scenario.ScenarioParser;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mmsim bench}: measure the figures the brief sets goals for. */
@Command(name = "bench", description = "Measure bytes_per_page, faults_per_second and fork_262144_pages_ms "
        + "(medians of 5 rounds), explore_states_per_second and explore_bytes_per_state (an exhaustive search of "
        + "a bundled scenario of at least 100,000 states), and print them as JSON.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures to FILE.")
    Path json;

    @Option(names = "--fork-pages", paramLabel = "N", description = "Resident pages of the forked process "
            + "(default: ${DEFAULT-VALUE}).")
    int forkPages = 262144;

    @Option(names = "--explore-scenario", paramLabel = "FILE", description = "Scenario for the explorer figures "
            + "(default: scenarios/bench/explore-100k.mms of this checkout; 'none' skips them).")
    String exploreScenario;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (forkPages <= 0) {
            throw new Main.UsageError("--fork-pages must be positive");
        }
        Scenario explore = null;
        if (!"none".equals(exploreScenario)) {
            Path p = exploreScenario != null ? Path.of(exploreScenario)
                    : Path.of(System.getProperty("mmsim.root", "."), "scenarios", "bench", "explore-100k.mms");
            if (!Files.isRegularFile(p)) {
                throw new Main.UsageError("no such scenario file: " + p + " (use --explore-scenario FILE or none)");
            }
            try {
                explore = ScenarioParser.parse(p);
            } catch (ScenarioException e) {
                spec.commandLine().getErr().println(e.getMessage());
                return Main.INVALID_SCENARIO;
            }
        }
        Map<String, Object> figures = BenchFigures.measure(forkPages, explore);
        String text = org.mmsim.report.Json.write(figures);
        spec.commandLine().getOut().print(text);
        if (json != null) {
            Files.writeString(json, text, StandardCharsets.UTF_8);
        }
        return Main.OK;
    }
}
