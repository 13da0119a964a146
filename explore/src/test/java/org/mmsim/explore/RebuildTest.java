package org.mmsim.explore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * A state that is not kept is rebuilt by replay, from the worker's machine of an ancestor when it holds the right one
 * ({@link Expander#rebuild}). Here every interleaving prefix is a state of its own (the state is the schedule so
 * far), so a state rebuilt from the wrong ancestor, or with the wrong steps, reaches states already seen and the
 * search comes up short of the closed-form count.
 */
class RebuildTest {

    /** The number of interleaving prefixes of three threads of {@code n} steps: sum of (i+j+k)!/(i!j!k!). */
    private static long prefixes(int n) {
        long total = 0;
        for (int i = 0; i <= n; i++) {
            for (int j = 0; j <= n; j++) {
                for (int k = 0; k <= n; k++) {
                    total += multinomial(i, j, k);
                }
            }
        }
        return total;
    }

    private static long multinomial(int i, int j, int k) {
        long r = 1;
        int m = 0;
        for (int[] part : new int[][] {{i}, {j}, {k}}) {
            for (int x = 1; x <= part[0]; x++) {
                m++;
                r = r * m / x;
            }
        }
        return r;
    }

    @Property(tries = 12)
    void everyRebuiltStateIsTheStateTheSearchMade(@ForAll @IntRange(min = 2, max = 4) int steps,
            @ForAll @IntRange(min = 1, max = 3) int workers, @ForAll boolean lookahead) {
        Options opts = Options.defaults().withReduction(false).withWorkers(workers).withKeepFrontierStates(false);

        Report report = new BreadthFirst<>(new Schedules(3, steps), opts, 1, lookahead).run();

        assertThat(report.states()).isEqualTo(prefixes(steps));
        assertThat(report.depth()).isEqualTo(3 * steps);
        assertThat(report.executions()).isEqualTo(multinomial(steps, steps, steps));
    }

    @Property(tries = 4)
    void aRebuiltStateReplaysOnlyItsLastStepsUnderAnAncestorAlreadyBuilt(@ForAll @IntRange(min = 3, max = 4) int steps,
            @ForAll @IntRange(min = 1, max = 2) int workers) {
        Schedules schedules = new Schedules(3, steps);
        Options opts = Options.defaults().withReduction(false).withWorkers(workers).withKeepFrontierStates(false);

        new BreadthFirst<>(schedules, opts, 1, false).run();

        // with no machine kept and no steps taken ahead, every open state but the initial one is rebuilt: from the
        // initial state that would replay its whole depth, here at most PREFIX_BACK steps once an ancestor is built
        long fromInitial = 0;
        for (int i = 0; i <= steps; i++) {
            for (int j = 0; j <= steps; j++) {
                for (int k = 0; k <= steps; k++) {
                    if (i + j + k < 3 * steps) {
                        fromInitial += multinomial(i, j, k) * (i + j + k);
                    }
                }
            }
        }
        assertThat(schedules.replays.get()).isPositive().isLessThan(fromInitial * 7 / 10);
    }

    @Property(tries = 2)
    void aSearchShapedLikeATreeRebuildsAlmostNothing(@ForAll @IntRange(min = 1, max = 2) int workers) {
        Schedules schedules = new Schedules(3, 4);
        Options opts = Options.defaults().withReduction(false).withWorkers(workers).withKeepFrontierStates(false);

        Report report = new BreadthFirst<>(schedules, opts, BreadthFirst.PARALLEL_LEVEL, true).run();

        // explore-100k's shape: 110,251 states, 34,650 of them final. A search that steps copies copies at least once
        // for every child but the last of each state, 34,649 times; the steps of every state past the first 64 are
        // taken ahead to the leaves, up to 1,024 states a tree, so only the states a tree leaves out are rebuilt.
        // Looking three levels ahead instead rebuilt every state of levels 4 and 8: 39,804 copies, 15,936 steps
        // replayed
        assertThat(report.states()).isEqualTo(110_251);
        long fewest = report.finalStates() - 1;
        assertThat(schedules.copies.get()).isBetween(fewest, fewest + fewest / 100);
        assertThat(schedules.replays.get()).isLessThan(report.states() / 100);
    }

    /**
     * A state budget bounds the steps a search takes, those it takes ahead of the states' turns included: a search of
     * three threads of eight steps (some 3 * 10^10 states) stopped after 2,000 of them.
     */
    @Property(tries = 2)
    void aStateBudgetBoundsTheStepsTakenAhead(@ForAll @IntRange(min = 1, max = 2) int workers) {
        Schedules schedules = new Schedules(3, 8);
        Options opts = Options.defaults().withReduction(false).withWorkers(workers).withKeepFrontierStates(false)
                .withMaxStates(2_000);

        Report report = new BreadthFirst<>(schedules, opts, BreadthFirst.PARALLEL_LEVEL, true).run();

        assertThat(report.stopReason()).isEqualTo("max-states");
        assertThat(report.states()).isEqualTo(2_000);
        // the steps taken ahead to the leaves, up to 1,024 states a tree, for trees the budget would never file:
        // 1,188,200 steps with one worker and 2,388,756 with two before the look ahead minded the budget; 5,937 and
        // 12,420 since
        assertThat(schedules.taken.get()).isLessThan(10 * 2_000);
    }

    /**
     * A checkpoint keeps the records of steps taken ahead that the levels' states hold, so a resumed search takes no
     * step the stopped one took: in a search shaped like a tree, nearly every state's steps are taken ahead, long
     * before its level is filed.
     */
    @Test
    void aResumedSearchTakesNoStepAgain() throws IOException {
        Options opts = Options.defaults().withReduction(false).withKeepFrontierStates(false);
        Schedules whole = new Schedules(3, 4);
        Report uninterrupted = new BreadthFirst<>(whole, opts, 1, true).run();
        Schedules first = new Schedules(3, 4);
        Schedules second = new Schedules(3, 4);
        Path file = Files.createTempFile("mmsim", ".ckpt");
        try {
            AtomicLong polls = new AtomicLong();
            Report stopped = new BreadthFirst<>(first,
                    opts.withInterrupted(() -> polls.incrementAndGet() > 2_000).withCheckpoint(file), 1, true).run();
            Report resumed = new BreadthFirst<>(second, opts.withResume(file), 1, true).run();

            assertThat(stopped.stopReason()).isEqualTo("interrupted");
            assertThat(stopped.states()).isLessThan(uninterrupted.states() / 2);
            assertThat(ReportSummary.of(resumed)).isEqualTo(ReportSummary.of(uninterrupted));
            // stopped after 32,001 states, the search had taken all 110,496 steps of the whole search ahead; the
            // resumed one took none, where without the records it took 140,659 again
            assertThat(first.taken.get() + second.taken.get()).isLessThan(whole.taken.get() * 21 / 20);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * A stop while the workers expand a batch is seen while they work, not once they are done: the search's thread
     * asks the budget as it waits, and the workers cut short the steps they were taking ahead.
     */
    @Test
    void workersStopSoonAfterAnInterrupt() {
        Schedules schedules = new Schedules(3, 8);
        Options opts = Options.defaults().withReduction(false).withWorkers(2).withKeepFrontierStates(false)
                .withInterrupted(() -> schedules.taken.get() > 50_000);

        Report report = new BreadthFirst<>(schedules, opts, 1, true).run();

        assertThat(report.stopReason()).isEqualTo("interrupted");
        // interrupted after 50,000 steps: 52,604 to 62,167 steps in all (the search's thread asks every 10 ms); when
        // it asked only between the batches, the workers went on with the batch's trees to 339,987
        assertThat(schedules.taken.get()).isLessThan(200_000);
    }

    /**
     * A stop while workers expand a batch (their steps are slowed, so that it lands inside one) keeps what they
     * expanded: the search files every state they took, in order, up to the first one none took, and a checkpoint keeps
     * their records, so the resumed search ends as one never stopped and takes no step again.
     * A search that dropped the batches in flight at a stop would take more: on explore-1m, stopped after 300,000 and
     * 705,000 steps, the stopped and the resumed search then took 1.27 and 1.63 times the steps of one never stopped.
     */
    @Property(tries = 3)
    void aStopWithWorkersKeepsWhatTheyExpanded(@ForAll @IntRange(min = 5_000, max = 80_000) int at)
            throws IOException {
        Options opts = Options.defaults().withReduction(false).withWorkers(2).withKeepFrontierStates(false);
        Schedules whole = new Schedules(3, 4);
        Report uninterrupted = new BreadthFirst<>(whole, opts, 1, true).run();
        Schedules first = new Schedules(3, 4);
        first.work = 2_000;
        Schedules second = new Schedules(3, 4);
        Path file = Files.createTempFile("mmsim", ".ckpt");
        try {
            Report stopped = new BreadthFirst<>(first,
                    opts.withInterrupted(() -> first.taken.get() > at).withCheckpoint(file), 1, true).run();
            Report resumed = new BreadthFirst<>(second, opts.withResume(file), 1, true).run();

            assertThat(stopped.stopReason()).isEqualTo("interrupted");
            assertThat(ReportSummary.of(resumed)).isEqualTo(ReportSummary.of(uninterrupted));
            assertThat(second.taken.get()).as("steps the resumed search took").isLessThan(whole.taken.get() - at / 2);
            assertThat(first.taken.get() + second.taken.get()).as("steps of both searches")
                    .isLessThan(whole.taken.get() * 21 / 20);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
