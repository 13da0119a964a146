package org.mmsim.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.mmsim.explore.Options;
import org.mmsim.kernel.profile.KernelProfile;
import org.mmsim.report.HtmlReport;
import org.mmsim.report.TraceReport;
import org.mmsim.scenario.Budget;
import org.mmsim.scenario.Checker;
import org.mmsim.scenario.Execution;
import org.mmsim.scenario.Runner;
import org.mmsim.scenario.Scenario;
import org.mmsim.scenario.ScenarioException;
import org.mmsim.scenario.ScenarioParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code mmsim run FILE --kernel K}: one execution, printed step by step. */
@Command(name = "run", mixinStandardHelpOptions = true, sortSynopsis = false,
        description = "Run one scenario once under one kernel and print every step: actor, "
        + "operation, kernel path, and every pte and struct page field it changed.")
final class RunCommand extends Subcommand {
    @Parameters(index = "0", paramLabel = "FILE")
    Path file;

    @Mixin
    KernelOptions kernelOptions;

    @picocli.CommandLine.Option(names = "--max-seconds", paramLabel = "S", description = "Stop after S seconds of "
            + "work and print the steps so far (exit 4; default 60, 0: no limit).")
    double maxSeconds = SearchOptions.DEFAULT_MAX_SECONDS;

    @picocli.CommandLine.Option(names = "--max-heap", paramLabel = "F", description = "Stop when the used heap stays "
            + "above this fraction of the maximum after a full collection, and print the steps so far (exit 4; default "
            + "0.9, 1 or more: no limit).")
    double heapFraction = Options.defaults().heapFraction();

    @picocli.CommandLine.Option(names = "--html", paramLabel = "FILE", description = "Also write the execution as "
            + "an HTML page: a timeline per thread, each step's changes, and the page tables and counters before and "
            + "after each step.")
    Path html;


    /** The one kernel a command runs under: --kernel K, or the scenario's only expectation. */
    static String oneKernel(Scenario s, KernelOptions kernelOptions) {
        if (kernelOptions.kernels.size() == 1) {
            return kernelOptions.kernels.get(0);
        }
        if (kernelOptions.kernels.isEmpty() && s.expectations().size() == 1) {
            return s.expectations().get(0).kernel();
        }
        throw new Main.UsageError("this command takes exactly one kernel: --kernel K (the scenario names "
                + String.join(", ", Checker.kernels(s, null)) + ")");
    }

    @Override
    public Integer call() throws IOException {
        OutputFile.check("--html", html);
        InputFile.require(null, "scenario", file, false);
        try {
            Scenario s = ScenarioParser.parse(file);
            String kernel = oneKernel(s, kernelOptions);
            KernelProfile profile;
            try {
                profile = Checker.profile(s, kernel, kernelOptions.overrides());
            } catch (IllegalArgumentException e) {
                throw new Main.UsageError(e.getMessage());
            }
            SearchOptions.checkMaxSeconds(maxSeconds);
            SearchOptions.checkMaxHeap(heapFraction);
            Execution e;
            try {
                e = Runner.run(s, profile, true, Budget.of(maxSeconds, heapFraction, System::nanoTime));
            } catch (Budget.Exhausted x) {
                // no record when the heap ran out between two checks: the machine that filled it had to go first
                if (x.partial() != null) {
                    stdout.print(TraceReport.render(s, profile, x.partial()));
                    writeHtml(s, profile, x.partial());
                }
                stdout.println("inconclusive: " + x.getMessage());
                return ExploreCommand.INCONCLUSIVE;
            }
            stdout.print(TraceReport.render(s, profile, e));
            writeHtml(s, profile, e);
            return Main.OK;
        } catch (ScenarioException e) {
            stderr.println(e.getMessage());
            return Main.INVALID_SCENARIO;
        }
    }

    private void writeHtml(Scenario s, KernelProfile profile, Execution e) throws IOException {
        if (html != null) {
            OutputFile.write("--html", html, HtmlReport.run(s, profile, e));
        }
    }
}
