package org.mmsim.explore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A level whose states are all read from the steps taken ahead of them is filed by the search's own thread, not handed
 * to the workers ({@code BreadthFirst.fromRecords}); the report is the one a single thread makes either way.
 */
class LevelFromRecordsTest {
    /** Three threads of two steps each, every schedule a state of its own: a tree of 271 states. */
    static final class Tree implements Model<long[]> {
        @Override
        public long[] initial() {
            return new long[4];
        }

        @Override
        public long[] copy(long[] s) {
            return s.clone();
        }

        @Override
        public int threads() {
            return 3;
        }

        @Override
        public int enabled(long[] s) {
            int m = 0;
            for (int t = 0; t < 3; t++) {
                m |= s[t] < 2 ? 1 << t : 0;
            }
            return m;
        }

        @Override
        public long step(long[] s, int t) {
            s[t]++;
            s[3] = s[3] * 4 + t + 1;
            return EVERYTHING;
        }

        @Override
        public long fingerprint(long[] s) {
            return s[3];
        }

        @Override
        public List<String> violations(long[] s) {
            return List.of();
        }

        @Override
        public boolean done(long[] s) {
            return enabled(s) == 0;
        }

        @Override
        public boolean holds(long[] s) {
            return false;
        }
    }

    @Test
    void onlyTheLevelThatTakesTheStepsAheadGoesToTheWorkers() {
        Options opts = Options.defaults().withReduction(false);
        BreadthFirst<long[]> one = new BreadthFirst<>(new Tree(), opts, 1);
        BreadthFirst<long[]> two = new BreadthFirst<>(new Tree(), opts.withWorkers(2), 1);

        Report alone = one.run();
        Report shared = two.run();

        assertThat(alone.states()).isEqualTo(271);
        assertThat(ReportSummary.of(shared)).isEqualTo(ReportSummary.of(alone));
        // the root's level takes the steps of three levels ahead (the search has not yet found 64 states), levels 1 to 3
        // are read from those records, level 4 is rebuilt and takes the steps to the leaves, and levels 5 and 6 are
        // read from those: the workers expand levels 0 and 4, where every level with open states would be 6
        assertThat(two.levelsByWorkers).isEqualTo(2);
        assertThat(one.levelsByWorkers).isZero();
    }

    @Test
    void withoutRecordsEveryWideLevelGoesToTheWorkers() {
        Options opts = Options.defaults().withReduction(false).withWorkers(2);
        BreadthFirst<long[]> rebuilt = new BreadthFirst<>(new Tree(), opts, 1, false);

        Report r = rebuilt.run();

        assertThat(r.states()).isEqualTo(271);
        // every level with open states, 0 to 5, is rebuilt; level 6 holds only final states, which nobody expands
        assertThat(rebuilt.levelsByWorkers).isEqualTo(6);
    }
}
