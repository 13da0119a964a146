package org.mmsim.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code mmsim fuzz --differential} asks of a mutant that ended in a verdict: that the explorer keeps its promises
 * about it (docs/explorer.md §6).
 * <ul>
 *   <li>Two workers give the report one worker gave, byte for byte apart from the timings: {@code check}'s for every
 *       kernel the scenario expects something of, and {@code explore}'s, with its counterexamples, for the first of
 *       them ({@link #disagreement}, {@link #exploreDisagreement}).</li>
 *   <li>Without sleep-set reduction, every kernel has the same outcome, states and violations: reduction prunes
 *       transitions, not states, so only the executions counted, and the satisfied ones among them, may differ.</li>
 *   <li>A search stopped half way by a state budget and resumed from its checkpoint (by two workers) ends with the
 *       report of the search that was not stopped ({@link #resumeDisagreement}).</li>
 *   <li>The random modes, which run some of the executions, find nothing the exhaustive search did not: no more states,
 *       final states or positive final states, no deadlock, no deeper state and no violation it did not find
 *       ({@link #sampleDisagreement}).</li>
 * </ul>
 * A search that a time or heap budget stopped is not compared: where it stopped depends on the machine, not on the
 * model. A state budget stops every search at the same state, so such a search is compared with two workers, and
 * without reduction only if neither stopped. A run that failed (an internal error) where the one it is compared with
 * did not is a disagreement.
 */
final class DifferentialCheck {
    /** A line of the JSON report that holds a timing ({@code "seconds": 0.017}). */
    private static final Pattern TIMING = Pattern.compile("(?m)^\\s*\"seconds\": [0-9.eE+-]+,?\\n");
    /** The lines a search without reduction may change: the executions counted, and those the condition held in. */
    private static final Pattern COUNTED = Pattern.compile("(?m)^\\s*\"(executions|satisfied)\": [0-9]+,?\\n");
    /** A budget that stops a search where the machine's speed or memory says, not the model. */
    private static final Pattern UNREPEATABLE = Pattern.compile("\"stopped\": \"(max-seconds|heap|interrupted)\"");
    private static final Pattern KERNEL = Pattern.compile("\"kernel\": \"([^\"]+)\"");
    /** The states of an {@code explore} report: a key of the report itself, two spaces in. */
    private static final Pattern STATES = Pattern.compile("(?m)^  \"states\": ([0-9]+),");
    /** A violation of an {@code explore} report: its invariant and message, one line each, as the writer puts them. */
    private static final Pattern VIOLATION = Pattern.compile(
            "\"invariant\": \"((?:[^\"\\\\]|\\\\.)*)\",\\s*\"message\": \"((?:[^\"\\\\]|\\\\.)*)\"");

    private DifferentialCheck() {}

    /**
     * How the searches of {@code input} disagree with {@code one}, its {@code check} with one worker under
     * {@code budget} ({@link #comparable}), or null if they all agree: {@code check} with two workers and without
     * reduction, then {@code explore} under the first kernel {@code one} names with one worker, with two, stopped half
     * way and resumed, and in the random modes (40 runs each, from {@code seed}). The first disagreement found is the
     * one said.
     */
    static String compare(Path input, Path dir, List<String> budget, Run one, long seed) throws IOException {
        String found = disagreement(one, check(input, dir, budget, "--workers", "2", "--parallel-level", "1"),
                check(input, dir, budget, "--workers", "1", "--no-reduction"));
        String kernel = firstKernel(one);
        if (found != null || kernel == null) {
            return found;
        }
        Run whole = explore(input, dir, kernel, budget, "--workers", "1");
        found = exploreDisagreement(whole, explore(input, dir, kernel, budget, "--workers", "2", "--parallel-level",
                "1"));
        if (found == null) {
            found = resumeDisagreement(input, dir, kernel, budget, whole);
        }
        for (String mode : List.of("random", "pct")) {
            if (found == null) {
                found = sampleDisagreement(mode, whole, explore(input, dir, kernel, budget, "--mode", mode, "--runs",
                        "40", "--seed", Long.toString(seed)));
            }
        }
        return found;
    }

    /** A run of {@code check}: its exit code and its JSON report (empty if it wrote none). */
    record Run(int code, String json) {}

    /**
     * The {@code check} of {@code input} with {@code options} and {@code budget}, its report written into
     * {@code dir}.
     */
    static Run check(Path input, Path dir, List<String> budget, String... options) throws IOException {
        return run("check", input, dir, budget, List.of(options));
    }

    private static Run run(String command, Path input, Path dir, List<String> budget, List<String> options)
            throws IOException {
        Path json = dir.resolve("differential.json");
        Files.deleteIfExists(json);
        List<String> args = new ArrayList<>(List.of(command, input.toString()));
        args.addAll(budget);
        args.addAll(options);
        args.addAll(List.of("--json", json.toString()));
        int code;
        try (PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)) {
            code = Main.run(args.toArray(String[]::new), o, e);
        }
        return new Run(code, Files.exists(json) ? Files.readString(json, StandardCharsets.UTF_8) : "");
    }

    /** The first kernel {@code one}'s report names, or null if it names none. */
    static String firstKernel(Run one) {
        Matcher m = KERNEL.matcher(one.json());
        return m.find() ? m.group(1) : null;
    }

    /**
     * The {@code explore} of {@code input} under {@code kernel} with {@code options} and {@code budget}, its report
     * and counterexample schedules written into {@code dir}.
     */
    static Run explore(Path input, Path dir, String kernel, List<String> budget, String... options)
            throws IOException {
        List<String> args = new ArrayList<>(List.of("--kernel", kernel, "--save", dir.resolve("schedules").toString()));
        args.addAll(List.of(options));
        return run("explore", input, dir, budget, args);
    }

    /** Whether {@code run} can be compared at all: it ended in a verdict, and no budget of the machine's stopped it. */
    static boolean comparable(Run run) {
        return (run.code() == Main.OK || run.code() == Main.FAILED) && !run.json().isEmpty() && !unrepeatable(run);
    }

    /** Whether a budget of the machine's (the clock, the heap, an interrupt) stopped {@code run}. */
    private static boolean unrepeatable(Run run) {
        return UNREPEATABLE.matcher(run.json()).find();
    }

    /** Whether an {@code explore} run can stand for its search: a report that no budget of the machine's stopped. */
    private static boolean reference(Run run) {
        return run.code() != Main.INTERNAL && !run.json().isEmpty() && !unrepeatable(run);
    }

    /**
     * How {@code exploreTwo} disagrees with {@code exploreOne} ({@code explore} with two workers and with one), or
     * null if they agree, {@code exploreOne} cannot stand for the search, or the machine's budget stopped either.
     */
    static String exploreDisagreement(Run exploreOne, Run exploreTwo) {
        if (!reference(exploreOne) || unrepeatable(exploreTwo)) {
            return null;
        }
        if (exploreTwo.code() != exploreOne.code() || !withoutTimings(exploreTwo.json()).equals(
                withoutTimings(exploreOne.json()))) {
            return "explore with two workers disagrees with one: exit " + exploreTwo.code() + " against "
                    + exploreOne.code() + ", reports " + firstDifference(withoutTimings(exploreTwo.json()),
                            withoutTimings(exploreOne.json()));
        }
        return null;
    }

    /**
     * How the {@code explore} of {@code input} under {@code kernel}, stopped by a state budget at half the states
     * {@code whole} (one worker, not stopped) found and resumed from its checkpoint by two workers, disagrees with
     * {@code whole}, or null if it ends with the same report (or {@code whole} cannot be compared, or has too few
     * states to stop half way).
     */
    static String resumeDisagreement(Path input, Path dir, String kernel, List<String> budget, Run whole)
            throws IOException {
        Matcher m = STATES.matcher(whole.json());
        if (!reference(whole) || whole.json().contains("\"stopped\": \"") || !m.find()) {
            return null;
        }
        long states = Long.parseLong(m.group(1));
        if (states < 2) {
            return null;
        }
        List<String> half = new ArrayList<>(budget);
        int at = half.indexOf("--max-states");
        if (at >= 0) {
            half.subList(at, at + 2).clear();
        }
        half.addAll(List.of("--max-states", Long.toString(states / 2)));
        Path checkpoint = dir.resolve("differential.checkpoint");
        Files.deleteIfExists(checkpoint);
        Run stopped = explore(input, dir, kernel, half, "--workers", "1", "--checkpoint", checkpoint.toString());
        if (!stopped.json().contains("\"stopped\": \"max-states\"")) {
            return unrepeatable(stopped) ? null : "a search with --max-states " + states / 2 + " of " + states
                    + " states did not stop there: exit " + stopped.code();
        }
        Run resumed = explore(input, dir, kernel, budget, "--workers", "2", "--parallel-level", "1", "--resume",
                checkpoint.toString());
        if (unrepeatable(resumed)) {
            return null;
        }
        if (resumed.code() != whole.code() || !withoutTimings(resumed.json()).equals(withoutTimings(whole.json()))) {
            return "a search resumed at " + states / 2 + " of " + states + " states disagrees with the whole: exit "
                    + resumed.code() + " against " + whole.code() + ", reports " + firstDifference(
                            withoutTimings(resumed.json()), withoutTimings(whole.json()));
        }
        return null;
    }

    /** The counts of an {@code explore} report that a sample of its executions cannot exceed. */
    private static final List<String> BOUNDED = List.of("states", "depth", "finalStates", "positiveFinalStates",
            "deadlocks");

    /**
     * How {@code sample} ({@code explore} in a random mode, {@code mode}) finds more than {@code whole} (the exhaustive
     * search that was not stopped), or null if it finds no more, or either cannot be compared.
     */
    static String sampleDisagreement(String mode, Run whole, Run sample) {
        if (!reference(whole) || whole.json().contains("\"stopped\": \"") || unrepeatable(sample)) {
            return null;
        }
        if (sample.code() == Main.INTERNAL || sample.json().isEmpty()) {
            return mode + " failed where the exhaustive search did not: exit " + sample.code();
        }
        for (String key : BOUNDED) {
            long all = count(whole.json(), key);
            long some = count(sample.json(), key);
            if (all >= 0 && some > all) {
                return mode + " found more than the exhaustive search: " + key + " " + some + " against " + all;
            }
        }
        List<String> found = violationKeys(whole.json());
        for (String v : violationKeys(sample.json())) {
            if (!found.contains(v)) {
                return mode + " found a violation the exhaustive search did not: " + v;
            }
        }
        return null;
    }

    /** A count of an {@code explore} report, a key of the report itself; -1 if it has none. */
    private static long count(String json, String key) {
        Matcher m = Pattern.compile("(?m)^  \"" + key + "\": ([0-9]+),").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** The invariant and message of each violation an {@code explore} report lists. */
    private static List<String> violationKeys(String json) {
        List<String> keys = new ArrayList<>();
        Matcher m = VIOLATION.matcher(json);
        while (m.find()) {
            keys.add(m.group(1) + ": " + m.group(2));
        }
        return keys;
    }

    /**
     * How {@code two} (two workers) and {@code flat} (no reduction) disagree with {@code one} (one worker, with
     * reduction, {@link #comparable}), or null if they agree; a run the machine's budget stopped is skipped.
     */
    static String disagreement(Run one, Run two, Run flat) {
        if (!unrepeatable(two) && (two.code() != one.code() || !withoutTimings(two.json()).equals(
                withoutTimings(one.json())))) {
            return "two workers disagree with one: exit " + two.code() + " against " + one.code() + ", reports "
                    + firstDifference(withoutTimings(two.json()), withoutTimings(one.json()));
        }
        if (!unrepeatable(flat) && !one.json().contains("\"stopped\"") && !flat.json().contains("\"stopped\"")
                && (flat.code() != one.code() || !uncounted(flat.json()).equals(uncounted(one.json())))) {
            return "no reduction disagrees with reduction: exit " + flat.code() + " against " + one.code()
                    + ", reports " + firstDifference(uncounted(flat.json()), uncounted(one.json()));
        }
        return null;
    }

    private static String withoutTimings(String json) {
        return TIMING.matcher(json).replaceAll("");
    }

    private static String uncounted(String json) {
        return COUNTED.matcher(withoutTimings(json)).replaceAll("");
    }

    /** The first line where {@code a} and {@code b} differ, both ways, for a finding's one-line summary. */
    static String firstDifference(String a, String b) {
        if (a.isEmpty() != b.isEmpty()) {
            return "differ: " + (a.isEmpty() ? "none against one" : "one against none");
        }
        String[] x = a.split("\n", -1);
        String[] y = b.split("\n", -1);
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            String p = i < x.length ? x[i].strip() : "(end)";
            String q = i < y.length ? y[i].strip() : "(end)";
            if (!p.equals(q)) {
                return "differ at line " + (i + 1) + ": " + p + " against " + q;
            }
        }
        return "are the same";
    }
}
