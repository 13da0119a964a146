package org.mmsim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user drives it: exit codes, first line of stderr, JSON, determinism. */
class MainTest {
    @TempDir
    Path tmp;

    record Outcome(int code, String out, String err) {
        String firstErrLine() {
            return err.lines().findFirst().orElse("");
        }
    }

    static Outcome mmsim(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path write(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private static final String GOOD = """
            scenario good
            process P
            P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
            P: store A 1
            P: fork C
            P: store A 2
            C: r0 = load A
            exists (C:r0 = 2)
            expect 5.7 6.18 forbidden
            """;

    @Test
    void benchRefusesRoundsAndPagesThatAreNotPositive() {
        Outcome rounds = mmsim("bench", "--explore-rounds", "0");
        assertThat(rounds.code()).isEqualTo(2);
        assertThat(rounds.firstErrLine()).contains("--explore-rounds must be positive");
        Outcome pages = mmsim("bench", "--fork-pages", "-1");
        assertThat(pages.code()).isEqualTo(2);
        assertThat(pages.firstErrLine()).contains("--fork-pages must be positive");
        // more pages than the machine has frames for: this was an internal error, a SIGBUS while populating
        Outcome tooMany = mmsim("bench", "--fork-pages", "100000000");
        assertThat(tooMany.code()).isEqualTo(2);
        assertThat(tooMany.firstErrLine()).isEqualTo("mmsim: --fork-pages must be at most 2097152, not 100000000: "
                + "half the simulated machine's RAM, since the page tables of the process and its child need frames"
                + " too");
        Outcome warmup = mmsim("bench", "--explore-warmup", "-1");
        assertThat(warmup.code()).isEqualTo(2);
        assertThat(warmup.firstErrLine()).contains("--explore-warmup must not be negative");
    }

    @Test
    void searchOptionsNoSearchCanUseAreRefusedByTheirOwnNames() throws IOException {
        Path p = write("good.mms", GOOD);
        String[][] cases = {
            {"--max-states", "0", "--max-states must be at least 1, not 0"},
            {"--max-seconds", "-1", "--max-seconds must be 0 (no limit) or more, not -1.0"},
            {"--max-seconds", "NaN", "--max-seconds must be 0 (no limit) or more, not NaN"},
            {"--max-heap", "0", "--max-heap must be a fraction above 0 (1 or more: no limit), not 0.0"},
            {"--max-heap", "NaN", "--max-heap must be a fraction above 0 (1 or more: no limit), not NaN"},
            {"--workers", "0", "--workers must be 1 to 64, not 0"},
            {"--workers", "65", "--workers must be 1 to 64, not 65"},
            {"--runs", "-1", "--runs must not be negative, not -1"},
            {"--pct-depth", "0", "--pct-depth must be 1 to 1048576, not 0"},
            {"--pct-depth", "2147483647", "--pct-depth must be 1 to 1048576, not 2147483647"},
            {"--parallel-level", "0", "--parallel-level must be at least 1, not 0"},
        };
        for (String[] c : cases) {
            for (String command : List.of("explore", "check")) {
                Outcome o = mmsim(command, p.toString(), "-k", "6.18", c[0], c[1]);
                assertThat(o.code()).as(command + " " + c[0] + " " + c[1]).isEqualTo(2);
                assertThat(o.firstErrLine()).as(command + " " + c[0] + " " + c[1]).isEqualTo("mmsim: " + c[2]);
            }
        }
        Outcome fine = mmsim("explore", p.toString(), "-k", "6.18", "--max-heap", "1.5", "--workers", "64");
        assertThat(fine.code()).isZero();
        // a sample never settles a condition that does not hold: inconclusive, exit 4, not a refusal
        Outcome none = mmsim("explore", p.toString(), "-k", "6.18", "--mode", "random", "--runs", "0");
        assertThat(none.code()).isEqualTo(4);
    }

    @Test
    void anOptionTheModeDoesNotUseIsRefusedNotIgnored() throws IOException {
        Path p = write("good.mms", GOOD);
        String random = "goes with --mode random or pct: ";
        String[][] cases = {
            {"--seed 7", "--seed " + random + "an exhaustive search draws no random numbers"},
            {"--runs 50", "--runs " + random + "an exhaustive search runs every execution"},
            {"--mode exhaustive --pct-depth 2", "--pct-depth goes with --mode pct"},
            {"--mode random --pct-depth 2", "--pct-depth goes with --mode pct"},
            {"--mode random --workers 2", "--workers goes with --mode exhaustive: random executions run one after "
                + "another on one thread"},
            {"--mode pct --workers 1", "--workers goes with --mode exhaustive: random executions run one after "
                + "another on one thread"},
        };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("explore", p.toString(), "-k", "6.18"));
            args.addAll(List.of(c[0].split(" ")));
            Outcome o = mmsim(args.toArray(String[]::new));
            assertThat(o.code()).as(c[0]).isEqualTo(2);
            assertThat(o.firstErrLine()).as(c[0]).isEqualTo("mmsim: " + c[1]);
            assertThat(o.out()).as(c[0]).isEmpty();
        }
        // check searches exhaustively: the random modes' options do not apply to it either
        Outcome seeded = mmsim("check", p.toString(), "-k", "6.18", "--seed", "3");
        assertThat(seeded.code()).isEqualTo(2);
        assertThat(seeded.firstErrLine()).isEqualTo("mmsim: --seed " + random
                + "an exhaustive search draws no random numbers");
        for (String mode : List.of("random", "pct")) {
            Outcome ok = mmsim("explore", p.toString(), "-k", "6.18", "--mode", mode, "--seed", "3", "--runs", "5");
            assertThat(ok.code()).as(mode).isEqualTo(4);
            assertThat(ok.out()).as(mode).contains("Executions 5");
        }
        Outcome pct = mmsim("explore", p.toString(), "-k", "6.18", "--mode", "pct", "--pct-depth", "2");
        assertThat(pct.code()).isEqualTo(4);
        assertThat(pct.out()).contains("Executions 1000");
    }

    @Test
    void runFidelityAndFuzzNameTheOptionInABadNumbersError() throws IOException {
        Path p = write("good.mms", GOOD);
        String maxSeconds = "mmsim: --max-seconds must be 0 (no limit) or more, not ";
        String[][] cases = {
            {maxSeconds + "-1.0", "run", p.toString(), "-k", "6.18", "--max-seconds", "-1"},
            {maxSeconds + "NaN", "run", p.toString(), "-k", "6.18", "--max-seconds", "NaN"},
            {maxSeconds + "-1.0", "fidelity", p.toString(), "--max-seconds", "-1"},
            {"mmsim: --max-heap must be a fraction above 0 (1 or more: no limit), not 0.0", "run", p.toString(), "-k",
                "6.18", "--max-heap", "0"},
            {"mmsim: --count must not be negative, not -5", "fuzz", "--count", "-5"},
            {"mmsim: --input-seconds must be above 0, not 0.0", "fuzz", "--input-seconds", "0"},
            {"mmsim: --corpus: no such file or directory: /nonexistent", "fuzz", "--corpus", "/nonexistent"},
        };
        for (String[] c : cases) {
            Outcome o = mmsim(java.util.Arrays.copyOfRange(c, 1, c.length));
            assertThat(o.code()).as(String.join(" ", c)).isEqualTo(2);
            assertThat(o.firstErrLine()).as(String.join(" ", c)).isEqualTo(c[0]);
        }
        // a limit of a few bytes stops run after its first step, which it prints, as --max-seconds does
        Outcome heap = mmsim("run", p.toString(), "-k", "6.18", "--max-heap", "1e-12");
        assertThat(heap.code()).isEqualTo(4);
        assertThat(heap.out()).contains("P    mmap A 4K").contains("inconclusive: stopped by --max-heap 1.0E-12 (more than 0"
                + " MB of the JVM's").endsWith("after 1 step" + System.lineSeparator());
    }

    @Test
    void syntaxErrorExits3WithFileLineCol() throws IOException {
        Path p = write("syntax.mms", GOOD.replace("exists (C:r0 = 2)", "exists (C:r0 = 2"));
        Outcome o = mmsim("check", p.toString());
        assertThat(o.code()).isEqualTo(3);
        assertThat(o.firstErrLine()).isEqualTo(p + ":8:16: condition ends early: expected ')'");
        assertThat(o.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void unknownOperationExits3() throws IOException {
        Path p = write("op.mms", GOOD.replace("P: store A 2", "P: strore A 2"));
        Outcome o = mmsim("check", p.toString());
        assertThat(o.code()).isEqualTo(3);
        assertThat(o.firstErrLine()).isEqualTo(p + ":6:4: unknown operation 'strore' (did you mean store?)");
    }

    @Test
    void unknownKernelExits3() throws IOException {
        Path p = write("kernel.mms", GOOD.replace("expect 5.7 6.18", "expect 5.7 6.81"));
        Outcome o = mmsim("check", p.toString());
        assertThat(o.code()).isEqualTo(3);
        assertThat(o.firstErrLine()).startsWith(p + ":9:12: unknown kernel profile '6.81'");
    }

    @Test
    void goodScenarioPassesAndWritesJson() throws IOException {
        Path p = write("good.mms", GOOD);
        Path json = tmp.resolve("r.json");
        Outcome o = mmsim("check", p.toString(), "--json", json.toString());
        assertThat(o.code()).isZero();
        assertThat(o.out()).contains("good      5.7     never      forbidden  ok").contains("check: 2 passed, 0 failed");
        String j = Files.readString(json);
        assertThat(j).contains("\"scenario\": \"good\"", "\"kernel\": \"6.18\"", "\"outcome\": \"never\"",
                "\"expected\": \"forbidden\"", "\"ok\": true", "\"violations\": []");
    }

    @Test
    void failedExpectationExits1() throws IOException {
        Path p = write("bad.mms", GOOD.replace("exists (C:r0 = 2)", "exists (C:r0 = 1)"));
        Outcome o = mmsim("check", p.toString());
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.out()).contains("good      6.18    always     forbidden  FAIL");
    }

    @Test
    void filesThatAreNotUtf8AreScenarioErrorsAtTheirFirstLine() throws IOException {
        Path sched = tmp.resolve("bad.sched");
        java.nio.file.Files.write(sched, new byte[] {(byte) 0xff, (byte) 0xfe, 'x'});
        Outcome r = mmsim("replay", sched.toString());
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.firstErrLine()).isEqualTo(sched + ":1:1: not UTF-8 text");
        Path mms = tmp.resolve("bad.mms");
        java.nio.file.Files.write(mms, new byte[] {'s', (byte) 0xff});
        Outcome c = mmsim("check", mms.toString());
        assertThat(c.code()).isEqualTo(3);
        assertThat(c.out() + c.err()).contains(mms + ":1:1: not UTF-8 text");
    }

    @Test
    void anOutputPathThatCannotBeWrittenIsAUsageErrorBeforeTheWork() throws IOException {
        Path p = write("good.mms", GOOD);
        Outcome dir = mmsim("check", p.toString(), "--json", tmp.toString());
        assertThat(dir.code()).isEqualTo(2);
        assertThat(dir.firstErrLine()).isEqualTo("mmsim: --json: " + tmp + " is a directory");
        assertThat(dir.out()).as("nothing ran").isEmpty();
        Outcome missing = mmsim("fidelity", p.toString(), "--out", tmp.resolve("no/such/x.md").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.firstErrLine()).isEqualTo("mmsim: --out: no such directory: " + tmp.resolve("no/such"));
        assertThat(mmsim("explore", p.toString(), "--kernel", "6.18", "--checkpoint", tmp.toString()).code())
                .isEqualTo(2);
    }

    /**
     * Where the file system refuses a file that the permission bits allow (here {@code /proc}, where even root makes no
     * file) or a file stands where a directory must be, the command says so before the work: these were internal
     * errors, after the search, that asked the user to report them.
     */
    @Test
    void anEmptyPathOrADashIsRefusedByEveryPathOptionBeforeTheWork() throws IOException {
        Path p = write("good.mms", GOOD);
        String f = p.toString();
        String outFile = "'-' would be a file named '-' in the working directory, not standard output (that is"
                + " /dev/stdout); write ./- if that is what you mean";
        String inFile = "'-' would be a file named '-' in the working directory, not standard input";
        String dash = "; write ./- if that is what you mean";
        for (String[] c : new String[][] {
            {"mmsim: --json: " + outFile, "check", f, "--json", "-"},
            {"mmsim: --json: the path is empty", "check", f, "--json", ""},
            {"mmsim: --html: " + outFile, "explore", f, "-k", "6.18", "--html", "-"},
            {"mmsim: --html: the path is empty", "run", f, "-k", "6.18", "--html", ""},
            {"mmsim: --json: " + outFile, "bench", "--json", "-"},
            {"mmsim: --out: " + outFile, "fidelity", "--out", "-"},
            {"mmsim: --save: '-' would be a directory named '-' in the working directory, not standard output" + dash,
                "explore", f, "-k", "6.18", "--save", "-"},
            // an empty --save named the working directory, and the schedules went there
            {"mmsim: --save: the path is empty", "explore", f, "-k", "6.18", "--save", ""},
            {"mmsim: --out: the path is empty", "fuzz", "--count", "1", "--out", ""},
            {"mmsim: --checkpoint: '-' would be a checkpoint file named '-' in the working directory, not standard"
                + " output" + dash, "explore", f, "-k", "6.18", "--checkpoint", "-"},
            {"mmsim: --checkpoint: the path is empty", "explore", f, "-k", "6.18", "--checkpoint", ""},
            {"mmsim: " + inFile + " (that is /dev/stdin)" + dash, "run", "-", "-k", "6.18"},
            {"mmsim: the path of the scenario file is empty", "explore", "", "-k", "6.18"},
            {"mmsim: " + inFile + " (that is /dev/stdin)" + dash, "check", "-"},
            {"mmsim: the path of the scenario file is empty", "check", ""},
            {"mmsim: the path of the schedule file is empty", "replay", ""},
            {"mmsim: --resume: " + inFile + dash, "explore", f, "-k", "6.18", "--resume", "-"},
            {"mmsim: --corpus: the path of the scenario file is empty", "fuzz", "--count", "1", "--corpus", ""},
        }) {
            Outcome o = mmsim(java.util.Arrays.copyOfRange(c, 1, c.length));
            assertThat(o.code()).as(String.join(" ", c)).isEqualTo(2);
            assertThat(o.firstErrLine()).as(String.join(" ", c)).isEqualTo(c[0]);
            assertThat(o.out()).as("nothing ran: %s", String.join(" ", c)).isEmpty();
        }
        assertThat(Path.of("-")).as("no file named '-' was made").doesNotExist();
    }

    @Test
    void anOutputTheFileSystemRefusesIsAUsageErrorBeforeTheWork() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(Path.of("/proc/self")));
        Path p = write("good.mms", GOOD);
        String refused = "no such file or directory";
        for (String[] c : new String[][] {
            {"mmsim: --json: cannot write /proc/x.json: " + refused, "check", p.toString(), "--json", "/proc/x.json"},
            {"mmsim: --html: cannot write /proc/x.html: " + refused, "explore", p.toString(), "-k", "6.18", "--html",
                "/proc/x.html"},
            {"mmsim: --html: cannot write /proc/x.html: " + refused, "run", p.toString(), "-k", "6.18", "--html",
                "/proc/x.html"},
            {"mmsim: --save: cannot write in /proc: " + refused, "explore", p.toString(), "-k", "6.18", "--save",
                "/proc/schedules/here"},
            {"mmsim: --out: cannot write in /proc: " + refused, "fuzz", "--count", "1", "--out", "/proc/findings"},
        }) {
            Outcome o = mmsim(java.util.Arrays.copyOfRange(c, 1, c.length));
            assertThat(o.code()).as(String.join(" ", c)).isEqualTo(2);
            assertThat(o.firstErrLine()).as(String.join(" ", c)).isEqualTo(c[0]);
            assertThat(o.out()).as("nothing ran: %s", String.join(" ", c)).isEmpty();
        }
        for (String[] c : new String[][] {
            {"mmsim: " + tmp + " is a directory, not a scenario file", "run", tmp.toString(), "-k", "6.18"},
            {"mmsim: " + tmp + " is a directory, not a schedule file", "replay", tmp.toString()},
            // a checkpoint is read twice (its checksum, then its contents): a pipe or a device will not do
            {"mmsim: --resume: /dev/null is not a regular file, not a checkpoint file", "explore", p.toString(), "-k",
                "6.18", "--resume", "/dev/null"},
        }) {
            Outcome o = mmsim(java.util.Arrays.copyOfRange(c, 1, c.length));
            assertThat(o.code()).as(String.join(" ", c)).isEqualTo(2);
            assertThat(o.firstErrLine()).as(String.join(" ", c)).isEqualTo(c[0]);
        }
        // a checkpoint is written beside its name and moved over it: over /dev/null, run as root, it took its place
        Outcome device0 = mmsim("explore", p.toString(), "-k", "6.18", "--checkpoint", "/dev/null", "--max-states",
                "1");
        assertThat(device0.code()).isEqualTo(2);
        assertThat(device0.firstErrLine()).isEqualTo("mmsim: --checkpoint: /dev/null is not a regular file, and the"
                + " file written beside it would be moved over it");
        assertThat(Files.isRegularFile(Path.of("/dev/null"))).as("/dev/null is still a device").isFalse();
        // a scenario or a schedule is read once, as check always read it: a device is read, here as an empty file
        Outcome device = mmsim("explore", "/dev/null", "-k", "6.18");
        assertThat(device.code()).isEqualTo(Main.INVALID_SCENARIO);
        assertThat(device.firstErrLine()).isEqualTo("/dev/null:1:1: missing 'scenario NAME' line");
        Path file = write("not-a-dir", "keep me\n");
        Outcome save = mmsim("explore", p.toString(), "-k", "6.18", "--save", file.resolve("sub").toString());
        assertThat(save.code()).isEqualTo(2);
        assertThat(save.firstErrLine()).isEqualTo("mmsim: --save: " + file + " is not a directory");
        // an existing file is checked by opening it to append nothing: it is left as it was until the command writes
        Path json = write("old.json", "old\n");
        assertThat(mmsim("check", p.toString(), "--json", json.toString()).code()).isZero();
        assertThat(java.nio.file.Files.readString(json)).startsWith("{");
        try (var left = java.nio.file.Files.list(tmp)) {
            assertThat(left.map(x -> x.getFileName().toString())).as("no probe left behind")
                    .noneMatch(n -> n.endsWith(".probe"));
        }
    }

    @Test
    void everySubcommandHasHelpAndHelpNamesThem() {
        for (String cmd : java.util.List.of("check", "run", "explore", "replay", "fidelity", "kernels", "bench")) {
            Outcome o = mmsim(cmd, "--help");
            assertThat(o.code()).as("%s --help", cmd).isZero();
            assertThat(o.out()).as("%s --help", cmd).startsWith("Usage: mmsim " + cmd + " ");
            Outcome h = mmsim("help", cmd);
            assertThat(h.code()).as("help %s", cmd).isZero();
            assertThat(h.out()).isEqualTo(o.out());
        }
        assertThat(mmsim("run", "--help").out()).as("no split regex in the usage").contains("-k=K[,K...]")
                .doesNotContain("(?!");
    }

    @Test
    void kernelOptionAndSetOverride() throws IOException {
        Path p = write("good.mms", GOOD);
        Outcome all = mmsim("check", p.toString(), "--kernel", "all");
        assertThat(all.code()).isZero();
        assertThat(all.out()).contains("good      4.8 ", "good      5.19", "check: 11 passed, 0 failed");
        Outcome bad = mmsim("check", p.toString(), "--kernel", "7.0");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.firstErrLine()).startsWith("mmsim: unknown kernel profile '7.0'");
        Outcome set = mmsim("check", p.toString(), "--set", "nonsense=1");
        assertThat(set.code()).isEqualTo(2);
        Outcome brackets = mmsim("check", p.toString(), "--kernel", "5.7,6.18[cow_reuse=mapcount,fork_copy_pinned=off]");
        assertThat(brackets.code()).isZero();
        assertThat(brackets.out()).contains("good      6.18[cow_reuse=mapcount,fork_copy_pinned=off]  never");
        // a switch given twice, by --set or in one bracket, is refused by each command that runs kernels: the first
        // setting would be dropped without a word
        for (String command : List.of("check", "explore", "run")) {
            Outcome twice = mmsim(command, p.toString(), "--kernel", "6.18", "--set", "cow_reuse=mapcount",
                    "--set", "cow_reuse=page_count");
            assertThat(twice.code()).as(command).isEqualTo(2);
            assertThat(twice.firstErrLine()).as(command)
                    .isEqualTo("mmsim: --set cow_reuse is given twice ('mapcount' and 'page_count')");
            Outcome bracket = mmsim(command, p.toString(), "--kernel", "6.18[cow_reuse=mapcount,cow_reuse=mapcount]");
            assertThat(bracket.code()).as(command).isEqualTo(2);
            assertThat(bracket.firstErrLine()).as(command).isEqualTo("mmsim: kernel "
                    + "'6.18[cow_reuse=mapcount,cow_reuse=mapcount]': switch cow_reuse is set twice");
        }
    }

    @Test
    void usageErrorsExit2() {
        assertThat(mmsim("check").code()).isEqualTo(2);
        assertThat(mmsim("check", "/nonexistent/x.mms").code()).isEqualTo(2);
        assertThat(mmsim("frobnicate").code()).isEqualTo(2);
    }

    @Test
    void runPrintsEveryStepDeterministically() throws IOException {
        Path p = write("good.mms", GOOD);
        Outcome a = mmsim("run", p.toString(), "--kernel", "6.18");
        Outcome b = mmsim("run", p.toString(), "--kernel", "6.18");
        assertThat(a.code()).isZero();
        assertThat(a.out()).isEqualTo(b.out());
        assertThat(a.out()).contains("  4  P    store A 2  = 0", "path: do_user_addr_fault > handle_mm_fault > do_wp_page",
                "exists (C:r0 = 2): false", "invariants: all held");
    }

    @Test
    void kernelsListsEveryProfileAndSwitch() {
        Outcome o = mmsim("kernels");
        assertThat(o.code()).isZero();
        assertThat(o.out()).contains("4.8", "5.7", "5.9", "5.11", "5.19", "6.18", "cow_reuse", "fork_copy_pinned",
                "gup_write_retry", "pin-coherence");
    }
}
