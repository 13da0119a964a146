package org.mmsim.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.mmsim.explore.Options;
import org.mmsim.explore.Report;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.profile.KernelProfile;
import org.mmsim.report.ExploreReport;
import org.mmsim.report.HtmlReport;
import org.mmsim.scenario.Budget;
import org.mmsim.scenario.Checker;
import org.mmsim.scenario.Execution;
import org.mmsim.scenario.Expectation;
import org.mmsim.scenario.Outcome;
import org.mmsim.scenario.Runner;
import org.mmsim.scenario.Scenario;
import org.mmsim.scenario.ScenarioException;
import org.mmsim.scenario.ScenarioParser;
import org.mmsim.scenario.ScheduleFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mmsim explore FILE --kernel K}: every interleaving of the scenario's threads (or random ones), a herd7-like
 * verdict, and each counterexample as numbered steps, saved as a schedule file that {@code mmsim replay} runs
 * again. Exit 0 when the search finished (and met the scenario's expectation for K, if it has one), 1 when it
 * did not meet it, 4 when a budget stopped it first.
 */
@Command(name = "explore", mixinStandardHelpOptions = true,
        description = "Explore every interleaving of a scenario's threads under one kernel "
        + "and print the verdict and the shortest counterexamples. Exit 0 done, 1 expectation not met, "
        + "3 invalid scenario, 4 inconclusive (a budget stopped the search).")
final class ExploreCommand extends Subcommand {
    static final int INCONCLUSIVE = 4;

    @Parameters(index = "0", paramLabel = "FILE")
    Path file;

    @Mixin
    KernelOptions kernelOptions;

    @Mixin
    SearchOptions search;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the verdict and counterexamples as "
            + "JSON (docs/json-format.md).")
    Path json;

    @Option(names = "--html", paramLabel = "FILE", description = "Also write the verdict and counterexamples as an "
            + "HTML page: a timeline per thread, each step's changes, and the page tables and counters before and "
            + "after each step.")
    Path html;

    /** Where schedules go when {@code --save} does not say. */
    private static final Path SCHEDULES = Path.of("mmsim-schedules");

    /** Null when not given: the default is then only tried when a schedule is saved (see {@link #call}). */
    @Option(names = "--save", paramLabel = "DIR", description = "Directory for the counterexample schedule files "
            + "(default: mmsim-schedules).")
    Path save;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "When a budget or Ctrl-C stops the search, "
            + "write what it needs to go on to FILE (see --resume).")
    Path checkpoint;

    @Option(names = "--resume", paramLabel = "FILE", description = "Go on with the search a --checkpoint FILE "
            + "saved (same scenario, kernel and switches); it ends as an uninterrupted search would have.")
    Path resume;


    @Override
    public Integer call() throws IOException {
        OutputFile.check("--json", json);
        OutputFile.check("--html", html);
        OutputFile.checkReplaceable("--checkpoint", checkpoint);
        InputFile.require(null, "scenario", file, false);
        // a --save the user gave is tried before the work; the default only when a schedule is saved, so that a search
        // run from a directory that cannot be written, and that finds nothing to save, is not refused for it
        if (save != null) {
            OutputFile.checkDirectory("--save", save);
        } else {
            save = SCHEDULES;
        }
        PrintWriter out = stdout;
        PrintWriter err = stderr;
        Scenario s;
        try {
            s = ScenarioParser.parse(file);
        } catch (ScenarioException e) {
            err.println(e.getMessage());
            return Main.INVALID_SCENARIO;
        }
        String kernel = RunCommand.oneKernel(s, kernelOptions);
        KernelProfile profile;
        try {
            profile = Checker.profile(s, kernel, kernelOptions.overrides());
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError(e.getMessage());
        }
        AtomicBoolean interrupted = new AtomicBoolean();
        CountDownLatch printed = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            interrupted.set(true);
            try {
                printed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Options opts = search.options(interrupted::get, err).withCheckpoint(checkpoint).withResume(resume);
            if ((checkpoint != null || resume != null) && opts.mode() != Options.Mode.EXHAUSTIVE) {
                throw new Main.UsageError("--checkpoint and --resume go with --mode exhaustive: a random search has"
                        + " nothing to resume");
            }
            if (resume != null) {
                InputFile.require("--resume", "checkpoint", resume, true);
            }
            Report r;
            try {
                r = Checker.explore(s, profile, opts);
            } catch (Budget.Exhausted e) {
                out.println("Inconclusive: " + e.getMessage() + " of the script before the first group of threads;"
                        + " nothing explored");
                return INCONCLUSIVE;
            } catch (IllegalArgumentException | UncheckedIOException e) {
                if (resume == null && checkpoint == null) {
                    throw e;
                }
                throw new Main.UsageError(e.getMessage());
            } finally {
                search.endProgress(err);
            }
            Outcome outcome = Checker.outcome(r);
            List<Violation> violations = Checker.violations(s, profile, r);
            List<ExploreReport.Counterexample> cexs = counterexamples(s, kernel, profile, r);
            out.print(ExploreReport.text(s, kernel, r, outcome, cexs, violations));
            out.flush();
            if (!r.complete() && checkpoint != null) {
                err.println("checkpoint written to " + checkpoint + "; go on with --resume " + checkpoint);
            }
            if (json != null) {
                OutputFile.write("--json", json, ExploreReport.json(s, kernel, r, opts, outcome, cexs, violations));
            }
            if (html != null) {
                OutputFile.write("--html", html, HtmlReport.explore(s, kernel, r, outcome, cexs, violations));
            }
            if (!r.complete() && outcome == Outcome.INCONCLUSIVE) {
                return INCONCLUSIVE;
            }
            Expectation exp = s.expectations().stream().filter(x -> x.kernel().equals(kernel)).findFirst()
                    .orElse(null);
            return exp == null || exp.admits(outcome) ? Main.OK : Main.FAILED;
        } catch (ScenarioException e) {
            err.println(e.getMessage());
            return Main.INVALID_SCENARIO;
        } finally {
            printed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running and waits for nothing more
            }
        }
    }

    /** The witness (or, if the condition can fail, nothing more), each violation and a deadlock, replayed. */
    private List<ExploreReport.Counterexample> counterexamples(Scenario s, String kernel, KernelProfile profile,
            Report r) throws ScenarioException {
        List<ExploreReport.Counterexample> out = new ArrayList<>();
        if (r.witness() != null) {
            out.add(counterexample(s, kernel, profile, "witness", "Witness: the condition holds", r.witness(),
                    "witness"));
        }
        int n = 0;
        for (Map.Entry<String, int[]> v : r.violations().entrySet()) {
            n++;
            out.add(counterexample(s, kernel, profile, "violation", "Violation " + n + ": " + v.getKey(),
                    v.getValue(), "violation-" + n));
        }
        if (r.deadlockSchedule() != null) {
            out.add(counterexample(s, kernel, profile, "deadlock", "Deadlock: no thread can run",
                    r.deadlockSchedule(), "deadlock"));
        }
        return out;
    }

    private ExploreReport.Counterexample counterexample(Scenario s, String kernel, KernelProfile profile,
            String kind, String title, int[] schedule, String suffix) throws ScenarioException {
        List<String> names = ScheduleFile.names(s, profile, schedule);
        Execution e = Runner.replay(s, profile, true, schedule).execution();
        ScheduleFile sf = new ScheduleFile(file.toString(), kernelWithOverrides(kernel), kind, ScheduleFile.program(s),
                names, 0);
        Path p = save.resolve(s.name() + "." + kernel.replaceAll("[^A-Za-z0-9._=-]", "_") + "." + suffix + ".sched");
        OutputFile.makeDirectory("--save", save);
        OutputFile.write("--save", p, sf.text());
        return new ExploreReport.Counterexample(kind, title, schedule, threadNames(names, schedule), p.toString(), e);
    }

    /** The kernel as a schedule file records it: with the --set overrides in KernelSpec's bracket form. */
    private String kernelWithOverrides(String kernel) {
        Map<String, String> o = kernelOptions.overrides();
        if (o.isEmpty()) {
            return kernel;
        }
        StringBuilder sb = new StringBuilder();
        o.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ",").append(k).append('=').append(v));
        return kernel.endsWith("]") ? kernel.substring(0, kernel.length() - 1) + "," + sb + "]"
                : kernel + "[" + sb + "]";
    }

    /** Thread names by schedule number, from a schedule and its names. */
    private static List<String> threadNames(List<String> names, int[] schedule) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < schedule.length; i++) {
            while (out.size() <= schedule[i]) {
                out.add("#" + out.size());
            }
            out.set(schedule[i], names.get(i));
        }
        return out;
    }
}
