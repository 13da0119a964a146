package org.mmsim.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.mmsim.kernel.profile.KernelProfile;
import org.mmsim.report.HtmlReport;
import org.mmsim.report.TraceReport;
import org.mmsim.scenario.Budget;
import org.mmsim.scenario.Checker;
import org.mmsim.scenario.Runner;
import org.mmsim.scenario.Scenario;
import org.mmsim.scenario.ScenarioException;
import org.mmsim.scenario.ScenarioParser;
import org.mmsim.scenario.ScheduleFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code mmsim replay FILE}: run a saved schedule again and print every step, as {@code mmsim run} does. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Replay a schedule file written by 'mmsim explore': the same steps, "
        + "printed as 'mmsim run' prints them. Exit 0; 3 if the file or its scenario is invalid; 4 if the heap ran "
        + "out.")
final class ReplayCommand extends Subcommand {
    @Parameters(index = "0", paramLabel = "FILE")
    Path file;

    @picocli.CommandLine.Option(names = "--html", paramLabel = "FILE", description = "Also write the execution as "
            + "an HTML page, as 'mmsim run --html' does.")
    Path html;


    @Override
    public Integer call() throws IOException {
        OutputFile.check("--html", html);
        InputFile.require(null, "schedule", file, false);
        try {
            ScheduleFile sf = ScheduleFile.parse(file.toString(), ScenarioParser.read(file));
            Path scenarioPath = Path.of(sf.scenario());
            if (!Files.isRegularFile(scenarioPath)) {
                throw new ScenarioException(file.toString(), 2, 10, "no such scenario file: " + sf.scenario());
            }
            Scenario s = ScenarioParser.parse(scenarioPath);
            if (sf.program() != null && !sf.program().equals(ScheduleFile.program(s))) {
                stderr.println("note: " + scenarioPath + " has changed since " + file + " was made (its program, "
                        + "memory, processes, condition or set lines differ, or its threads start on other lines):"
                        + " this is the schedule run on the scenario as it is now");
            }
            KernelProfile profile;
            try {
                profile = Checker.profile(s, sf.kernel(), Map.of());
            } catch (IllegalArgumentException e) {
                throw new ScenarioException(file.toString(), 3, 8, e.getMessage());
            }
            Runner r;
            try {
                r = sf.replay(file.toString(), s, profile);
            } catch (Budget.Exhausted x) { // the heap, in the script before the threads (replay has no clock)
                stdout.println("inconclusive: " + x.getMessage());
                return ExploreCommand.INCONCLUSIVE;
            }
            stdout.print(TraceReport.render(s, profile, r.execution()));
            if (html != null) {
                OutputFile.write("--html", html, HtmlReport.run(s, profile, r.execution()));
            }
            return Main.OK;
        } catch (ScenarioException e) {
            stderr.println(e.getMessage());
            return Main.INVALID_SCENARIO;
        }
    }
}
