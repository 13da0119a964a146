package org.mmsim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.cli.MainTest.mmsim;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mmsim explore} and {@code mmsim replay} as a user drives them: verdicts, determinism, replay, budgets. */
class ExploreCommandTest {
    private static final String B1 = "../scenarios/history/b1-dirty-cow.mms";
    private static final String B7 = "../scenarios/history/b7-gup-fast-vs-fork.mms";

    @TempDir
    Path tmp;

    @Test
    void dirtyCowIsSometimesUnder48WithAShortestWitnessThatReplays() throws Exception {
        Path save = tmp.resolve("s");
        MainTest.Outcome first = mmsim("explore", B1, "-k", "4.8", "--save", save.toString());
        assertThat(first.code()).isZero();
        assertThat(first.out()).contains("Observation b1-dirty-cow Sometimes 1 4\n")
                .contains("Witness: the condition holds (7 scheduling steps)")
                .contains("schedule: W W W D W W W")
                .contains("faultin_page done, FOLL_WRITE dropped");
        MainTest.Outcome second = mmsim("explore", B1, "-k", "4.8", "--save", save.toString());
        assertThat(second.out()).isEqualTo(first.out());

        Path sched = save.resolve("b1-dirty-cow.4.8.witness.sched");
        assertThat(Files.readString(sched)).contains("kernel 4.8\n").contains("schedule W W W D W W W\n");
        MainTest.Outcome replay = mmsim("replay", sched.toString());
        assertThat(replay.code()).isZero();
        assertThat(replay.out()).contains("exists (P:r1 != 0x1): true").contains("P:r1 = 0x666");
        assertThat(mmsim("replay", sched.toString()).out()).isEqualTo(replay.out());
    }

    @Test
    void theFixedKernelsNeverReachIt() {
        for (String k : new String[] {"4.9", "6.18"}) {
            MainTest.Outcome o = mmsim("explore", B1, "-k", k, "--save", tmp.toString());
            assertThat(o.code()).isZero();
            assertThat(o.out()).contains("Observation b1-dirty-cow Never 0 ").doesNotContain("Witness");
        }
    }

    @Test
    void gupFastAgainstForkIsSometimesUnder59AndNeverUnder511() {
        assertThat(mmsim("explore", B7, "-k", "5.9", "--save", tmp.toString()).out())
                .contains("Observation b7-gup-fast-vs-fork Sometimes")
                .contains("page shared, parent pte not yet write-protected");
        assertThat(mmsim("explore", B7, "-k", "5.11", "--save", tmp.toString()).out())
                .contains("Observation b7-gup-fast-vs-fork Never");
    }

    @Test
    void aStateBudgetStopsCleanlyWithExit4() {
        MainTest.Outcome o = mmsim("explore", B1, "-k", "4.9", "--max-states", "3", "--save", tmp.toString());
        assertThat(o.code()).isEqualTo(ExploreCommand.INCONCLUSIVE);
        assertThat(o.out()).contains("Test b1-dirty-cow Inconclusive").contains("Inconclusive: stopped at max-states");
        MainTest.Outcome check = mmsim("check", B1, "-k", "4.9", "--max-states", "3");
        assertThat(check.code()).isEqualTo(ExploreCommand.INCONCLUSIVE);
        assertThat(check.out()).contains("inconclusive").contains("    stopped at max-states after 3 states\n");
        // one state is one state, in both reports
        assertThat(mmsim("explore", B1, "-k", "4.9", "--max-states", "1", "--save", tmp.toString()).out())
                .contains("Inconclusive: stopped at max-states after 1 state, depth 0\n");
        assertThat(mmsim("check", B1, "-k", "4.9", "--max-states", "1").out())
                .contains("    stopped at max-states after 1 state\n");
    }

    @Test
    void aCheckpointedSearchResumesToTheUninterruptedVerdictAndWitness() {
        Path ckpt = tmp.resolve("b1.ckpt");
        MainTest.Outcome whole = mmsim("explore", B1, "-k", "4.8", "--save", tmp.toString());
        for (String budget : new String[] {"3", "10", "16"}) {
            MainTest.Outcome stopped = mmsim("explore", B1, "-k", "4.8", "--max-states", budget, "--checkpoint",
                    ckpt.toString(), "--save", tmp.toString());
            assertThat(stopped.out()).as("stopped at %s", budget).contains("Inconclusive: stopped at max-states");
            assertThat(stopped.err()).contains("checkpoint written to " + ckpt);
            MainTest.Outcome resumed = mmsim("explore", B1, "-k", "4.8", "--resume", ckpt.toString(), "--save",
                    tmp.toString());
            assertThat(resumed.code()).isZero();
            assertThat(resumed.out()).as("resumed from %s", budget).isEqualTo(whole.out());
        }
    }

    @Test
    void aCheckpointIsRefusedByAnotherKernelAndAMissingOneIsAUsageError() {
        Path ckpt = tmp.resolve("b1.ckpt");
        mmsim("explore", B1, "-k", "4.8", "--max-states", "5", "--checkpoint", ckpt.toString(), "--save",
                tmp.toString());
        MainTest.Outcome other = mmsim("explore", B1, "-k", "4.9", "--resume", ckpt.toString());
        assertThat(other.code()).isEqualTo(2);
        assertThat(other.err()).contains("checkpoint of another search: its kernel is 4.8, this search's is 4.9");
        MainTest.Outcome missing = mmsim("explore", B1, "-k", "4.8", "--resume", tmp.resolve("none").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("no such checkpoint file");
        MainTest.Outcome directory = mmsim("explore", B1, "-k", "4.8", "--resume", tmp.toString());
        assertThat(directory.code()).isEqualTo(2);
        assertThat(directory.err()).contains("--resume: " + tmp + " is a directory, not a checkpoint file");
        MainTest.Outcome random = mmsim("explore", B1, "-k", "4.8", "--mode", "random", "--checkpoint",
                ckpt.toString());
        assertThat(random.code()).isEqualTo(2);
        assertThat(random.err()).contains("go with --mode exhaustive");
    }

    @Test
    void anyNumberOfWorkersGivesTheSameOutput() {
        MainTest.Outcome one = mmsim("explore", B7, "-k", "5.9", "--workers", "1", "--save", tmp.toString());
        for (String w : new String[] {"2", "3"}) {
            assertThat(mmsim("explore", B7, "-k", "5.9", "--workers", w, "--save", tmp.toString()).out())
                    .isEqualTo(one.out());
        }
        assertThat(mmsim("explore", B7, "-k", "5.9", "--workers", "0").code()).isEqualTo(2);
    }

    @Test
    void randomAndPctAreDeterministicForASeed() {
        for (String mode : new String[] {"random", "pct"}) {
            MainTest.Outcome a = mmsim("explore", B1, "-k", "4.8", "--mode", mode, "--seed", "7", "--runs", "40",
                    "--save", tmp.toString());
            MainTest.Outcome b = mmsim("explore", B1, "-k", "4.8", "--mode", mode, "--seed", "7", "--runs", "40",
                    "--save", tmp.toString());
            assertThat(a.out()).isEqualTo(b.out()).contains("Test b1-dirty-cow");
        }
    }

    @Test
    void jsonCarriesTheVerdictAndTheWitnessSteps() throws Exception {
        Path json = tmp.resolve("b1.json");
        mmsim("explore", B1, "-k", "4.8", "--json", json.toString(), "--save", tmp.toString());
        String j = Files.readString(json);
        assertThat(j).contains("\"outcome\": \"sometimes\"").contains("\"complete\": true")
                .contains("\"kind\": \"witness\"").contains("\"point\": \"mmap_read_lock taken\"")
                .contains("\"conditionHolds\": true");
    }

    @Test
    void htmlShowsTheVerdictTheTimelineAndEachStepOfTheWitness() throws Exception {
        Path html = tmp.resolve("b1.html");
        MainTest.Outcome o = mmsim("explore", B1, "-k", "4.8", "--html", html.toString(), "--save", tmp.toString());
        assertThat(o.code()).isZero();
        String h = Files.readString(html);
        assertThat(h).startsWith("<!DOCTYPE html>").endsWith("</html>\n")
                .contains("<span class=\"verdict-sometimes\">sometimes</span>")
                .contains("<tr><th>step</th><th>P</th><th>W</th><th>D</th><th>kernel</th></tr>")
                .contains("<h2 id=\"c1\">Witness: the condition holds</h2>")
                .contains("stops @ faultin_page done, FOLL_WRITE dropped; cond_resched, retry")
                .contains("<div class=\"step\" id=\"c1-s13\">");
        mmsim("explore", B1, "-k", "4.8", "--html", html.toString(), "--save", tmp.toString());
        assertThat(Files.readString(html)).isEqualTo(h);
        // the saved witness, replayed into a page of its own: the same steps, numbered as in the exploration
        Path replayed = tmp.resolve("w.html");
        assertThat(mmsim("replay", tmp.resolve("b1-dirty-cow.4.8.witness.sched").toString(), "--html",
                replayed.toString()).code()).isZero();
        assertThat(Files.readString(replayed)).contains("<h1>b1-dirty-cow under 4.8</h1>")
                .contains("<div class=\"step\" id=\"r-s13\">");
    }

    @Test
    void runWritesItsExecutionAsHtml() throws Exception {
        Path html = tmp.resolve("b2.html");
        MainTest.Outcome o = mmsim("run", "../scenarios/history/b2-cve-2020-29374.mms", "-k", "5.7", "--html",
                html.toString());
        assertThat(o.code()).isZero();
        assertThat(Files.readString(html)).contains("<h1>b2-cve-2020-29374 under 5.7</h1>")
                .contains("<tr class=\"violation\"><td class=\"step\"><a href=\"#r-s8\">8</a></td>");
    }

    @Test
    void anHtmlFileThatCannotBeWrittenIsAUsageErrorBeforeAnyWork() {
        String nowhere = tmp.resolve("no/such/dir/x.html").toString();
        MainTest.Outcome explore = mmsim("explore", B1, "-k", "4.8", "--html", nowhere);
        assertThat(explore.code()).isEqualTo(2);
        assertThat(explore.err()).contains("--html: no such directory");
        assertThat(explore.out()).isEmpty();
        MainTest.Outcome run = mmsim("run", B1, "-k", "4.8", "--html", tmp.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--html: " + tmp + " is a directory");
    }

    /**
     * A schedule remembers the scenario it was made from: replayed on the scenario as it is now after an edit that
     * changes what runs, it says so (the run goes on, as a user trying the schedule on a fix wants), and it says
     * nothing after an edit of comments only, or for a schedule written by hand without a {@code program} line.
     */
    @Test
    void aScheduleReplayedOnAnEditedScenarioSaysSo() throws Exception {
        Path scenario = tmp.resolve("b1.mms");
        String text = Files.readString(Path.of(B1));
        Files.writeString(scenario, text);
        Path save = tmp.resolve("s");
        assertThat(mmsim("explore", scenario.toString(), "-k", "4.8", "--save", save.toString()).code()).isZero();
        Path sched = save.resolve("b1-dirty-cow.4.8.witness.sched");
        assertThat(Files.readString(sched)).containsPattern("\nprogram [0-9a-f]{16}\nschedule W W W D W W W\n");
        assertThat(mmsim("replay", sched.toString()).err()).isEmpty();

        Files.writeString(scenario, text + "# a comment added later\n");
        assertThat(mmsim("replay", sched.toString()).err()).as("comments only").isEmpty();

        Files.writeString(scenario, text.replace("0x666", "0x667"));
        MainTest.Outcome edited = mmsim("replay", sched.toString());
        assertThat(edited.code()).isZero();
        assertThat(edited.firstErrLine()).isEqualTo("note: " + scenario + " has changed since " + sched + " was made"
                + " (its program, memory, processes, condition or set lines differ, or its threads start on other"
                + " lines): this is the schedule run on the scenario as it is now");
        assertThat(edited.out()).contains("P:r1 = 0x667");

        Path byHand = tmp.resolve("hand.sched");
        Files.writeString(byHand, "scenario " + scenario + "\nkernel 4.8\nschedule W W W D W W W\n");
        assertThat(mmsim("replay", byHand.toString()).err()).isEmpty();
    }

    @Test
    void aBadScheduleFileNamesItsLine() throws Exception {
        Path bad = tmp.resolve("bad.sched");
        Files.writeString(bad, "scenario " + B1 + "\nkernel 4.8\nschedule W X\n");
        MainTest.Outcome o = mmsim("replay", bad.toString());
        assertThat(o.code()).isEqualTo(Main.INVALID_SCENARIO);
        assertThat(o.firstErrLine()).isEqualTo(bad + ":3:1: schedule step 2: thread 'X' is not running at that point");
    }
}
