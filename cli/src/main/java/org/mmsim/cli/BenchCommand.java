package org.mmsim.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mmsim bench}: measure the figures the brief sets goals for. */
@Command(name = "bench", description = "Measure bytes_per_page, faults_per_second and fork_262144_pages_ms "
        + "(medians of 5 rounds) and print them as JSON.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures to FILE.")
    Path json;

    @Option(names = "--fork-pages", paramLabel = "N", description = "Resident pages of the forked process "
            + "(default: ${DEFAULT-VALUE}).")
    int forkPages = 262144;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (forkPages <= 0) {
            throw new Main.UsageError("--fork-pages must be positive");
        }
        Map<String, Object> figures = BenchFigures.measure(forkPages);
        String text = org.mmsim.report.Json.write(figures);
        spec.commandLine().getOut().print(text);
        if (json != null) {
            Files.writeString(json, text, StandardCharsets.UTF_8);
        }
        return Main.OK;
    }
}
