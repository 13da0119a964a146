package org.mmsim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fuzz --differential}'s comparison: what it lets differ (timings; without reduction, the executions counted),
 * what it reports (anything else), and which searches it does not compare (those a time or heap budget stopped).
 */
class DifferentialCheckTest {
    @TempDir
    Path tmp;

    /** A one-result report as {@code check --json} writes it. */
    private static String report(String outcome, int states, int executions, double seconds, String stopped) {
        return "{\n  \"schema\": 1,\n  \"results\": [\n    {\n      \"scenario\": \"x\",\n      \"kernel\": \"6.18\",\n"
                + "      \"outcome\": \"" + outcome + "\",\n      \"ok\": true,\n      \"states\": " + states + ",\n"
                + "      \"executions\": " + executions + ",\n      \"satisfied\": " + executions / 2 + ",\n"
                + (stopped == null ? "" : "      \"stopped\": \"" + stopped + "\",\n")
                + "      \"seconds\": " + seconds + ",\n      \"violations\": []\n    }\n  ]\n}\n";
    }

    private static DifferentialCheck.Run run(int code, String json) {
        return new DifferentialCheck.Run(code, json);
    }

    @Test
    void timingsMayDifferAndNothingElse() {
        DifferentialCheck.Run one = run(Main.OK, report("sometimes", 25, 15, 0.017, null));
        assertThat(DifferentialCheck.disagreement(one, run(Main.OK, report("sometimes", 25, 15, 0.4, null)),
                run(Main.OK, report("sometimes", 25, 15, 0.02, null)))).isNull();
        assertThat(DifferentialCheck.disagreement(one, run(Main.OK, report("sometimes", 26, 15, 0.017, null)),
                run(Main.OK, report("sometimes", 25, 15, 0.02, null))))
                .isEqualTo("two workers disagree with one: exit 0 against 0, reports differ at line 9: "
                        + "\"states\": 26, against \"states\": 25,");
        assertThat(DifferentialCheck.disagreement(one, run(Main.FAILED, report("sometimes", 25, 15, 0.017, null)),
                run(Main.OK, report("sometimes", 25, 15, 0.02, null))))
                .startsWith("two workers disagree with one: exit 1 against 0, reports are the same");
    }

    @Test
    void aRunThatFailsWhereTheOtherDidNotIsADisagreement() {
        DifferentialCheck.Run one = run(Main.OK, report("sometimes", 25, 15, 0.017, null));
        DifferentialCheck.Run crashed = run(Main.INTERNAL, "");
        assertThat(DifferentialCheck.disagreement(one, crashed, one))
                .isEqualTo("two workers disagree with one: exit 70 against 0, reports differ: none against one");
        assertThat(DifferentialCheck.disagreement(one, one, crashed))
                .startsWith("no reduction disagrees with reduction: exit 70 against 0");
        DifferentialCheck.Run whole = run(Main.OK, explore(25, 10, 3, 0, "null"));
        assertThat(DifferentialCheck.exploreDisagreement(whole, crashed))
                .startsWith("explore with two workers disagrees with one: exit 70 against 0");
        assertThat(DifferentialCheck.sampleDisagreement("pct", whole, crashed))
                .isEqualTo("pct failed where the exhaustive search did not: exit 70");
        assertThat(DifferentialCheck.exploreDisagreement(crashed, whole)).as("no reference").isNull();
    }

    @Test
    void withoutReductionOnlyTheExecutionsCountedMayDiffer() {
        DifferentialCheck.Run one = run(Main.OK, report("sometimes", 25, 12, 0.01, null));
        DifferentialCheck.Run two = run(Main.OK, report("sometimes", 25, 12, 0.01, null));
        assertThat(DifferentialCheck.disagreement(one, two, run(Main.OK, report("sometimes", 25, 15, 0.03, null))))
                .isNull();
        assertThat(DifferentialCheck.disagreement(one, two, run(Main.FAILED, report("never", 25, 15, 0.03, null))))
                .isEqualTo("no reduction disagrees with reduction: exit 1 against 0, reports differ at line 7: "
                        + "\"outcome\": \"never\", against \"outcome\": \"sometimes\",");
    }

    @Test
    void aSearchTheMachinesBudgetStoppedIsNotCompared() {
        DifferentialCheck.Run one = run(Main.OK, report("sometimes", 25, 15, 0.01, null));
        assertThat(DifferentialCheck.comparable(run(Main.OK, report("inconclusive", 9, 0, 3.0, "max-seconds"))))
                .isFalse();
        assertThat(DifferentialCheck.comparable(run(Main.OK, report("inconclusive", 9, 0, 3.0, "heap")))).isFalse();
        assertThat(DifferentialCheck.comparable(run(Main.INVALID_SCENARIO, ""))).isFalse();
        assertThat(DifferentialCheck.disagreement(one, run(Main.OK, report("inconclusive", 9, 0, 3, "max-seconds")),
                run(Main.OK, report("inconclusive", 7, 0, 3, "max-seconds")))).isNull();
    }

    @Test
    void aStateBudgetStopsEverySearchAtTheSameStateSoTwoWorkersAreStillCompared() {
        DifferentialCheck.Run failed = run(Main.FAILED, report("inconclusive", 20000, 10, 1.0, "max-states"));
        assertThat(DifferentialCheck.comparable(failed)).isTrue();
        assertThat(DifferentialCheck.disagreement(failed,
                run(Main.FAILED, report("inconclusive", 20001, 10, 1.0, "max-states")),
                run(Main.FAILED, report("sometimes", 5, 1, 1.0, null)))).startsWith("two workers disagree");
        // without reduction, a stopped search is not compared: its executions decide where it stopped
        assertThat(DifferentialCheck.disagreement(failed,
                run(Main.FAILED, report("inconclusive", 20000, 10, 1.0, "max-states")),
                run(Main.FAILED, report("sometimes", 5, 1, 1.0, null)))).isNull();
    }

    @Test
    void fiveHistoryScenariosKeepEveryPromise() throws IOException {
        List<String> budget = List.of("--max-states", "200000", "--max-seconds", "60");
        for (String name : List.of("b1-dirty-cow", "b3-cow-breaks-either-way", "b6-dma-vs-writeback",
                "b7-gup-fast-vs-fork", "tlb-delayed-rmap")) {
            Path f = BundledScenariosTest.ROOT.resolve("scenarios/history/" + name + ".mms");
            DifferentialCheck.Run one = DifferentialCheck.check(f, tmp, budget, "--workers", "1");
            assertThat(DifferentialCheck.comparable(one)).as(name).isTrue();
            assertThat(one.json()).as(name).contains("\"states\"");
            assertThat(DifferentialCheck.disagreement(one, DifferentialCheck.check(f, tmp, budget, "--workers", "2",
                    "--parallel-level", "1"), DifferentialCheck.check(f, tmp, budget, "--workers", "1",
                            "--no-reduction"))).as(name).isNull();
            String kernel = DifferentialCheck.firstKernel(one);
            assertThat(kernel).as(name).isNotNull();
            DifferentialCheck.Run whole = DifferentialCheck.explore(f, tmp, kernel, budget, "--workers", "1");
            assertThat(whole.json()).as(name).contains("\"counterexamples\"");
            assertThat(DifferentialCheck.exploreDisagreement(whole, DifferentialCheck.explore(f, tmp, kernel, budget,
                    "--workers", "2", "--parallel-level", "1"))).as(name).isNull();
            Path checkpoint = tmp.resolve("differential.checkpoint");
            Files.deleteIfExists(checkpoint);
            assertThat(DifferentialCheck.resumeDisagreement(f, tmp, kernel, budget, whole)).as(name).isNull();
            for (String mode : List.of("random", "pct")) {
                DifferentialCheck.Run sample = DifferentialCheck.explore(f, tmp, kernel, budget, "--mode", mode,
                        "--runs", "40");
                assertThat(sample.json()).as(name).contains("\"mode\": \"" + (mode.equals("pct") ? "pct"
                        : "random_walk") + "\"");
                assertThat(DifferentialCheck.sampleDisagreement(mode, whole, sample)).as(name + " " + mode).isNull();
            }
            // a scenario without threads is one state: nothing to stop half way
            if (!whole.json().contains("\n  \"states\": 1,")) {
                assertThat(checkpoint).as(name + ": stopped half way").exists();
            }
            assertThat(DifferentialCheck.compare(f, tmp, budget, one, 7)).as(name + ": all of it, as fuzz runs it")
                    .isNull();
        }
    }

    /** An {@code explore} report's counts and violations, as the writer lays them out. */
    private static String explore(int states, int depth, int finals, int deadlocks, String stopped,
            String... violations) {
        StringBuilder v = new StringBuilder();
        for (int i = 0; i < violations.length; i += 2) {
            v.append(i == 0 ? "\n" : ",\n").append("    {\n      \"invariant\": \"").append(violations[i])
                    .append("\",\n      \"message\": \"").append(violations[i + 1])
                    .append("\",\n      \"step\": 3\n    }");
        }
        return "{\n  \"schema\": 2,\n  \"complete\": true,\n  \"stopped\": " + stopped + ",\n  \"states\": " + states
                + ",\n  \"transitions\": 9,\n  \"depth\": " + depth + ",\n  \"finalStates\": " + finals
                + ",\n  \"positiveFinalStates\": 0,\n  \"deadlocks\": " + deadlocks + ",\n  \"violations\": [" + v
                + (violations.length == 0 ? "" : "\n  ") + "],\n  \"counterexamples\": []\n}\n";
    }

    @Test
    void aSampleOfTheExecutionsMayFindLessThanTheWholeSearchButNeverMore() {
        DifferentialCheck.Run whole = run(Main.OK, explore(25, 10, 3, 0, "null", "pin-coherence", "pin of \\\"P\\\""));
        assertThat(DifferentialCheck.sampleDisagreement("random", whole, run(Main.OK, explore(20, 10, 2, 0, "null"))))
                .isNull();
        assertThat(DifferentialCheck.sampleDisagreement("random", whole, run(Main.OK, explore(25, 10, 3, 0, "null",
                "pin-coherence", "pin of \\\"P\\\"")))).isNull();
        assertThat(DifferentialCheck.sampleDisagreement("pct", whole, run(Main.OK, explore(26, 10, 3, 0, "null"))))
                .isEqualTo("pct found more than the exhaustive search: states 26 against 25");
        assertThat(DifferentialCheck.sampleDisagreement("pct", whole, run(Main.OK, explore(5, 11, 1, 0, "null"))))
                .isEqualTo("pct found more than the exhaustive search: depth 11 against 10");
        assertThat(DifferentialCheck.sampleDisagreement("random", whole, run(Main.OK, explore(5, 4, 1, 1, "null"))))
                .isEqualTo("random found more than the exhaustive search: deadlocks 1 against 0");
        assertThat(DifferentialCheck.sampleDisagreement("random", whole, run(Main.OK, explore(5, 4, 1, 0, "null",
                "isolation", "mm 2 read mm 1's data"))))
                .isEqualTo("random found a violation the exhaustive search did not: isolation: mm 2 read mm 1's data");
        // a whole search a budget stopped is not the whole
        DifferentialCheck.Run stopped = run(4, explore(25, 10, 3, 0, "\"max-states\""));
        assertThat(DifferentialCheck.sampleDisagreement("random", stopped, run(Main.OK, explore(99, 10, 3, 0,
                "null")))).isNull();
    }

    @Test
    void aResumedSearchIsComparedWithTheWholeOneAndADifferenceIsReported() throws IOException {
        Path f = BundledScenariosTest.ROOT.resolve("scenarios/history/b7-gup-fast-vs-fork.mms");
        List<String> budget = List.of("--max-states", "200000", "--max-seconds", "60");
        DifferentialCheck.Run whole = DifferentialCheck.explore(f, tmp, "5.11", budget, "--workers", "1");
        assertThat(whole.json()).contains("\"states\": 44,");
        // a report of one more transition than the resumed search will find stands for a resumed search that lost one
        DifferentialCheck.Run other = new DifferentialCheck.Run(whole.code(), whole.json().replaceFirst(
                "\"transitions\": ([0-9]+)", "\"transitions\": 1$1"));
        assertThat(DifferentialCheck.resumeDisagreement(f, tmp, "5.11", budget, other))
                .startsWith("a search resumed at 22 of 44 states disagrees with the whole: exit 0 against 0, reports "
                        + "differ at line 12: \"transitions\": ");
        DifferentialCheck.Run stopped = new DifferentialCheck.Run(4, whole.json().replace("\"stopped\": null",
                "\"stopped\": \"max-states\""));
        assertThat(DifferentialCheck.resumeDisagreement(f, tmp, "5.11", budget, stopped)).as("not whole").isNull();
    }
}
