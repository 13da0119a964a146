package org.mmsim.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.mmsim.report.Json;
import org.mmsim.scenario.ScenarioException;
import org.mmsim.scenario.ScenarioParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mmsim bench}: measure the figures the brief sets goals for. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure bytes_per_page, faults_per_second, "
        + "fork_262144_pages_ms and cow_faults_per_second, notifier_dispatch_ns and mmu_notifier_register_ns (medians "
        + "of 5 rounds), the explorer's states per second with one worker and two and of the model alone, bytes per "
        + "visited and per open state and peak heap on a bundled search of 110,251 states, and a search of 1,107,697 "
        + "states with one worker and with two; print them as JSON.")
final class BenchCommand extends Subcommand {
    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures to FILE.")
    Path json;

    @Option(names = "--fork-pages", paramLabel = "N", description = "Resident pages of the forked process "
            + "(default: ${DEFAULT-VALUE}).")
    int forkPages = 262144;

    @Option(names = "--explore-scenario", paramLabel = "FILE", description = "Scenario for the explorer figures "
            + "(default: scenarios/bench/explore-100k.mms of this checkout; 'none' skips them).")
    String exploreScenario;

    @Option(names = "--explore-large", paramLabel = "FILE", description = "Scenario for the large-search figures "
            + "(default: scenarios/bench/explore-1m.mms of this checkout; 'none' skips them).")
    String exploreLarge;

    @Option(names = "--explore-rounds", paramLabel = "N", description = "Timed rounds of the explorer figures, each "
            + "a search with one worker and one with two: each figure is their median (default: ${DEFAULT-VALUE}; "
            + "more rounds steady a noisy machine).")
    int exploreRounds = BenchFigures.EXPLORE_ROUNDS;

    @Option(names = "--explore-warmup", paramLabel = "N", description = "Rounds before those, not timed, while the "
            + "JIT compiles the model (default: ${DEFAULT-VALUE}).")
    int exploreWarmup = BenchFigures.EXPLORE_WARMUP;


    @Override
    public Integer call() throws IOException {
        OutputFile.check("--json", json);
        if (forkPages <= 0) {
            throw new Main.UsageError("--fork-pages must be positive");
        }
        if (forkPages > BenchFigures.MAX_FORK_PAGES) {
            throw new Main.UsageError("--fork-pages must be at most " + BenchFigures.MAX_FORK_PAGES + ", not "
                    + forkPages + ": half the simulated machine's RAM, since the page tables of the process and its"
                    + " child need frames too");
        }
        if (exploreRounds <= 0) {
            throw new Main.UsageError("--explore-rounds must be positive");
        }
        if (exploreWarmup < 0) {
            throw new Main.UsageError("--explore-warmup must not be negative");
        }
        Path explore = path(exploreScenario, "explore-100k.mms");
        Path large = path(exploreLarge, "explore-1m.mms");
        try {
            // parsed here too, so that a scenario that does not parse is refused before any figure is measured
            for (Path p : new Path[] {explore, large}) {
                if (p != null) {
                    ScenarioParser.parse(p);
                }
            }
        } catch (ScenarioException e) {
            stderr.println(e.getMessage());
            return Main.INVALID_SCENARIO;
        }
        Map<String, Object> figures = BenchFigures.simulation(forkPages);
        if (explore != null) {
            figures.putAll(BenchForks.explore(explore, exploreRounds, exploreWarmup));
        }
        if (large != null) {
            figures.putAll(BenchForks.large(large));
        }
        String text = Json.write(BenchFigures.finish(figures));
        stdout.print(text);
        if (json != null) {
            OutputFile.write("--json", json, text);
        }
        return Main.OK;
    }

    /** The scenario file {@code option} names, or the bundled {@code bundled} when it names none; null for "none". */
    private static Path path(String option, String bundled) {
        if ("none".equals(option)) {
            return null;
        }
        Path p = option != null ? Path.of(option)
                : Path.of(System.getProperty("mmsim.root", "."), "scenarios", "bench", bundled);
        if (!Files.isRegularFile(p)) {
            throw new Main.UsageError("no such scenario file: " + p + " (give another FILE, or none)");
        }
        return p;
    }
}
