package org.mmsim.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.mmsim.scenario.Checker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mmsim fuzz}: mutate the bundled scenarios (tokens swapped for others from the whole library and for edge
 * values, lines deleted, duplicated and swapped, bytes flipped) and run each mutant through {@code check} in this
 * process with a small search budget. Every mutant must end as a verdict or as a scenario error ({@code FILE:LINE:COL:
 * reason}); an internal error (exit 70), an uncaught exception or error (a stack overflow, out of memory) or a run
 * over the per-input time is a finding, saved as a reproducer file. The same seed gives the same mutants.
 */
@Command(name = "fuzz", mixinStandardHelpOptions = true, description = "Mutate the bundled scenarios and run each "
        + "mutant through check: every input must end in a verdict or a FILE:LINE:COL scenario error. Findings "
        + "(internal errors, uncaught exceptions, runs over --input-seconds) are saved as reproducers; exit 1 if any.")
final class FuzzCommand extends Subcommand {
    @Option(names = "--count", paramLabel = "N", description = "How many mutants to run (default: 1000).")
    int count = 1000;

    @Option(names = "--seed", paramLabel = "S", description = "The seed of the mutations (default: 1).")
    long seed = 1;

    @Option(names = "--corpus", paramLabel = "DIR", description = "Scenarios to mutate (default: scenarios).")
    Path corpus = Path.of("scenarios");

    /** Null when not given: the default is then only tried when a finding is saved, as {@code explore}'s --save. */
    @Option(names = "--out", paramLabel = "DIR", description = "Where findings are saved (default: fuzz-findings).")
    Path out;

    @Option(names = "--input-seconds", paramLabel = "S", description = "A mutant that runs longer is a finding "
            + "(default: 10).")
    double inputSeconds = 10;

    @Option(names = "--differential", description = "Also check each mutant that ends in a verdict with --workers 2 "
            + "and with --no-reduction, and explore it stopped half way and resumed, and in the random modes: two "
            + "workers and a resumed search must give the same report as one worker, timings aside, no reduction the "
            + "same outcomes, states and violations, and the random modes nothing the exhaustive search did not find. "
            + "A disagreement is a finding.")
    boolean differential;

    /** The budget of a mutant's check: a small search, and a time and heap limit that keep the campaign going. */
    private static final List<String> BUDGET = List.of("--max-states", "20000", "--max-seconds", "3", "--max-heap",
            "0.8");


    /** Edge values every token may become. */
    private static final String[] EDGES = {"0", "-1", "1", "8", "16", "4K", "-4K", "1G", "64G", "0x7fffffffffff",
        "0x7ffffffff000", "9223372036854775807", "-9223372036854775808", "A+8", "A+4K", "A+16", "(", ")", "{", "}",
        "~", "/\\", "\\/", ":", "=", "NEW", "P", "C", "r0", "EOF", "\"", "#", "[", "]"};

    @Override
    public Integer call() throws IOException {
        if (count < 0) {
            throw new Main.UsageError("--count must not be negative, not " + count);
        }
        if (!(inputSeconds > 0)) {
            throw new Main.UsageError("--input-seconds must be above 0, not " + inputSeconds);
        }
        if (out != null) {
            OutputFile.checkDirectory("--out", out);
        } else {
            out = Path.of("fuzz-findings");
        }
        InputFile.named("--corpus: ", "scenario", corpus, false);
        if (!Files.exists(corpus)) {
            throw new Main.UsageError("--corpus: no such file or directory: " + corpus);
        }
        List<Path> files = Checker.findScenarios(List.of(corpus)).stream()
                .filter(p -> !p.toString().contains("bench")).toList();
        if (files.isEmpty()) {
            throw new Main.UsageError("no .mms scenario files under " + corpus);
        }
        List<String> texts = new ArrayList<>();
        TreeSet<String> vocabulary = new TreeSet<>();
        for (Path f : files) {
            String text;
            try {
                text = Files.readString(f, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new Main.UsageError("--corpus: cannot read " + f + ": " + OutputFile.reason(e));
            }
            texts.add(text);
            for (String tok : text.split("\\s+")) {
                if (!tok.isEmpty() && !tok.startsWith("#")) {
                    vocabulary.add(tok);
                }
            }
        }
        List<String> vocab = new ArrayList<>(vocabulary);
        if (differential) {
            // the promises are about searches: mutate the scenarios with threads, whose mutants mostly keep some (of the
            // whole library's, five in six compared had one state), and take the vocabulary from all of them
            List<String> concurrent = texts.stream().filter(t -> t.contains("\nthread ")).toList();
            if (!concurrent.isEmpty()) {
                texts = concurrent;
            }
        }
        Random rnd = new Random(seed);
        Path dir = Files.createTempDirectory("mmsim-fuzz");
        Path input = dir.resolve("mutant.mms");
        Path json = dir.resolve("mutant.json");
        int internal = 0;
        int uncaught = 0;
        int slow = 0;
        int invalid = 0;
        int verdicts = 0;
        int compared = 0;
        int disagreements = 0;
        long t0 = System.nanoTime();
        for (int n = 0; n < count; n++) {
            String mutant = mutate(texts.get(rnd.nextInt(texts.size())), vocab, rnd);
            Files.writeString(input, mutant, StandardCharsets.UTF_8);
            boolean plain = n % 10 != 9;
            Files.deleteIfExists(json);
            List<String> check = new ArrayList<>(List.of("check", input.toString()));
            check.addAll(BUDGET);
            if (differential) {
                check.addAll(List.of("--workers", "1", "--json", json.toString()));
            }
            String[] args = plain ? check.toArray(String[]::new) : commandLine(input, dir, rnd);
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            long s0 = System.nanoTime();
            String finding = null;
            int code = Main.INTERNAL;
            try (PrintStream o = new PrintStream(sink, true, StandardCharsets.UTF_8);
                    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
                code = Main.run(args, o, e);
                if (code == Main.INTERNAL) {
                    internal++;
                    finding = "internal error: " + err.toString(StandardCharsets.UTF_8).trim() + "\n# command: "
                            + String.join(" ", args);
                } else if (code == Main.INVALID_SCENARIO) {
                    invalid++;
                } else {
                    verdicts++;
                }
            } catch (Throwable t) {
                uncaught++;
                finding = "uncaught: " + t;
            }
            // the time of the mutant's own run: the comparisons after it search it eight more times
            double secs = (System.nanoTime() - s0) / 1e9;
            if (differential && plain && finding == null && Files.exists(json)) {
                DifferentialCheck.Run one = new DifferentialCheck.Run(code,
                        Files.readString(json, StandardCharsets.UTF_8));
                if (DifferentialCheck.comparable(one)) {
                    compared++;
                    try {
                        finding = DifferentialCheck.compare(input, dir, BUDGET, one, n);
                    } catch (Throwable t) {
                        finding = "uncaught: " + t;
                    }
                    if (finding != null) {
                        disagreements++;
                    }
                }
            }
            if (finding == null && secs > inputSeconds) {
                slow++;
                finding = String.format("ran %.1f s", secs);
            }
            if (finding != null) {
                save(n, mutant, finding);
            }
        }
        double total = (System.nanoTime() - t0) / 1e9;
        // the mutant, and what its checks wrote (a differential campaign's explore saves schedules in a directory)
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        stdout.printf("fuzz: %d mutants (seed %d) in %.1f s: %d verdicts, %d scenario errors, "
                + "%d internal errors, %d uncaught, %d over %.0f s%s%n", count, seed, total, verdicts, invalid,
                internal, uncaught, slow, inputSeconds, differential
                        ? String.format("; %d of %d searches compared disagree", disagreements, compared) : "");
        return internal + uncaught + slow + disagreements == 0 ? Main.OK : Main.FAILED;
    }

    private void save(int n, String mutant, String finding) {
        OutputFile.makeDirectory("--out", out);
        Path f = out.resolve(String.format("finding-%d-%06d.mms", seed, n));
        OutputFile.write("--out", f, "# mmsim fuzz --seed " + seed + ", mutant " + n + ": "
                + finding.lines().findFirst().orElse("") + "\n" + mutant);
        stdout.println("finding: " + f + ": " + finding.lines().findFirst().orElse(""));
    }

    /** Options and values a command line is made of. */
    private static final String[] ARGS = {"--kernel", "-k", "all", "6.18", "2.6.19", "5.9[cow_reuse=mapcount]",
        "6.18[", "5.7,6.18", ",", "--set", "cow_reuse=page_count", "x=y", "=", "--json", "/tmp", "--max-states", "0",
        "-5", "1", "--max-seconds", "0.001", "NaN", "--max-heap", "2", "--mode", "random", "pct", "exhaustive",
        "--seed", "--workers", "0", "3", "--no-reduction", "--depth", "--runs", "--out", "--help", "-V", ""};

    /** Options whose value is a file the command writes: the fuzzer points them into its own directory. */
    private static final List<String> WRITES = List.of("--json", "--out", "--checkpoint", "--save");

    /**
     * A random command line over {@code input}: a subcommand, the file or not, and options with or without values. A
     * file it would write goes into {@code dir}, never the working directory.
     */
    private static String[] commandLine(Path input, Path dir, Random rnd) {
        String[] commands = {"check", "run", "explore", "replay", "fidelity", "kernels"};
        List<String> args = new ArrayList<>();
        args.add(commands[rnd.nextInt(commands.length)]);
        if (rnd.nextInt(4) != 0) {
            args.add(input.toString());
        }
        int n = rnd.nextInt(6);
        for (int i = 0; i < n; i++) {
            args.add(ARGS[rnd.nextInt(ARGS.length)]);
        }
        for (int i = 1; i + 1 < args.size(); i++) {
            if (WRITES.contains(args.get(i)) && !args.get(i + 1).equals("/tmp")) {
                args.set(i + 1, dir.resolve("out-" + i).toString());
            }
        }
        if (args.get(0).equals("explore") || args.get(0).equals("check")) {
            args.add("--max-seconds");
            args.add("3");
        }
        return args.toArray(String[]::new);
    }

    /** One to four mutations of {@code text}. */
    static String mutate(String text, List<String> vocab, Random rnd) {
        List<String> lines = new ArrayList<>(text.lines().toList());
        int rounds = 1 + rnd.nextInt(4);
        for (int r = 0; r < rounds && !lines.isEmpty(); r++) {
            int li = rnd.nextInt(lines.size());
            switch (rnd.nextInt(7)) {
                case 0, 1, 2 -> {
                    String[] toks = lines.get(li).split(" ", -1);
                    int ti = rnd.nextInt(toks.length);
                    toks[ti] = rnd.nextBoolean() ? EDGES[rnd.nextInt(EDGES.length)]
                            : vocab.get(rnd.nextInt(vocab.size()));
                    lines.set(li, String.join(" ", toks));
                }
                case 3 -> lines.remove(li);
                case 4 -> lines.add(li, lines.get(rnd.nextInt(lines.size())));
                case 5 -> {
                    int lj = rnd.nextInt(lines.size());
                    String t = lines.get(li);
                    lines.set(li, lines.get(lj));
                    lines.set(lj, t);
                }
                default -> {
                    char[] c = lines.get(li).toCharArray();
                    if (c.length > 0) {
                        c[rnd.nextInt(c.length)] = (char) (32 + rnd.nextInt(95));
                        lines.set(li, new String(c));
                    }
                }
            }
        }
        return String.join("\n", lines) + "\n";
    }
}
