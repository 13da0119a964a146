package org.mmsim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mmsim.explore.Explorer;
import org.mmsim.explore.Model;
import org.mmsim.explore.Options;
import org.mmsim.explore.Report;

/**
 * How much machine work the explorer does for a search shaped like a tree (every interleaving prefix a state of its
 * own, as in the bench scenarios): each transition stepped once with its checks, each state fingerprinted once, and
 * little more than the fewest copies a search that steps copies can make, one for every child but the last of each
 * state. A change that takes steps twice, or copies where it need not, fails here before it shows in a benchmark.
 */
class ExplorerWorkTest {
    /** explore-100k made small: three threads of one process, each storing to two pages of its own. */
    private static final String TREE = """
            scenario tree
            memory normal=1M
            process P
            P: mmap A 24K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
            thread T1 of P {
              store A 0x10
              store A+4K 0x11
            }
            thread T2 of P {
              store A+8K 0x20
              store A+12K 0x21
            }
            thread T3 of P {
              store A+16K 0x30
              store A+20K 0x31
            }
            exists ([P:A] != 0x10)
            expect 6.18 never
            """;

    @Test
    void aTreeShapedSearchStepsEachTransitionOnceAndCopiesLittleMoreThanItMust() throws ScenarioException {
        Scenario s = ScenarioParser.parse("tree.mms", TREE);
        Counting model = new Counting(new ScenarioModel(s, Library.profile(s, "6.18"), true));

        Report r = Explorer.explore(model, Options.defaults().withWorkers(1));

        // sum over i, j, k in 0..2 of (i+j+k)!/(i!j!k!) prefixes, of which 6!/(2!2!2!) are whole executions
        assertThat(r.states()).isEqualTo(1 + 3 + 9 + 24 + 54 + 90 + 90);
        assertThat(r.finalStates()).isEqualTo(90);
        assertThat(r.transitions()).isEqualTo(r.states() - 1);
        assertThat(model.steps).isEqualTo(r.transitions());
        assertThat(model.fingerprints).isEqualTo(r.states());
        // 147 copies and 165 replayed steps today, in a search this shallow; rebuilding every open state would copy
        // once a state (about 270 copies) and, from the initial state, replay its whole schedule (759 steps)
        long fewest = r.finalStates() - 1;
        assertThat(model.copies).isBetween(fewest, 2 * fewest);
        assertThat(model.replays).isLessThan(r.states());
    }

    /** The scenario model, counting the work the search asks of it. */
    private static final class Counting implements Model<Runner> {
        private final ScenarioModel inner;
        long copies;
        long steps;
        long replays;
        long fingerprints;

        Counting(ScenarioModel inner) {
            this.inner = inner;
        }

        @Override
        public Runner initial() {
            return inner.initial();
        }

        @Override
        public Runner copy(Runner state) {
            copies++;
            return inner.copy(state);
        }

        @Override
        public int threads() {
            return inner.threads();
        }

        @Override
        public int enabled(Runner state) {
            return inner.enabled(state);
        }

        @Override
        public boolean done(Runner state) {
            return inner.done(state);
        }

        @Override
        public long step(Runner state, int thread) {
            steps++;
            return inner.step(state, thread);
        }

        @Override
        public void replay(Runner state, int thread) {
            replays++;
            inner.replay(state, thread);
        }

        @Override
        public long fingerprint(Runner state) {
            fingerprints++;
            return inner.fingerprint(state);
        }

        @Override
        public List<String> violations(Runner state) {
            return inner.violations(state);
        }

        @Override
        public boolean holds(Runner state) {
            return inner.holds(state);
        }

        @Override
        public String identity() {
            return inner.identity();
        }
    }
}
