package org.mmsim.explore;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A level whose states are all read from the steps taken ahead of them is filed by the search's own thread, not handed
 * to the workers ({@code BreadthFirst.fromRecords}); the report is the one a single thread makes either way.
 */
class LevelFromRecordsTest {
    @Test
    void onlyTheLevelsThatTakeStepsGoToTheWorkers() {
        // three threads of two steps, every schedule a state of its own: a tree of 271 states, 7 levels
        Options opts = Options.defaults().withReduction(false).withKeepFrontierStates(false);
        BreadthFirst<int[][]> one = new BreadthFirst<>(new Schedules(3, 2), opts, 1);
        BreadthFirst<int[][]> two = new BreadthFirst<>(new Schedules(3, 2), opts.withWorkers(2), 1);

        Report alone = one.run();
        Report shared = two.run();

        assertThat(alone.states()).isEqualTo(271);
        assertThat(ReportSummary.of(shared)).isEqualTo(ReportSummary.of(alone));
        // the root's level takes the steps of three levels ahead (the search has not yet found 64 states), levels 1 to 3
        // are read from those records, level 4 is rebuilt and takes the steps to the leaves, and levels 5 and 6 are
        // read from those: the workers expand levels 0 and 4, where they would expand all 7
        assertThat(two.levelsByWorkers).isEqualTo(2);
        assertThat(one.levelsByWorkers).isZero();
    }

    @Test
    void withoutRecordsEveryLevelWithAStateToExpandGoesToTheWorkers() {
        Options opts = Options.defaults().withReduction(false).withKeepFrontierStates(false).withWorkers(2);
        BreadthFirst<int[][]> rebuilt = new BreadthFirst<>(new Schedules(3, 2), opts, 1, false);

        Report r = rebuilt.run();

        assertThat(r.states()).isEqualTo(271);
        // levels 0 to 5 are rebuilt; level 6 holds only final states, which nobody expands
        assertThat(rebuilt.levelsByWorkers).isEqualTo(6);
    }
}
