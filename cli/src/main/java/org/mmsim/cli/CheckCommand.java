package org.mmsim.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mmsim.report.CheckReport;
import org.mmsim.scenario.Checker;
import org.mmsim.scenario.Outcome;
import org.mmsim.scenario.Result;
import org.mmsim.scenario.Scenario;
import org.mmsim.scenario.ScenarioException;
import org.mmsim.scenario.ScenarioParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mmsim check PATH...}: run every scenario under its kernels and compare with its expectations. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Check scenarios (files, or directories searched for *.mms) against "
        + "their expectations; scenarios with concurrent threads are explored (see 'explore'). Exit 0 if all hold, "
        + "1 if any does not, 3 if a scenario is invalid, 4 if a budget left an outcome inconclusive.")
final class CheckCommand extends Subcommand {
    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Scenario files or directories.")
    List<Path> paths;

    @Mixin
    KernelOptions kernelOptions;

    @Mixin
    SearchOptions search;

    @Option(names = "--json", paramLabel = "FILE",
            description = "Also write the results as JSON (docs/json-format.md).")
    Path json;


    @Override
    public Integer call() throws IOException {
        OutputFile.check("--json", json);
        for (Path p : paths) {
            InputFile.named("", "scenario", p, true);
            if (!Files.exists(p)) {
                throw new Main.UsageError("no such file or directory: " + p);
            }
        }
        if (!search.mode.equals("exhaustive")) {
            throw new Main.UsageError("check explores exhaustively; use 'mmsim explore --mode " + search.mode
                    + "' for random search");
        }
        List<Path> files = Checker.findScenarios(paths);
        if (files.isEmpty()) {
            throw new Main.UsageError("no .mms scenario files under " + paths);
        }
        List<Scenario> scenarios = new ArrayList<>();
        for (Path f : files) {
            try {
                scenarios.add(ScenarioParser.parse(f));
            } catch (ScenarioException e) {
                stderr.println(e.getMessage());
                return Main.INVALID_SCENARIO;
            }
        }
        Map<String, String> overrides = kernelOptions.overrides();
        for (Scenario s : scenarios) {
            for (String kernel : Checker.kernels(s, kernelOptions.kernels)) {
                try {
                    Checker.profile(s, kernel, overrides);
                } catch (IllegalArgumentException e) {
                    throw new Main.UsageError(e.getMessage());
                }
            }
        }
        List<Result> results = new ArrayList<>();
        for (Scenario s : scenarios) {
            try {
                results.addAll(Checker.check(s, Checker.kernels(s, kernelOptions.kernels), overrides,
                        search.options(() -> false, stderr)));
            } catch (ScenarioException e) {
                stderr.println(e.getMessage());
                return Main.INVALID_SCENARIO;
            }
        }
        stdout.print(CheckReport.table(results));
        if (json != null) {
            OutputFile.write("--json", json, CheckReport.json(results));
        }
        search.endProgress(stderr);
        if (!results.stream().allMatch(Result::ok)) {
            return Main.FAILED;
        }
        return results.stream().anyMatch(r -> r.outcome() == Outcome.INCONCLUSIVE) ? ExploreCommand.INCONCLUSIVE
                : Main.OK;
    }
}
