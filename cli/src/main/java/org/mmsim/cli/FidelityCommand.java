package org.mmsim.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.mmsim.explore.Options;
import org.mmsim.kernel.profile.Profiles;
import org.mmsim.report.FidelityReport;
import org.mmsim.scenario.Checker;
import org.mmsim.scenario.Scenario;
import org.mmsim.scenario.ScenarioException;
import org.mmsim.scenario.ScenarioParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mmsim fidelity [PATH...] [--out FILE]}: every scenario under every profile, as the Markdown fidelity
 * table (docs/fidelity.md is this command's output for {@code scenarios}).
 *
 * <p>A file found under a directory PATH is named relative to that directory, and its first directory there is
 * the table it goes in ({@code cow/basic-cow-after-fork.mms} goes in {@code cow}); a file directly in PATH, or
 * given itself, goes in the table named after the directory it is in.
 */
@Command(name = "fidelity", mixinStandardHelpOptions = true,
        description = "Run scenarios (default: the directory 'scenarios') under every kernel "
        + "profile and write a Markdown table of mmsim's outcomes beside what the real kernel is known to do "
        + "(their 'known' lines). Exit 0 if every known fact agrees, 1 if any disagrees, 3 if a scenario does not "
        + "parse.")
final class FidelityCommand extends Subcommand {
    @Parameters(arity = "0..*", paramLabel = "PATH",
            description = "Scenario files or directories (default: scenarios).")
    List<Path> paths = new ArrayList<>();

    @Option(names = "--out", paramLabel = "FILE", description = "Write the document to FILE instead of standard "
            + "output, and print only the summary line.")
    Path out;

    @Option(names = "--max-seconds", paramLabel = "S", description = "Stop each scenario under each kernel after S "
            + "seconds of work; its cell reads inconclusive (default 60, 0: no limit).")
    double maxSeconds = SearchOptions.DEFAULT_MAX_SECONDS;

    /**
     * The directory of benchmark scenarios: they measure the explorer, say nothing about the real kernel, and
     * would cost the table half a minute, so a directory walk leaves them out (name one to include it).
     */
    static final String BENCH = "bench";


    private record Found(String table, String path, Path file) {}

    @Override
    public Integer call() throws IOException {
        OutputFile.check("--out", out);
        SearchOptions.checkMaxSeconds(maxSeconds);
        Options options = Options.defaults().withMaxSeconds(maxSeconds);
        List<Found> found = find(paths.isEmpty() ? List.of(Path.of("scenarios")) : paths);
        List<Scenario> parsed = new ArrayList<>();
        for (Found f : found) {
            try {
                parsed.add(ScenarioParser.parse(f.file()));
            } catch (ScenarioException e) {
                stderr.println(e.getMessage());
                return Main.INVALID_SCENARIO;
            }
        }
        List<String> profiles = Profiles.names();
        List<FidelityReport.Row> rows = new ArrayList<>();
        for (int i = 0; i < found.size(); i++) {
            List<FidelityReport.Cell> cells = new ArrayList<>();
            for (String kernel : profiles) {
                cells.add(cell(parsed.get(i), kernel, options));
            }
            rows.add(new FidelityReport.Row(found.get(i).table(), found.get(i).path(), parsed.get(i), cells));
        }
        String doc = FidelityReport.markdown(profiles, rows);
        if (out == null) {
            stdout.print(doc);
        } else {
            OutputFile.write("--out", out, doc);
            stdout.println("fidelity: " + FidelityReport.summary(profiles, rows) + " Wrote "
                    + out + ".");
        }
        return FidelityReport.disagreements(rows) == 0 ? Main.OK : Main.FAILED;
    }

    /**
     * {@code s} under {@code kernel}. A scenario error at run time (an operation the kernel lacks) is a cell of the
     * table, not the end of it: the scenario may never have been meant to run there.
     */
    private static FidelityReport.Cell cell(Scenario s, String kernel, Options options) {
        try {
            return FidelityReport.Cell.ran(Checker.check(s, kernel, Map.of(), options));
        } catch (ScenarioException e) {
            return FidelityReport.Cell.cannotRun(kernel, e);
        }
    }

    /** The scenario files under {@code roots}, each with its table and relative path, sorted by both. */
    private static List<Found> find(List<Path> roots) throws IOException {
        List<Found> found = new ArrayList<>();
        for (Path root : roots) {
            InputFile.named("", "scenario", root, false);
            if (!Files.exists(root)) {
                throw new Main.UsageError("no such file or directory: " + root);
            }
            if (!Files.isDirectory(root)) {
                found.add(new Found(name(root.toAbsolutePath().getParent()), slashes(root.getFileName()), root));
                continue;
            }
            for (Path f : Checker.findScenarios(List.of(root))) {
                Path rel = root.relativize(f);
                if (rel.getNameCount() > 1 && rel.getName(0).toString().equals(BENCH)) {
                    continue;
                }
                String table = rel.getNameCount() > 1 ? rel.getName(0).toString() : name(root);
                found.add(new Found(table, slashes(rel), f));
            }
        }
        if (found.isEmpty()) {
            throw new Main.UsageError("no .mms scenario files under " + roots);
        }
        found.sort(Comparator.comparing(Found::table).thenComparing(Found::path));
        return found;
    }

    private static String name(Path dir) {
        Path n = dir == null ? null : dir.toAbsolutePath().normalize().getFileName();
        return n == null ? "/" : n.toString();
    }

    private static String slashes(Path rel) {
        return rel.toString().replace(rel.getFileSystem().getSeparator(), "/");
    }
}
