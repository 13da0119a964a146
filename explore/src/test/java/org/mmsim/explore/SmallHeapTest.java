package org.mmsim.explore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A search whose own tables (the visited set, the trace, the levels) outgrow a small heap stops at its heap limit with
 * what it found, instead of dying of an {@link OutOfMemoryError} thrown while it files a child: each table grows
 * before the child joins any of them ({@code BreadthFirst.discover}), so a checkpoint written then resumes to the
 * counts of a search never stopped. The search runs in a JVM of its own with an 8 MB heap; before the tables grew
 * first, this one died in {@code FingerprintSet.grow}.
 */
class SmallHeapTest {
    /** Four counters to 25: 26^4 = 456,976 states, whose visited set alone grows to some 5 MB. */
    private static final int THREADS = 4;
    private static final int STEPS = 25;
    private static final long STATES = 456_976;

    /** The search in the small heap: prints its states and stop reason; a checkpoint goes to {@code args[0]}. */
    public static final class Child {
        public static void main(String[] args) {
            Options opts = Options.defaults().withReduction(false).withCheckpoint(Paths.get(args[0]));
            Report r = Explorer.exhaustive(new Counters(THREADS, STEPS), opts);
            System.out.println(r.states() + " " + r.stopReason());
        }
    }

    @Test
    void aSearchWhoseTablesOutgrowTheHeapStopsAtItsHeapLimitAndResumes() throws IOException, InterruptedException {
        Path checkpoint = Files.createTempFile("mmsim-small-heap", ".ckpt");
        Path output = Files.createTempFile("mmsim-small-heap", ".out");
        try {
            Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
            Process p = new ProcessBuilder(List.of(java.toString(), "-Xmx8m", "-XX:+UseSerialGC", "-cp",
                    System.getProperty("java.class.path"), Child.class.getName(), checkpoint.toString()))
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String out = Files.readString(output, StandardCharsets.UTF_8).strip();

            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).endsWith(" heap");
            long states = Long.parseLong(out.substring(0, out.indexOf(' ')));
            assertThat(states).isPositive().isLessThan(STATES);

            Options opts = Options.defaults().withReduction(false);
            Report resumed = Explorer.exhaustive(new Counters(THREADS, STEPS), opts.withResume(checkpoint));
            Report whole = Explorer.exhaustive(new Counters(THREADS, STEPS), opts);
            assertThat(resumed.complete()).isTrue();
            assertThat(resumed.states()).isEqualTo(STATES);
            assertThat(ReportSummary.of(resumed)).isEqualTo(ReportSummary.of(whole));
        } finally {
            Files.deleteIfExists(checkpoint);
            Files.deleteIfExists(output);
        }
    }
}
