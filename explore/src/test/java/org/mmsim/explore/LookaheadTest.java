package org.mmsim.explore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Steps taken ahead ({@link Lookahead}) only save work: a search that expands states from their records ends with
 * exactly the report of one that rebuilds every state (states, transitions, executions, outcomes, deadlocks, every
 * shortest schedule), with and without reduction, with one worker and several; and it rebuilds fewer states.
 */
class LookaheadTest {
    @Provide
    Arbitrary<Programs> programs() {
        return Programs.arbitrary(5);
    }

    @Property(tries = 300)
    void stepsTakenAheadChangeNothingAReportSays(@ForAll("programs") Programs model, @ForAll boolean reduction,
            @ForAll @IntRange(min = 1, max = 3) int workers) {
        Options opts = Options.defaults().withReduction(reduction).withWorkers(workers);
        Report rebuilt = new BreadthFirst<>(model, opts, 1, false).run();
        Report ahead = new BreadthFirst<>(model, opts, 1, true).run();

        assertThat(ReportSummary.of(ahead)).isEqualTo(ReportSummary.of(rebuilt));
    }

    @Test
    void aStateExpandedFromItsRecordIsNotRebuilt() {
        // three threads of private steps and stores to different variables: a search of depth 9
        Programs.Instr local = new Programs.Instr(Programs.Op.LOCAL, 0, 0);
        Programs.Instr store0 = new Programs.Instr(Programs.Op.STORE, 0, 0);
        Programs.Instr store1 = new Programs.Instr(Programs.Op.STORE, 1, 0);
        Programs program = new Programs(List.of(List.of(local, store0, local), List.of(local, store1, local),
                List.of(local, local, local)));
        Counting rebuilt = new Counting(program);
        Counting ahead = new Counting(program);
        Options opts = Options.defaults().withReduction(false);

        Report without = new BreadthFirst<>(rebuilt, opts, 1, false).run();
        Report with = new BreadthFirst<>(ahead, opts, 1, true).run();

        assertThat(ReportSummary.of(with)).isEqualTo(ReportSummary.of(without));
        assertThat(without.depth()).isEqualTo(9);
        // without, every open state of depth 2 or more is rebuilt; with, only those whose records were not taken
        assertThat(rebuilt.replays.get()).isGreaterThan(0);
        assertThat(ahead.replays.get()).isLessThan(rebuilt.replays.get() * 2 / 3);
    }

    @Test
    void theFrontierFigureCountsTheLevelsAndTheirRecords() {
        Programs.Instr store0 = new Programs.Instr(Programs.Op.STORE, 0, 0);
        Programs.Instr inc1 = new Programs.Instr(Programs.Op.INC, 1, 0);
        Programs program = new Programs(List.of(List.of(store0, inc1, store0), List.of(inc1, store0, inc1)));
        Options opts = Options.defaults().withReduction(false);

        Report without = new BreadthFirst<>(program, opts, 1, false).run();
        Report with = new BreadthFirst<>(program, opts, 1, true).run();

        assertThat(without.frontierStates()).isPositive();
        assertThat(without.frontierBytes()).isPositive();
        // the same levels, plus the records of steps taken ahead
        assertThat(with.frontierBytes()).isGreaterThan(without.frontierBytes());
        assertThat(with.bytesPerOpenState()).isEqualTo((double) with.frontierBytes() / with.frontierStates());
        assertThat(with.withoutTiming().frontierBytes()).isZero();
    }

    @Test
    void workersTakeTheStepsOfAStateWithManyParentsAboutOnce() {
        // five counters to six: every state but the first level's has several parents, and most are rebuilt
        Options opts = Options.defaults().withReduction(false);
        Counting one = new Counting(new Counters(5, 6));
        Counting two = new Counting(new Counters(5, 6));

        Report alone = new BreadthFirst<>(one, opts, 1, true).run();
        Report shared = new BreadthFirst<>(two, opts.withWorkers(2), 1, true).run();

        assertThat(ReportSummary.of(shared)).isEqualTo(ReportSummary.of(alone));
        // without claims, a state that two workers made from different parents in one level had its steps taken by
        // both, since neither found it in the visited set yet: twice the copies of one worker and more
        assertThat(two.copies.get()).isLessThan(one.copies.get() * 5 / 4);
        assertThat(two.steps.get()).isLessThan(one.steps.get() * 5 / 4);
    }

    /** Counts the work the search asks of the model: steps replayed to rebuild states, copies and steps. */
    private static final class Counting extends Delegating<int[]> {
        /** Counted from every worker's thread at once. */
        final AtomicLong replays = new AtomicLong();
        final AtomicLong copies = new AtomicLong();
        final AtomicLong steps = new AtomicLong();

        Counting(Model<int[]> inner) {
            super(inner);
        }

        @Override
        public void replay(int[] state, int thread) {
            replays.incrementAndGet();
            super.replay(state, thread);
        }

        @Override
        public int[] copy(int[] state) {
            copies.incrementAndGet();
            return super.copy(state);
        }

        @Override
        public long step(int[] state, int thread) {
            steps.incrementAndGet();
            return super.step(state, thread);
        }
    }

}
