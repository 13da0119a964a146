package org.mmsim.explore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The key property of the reduction: on random programs with honest footprints, sleep sets find exactly the
 * states, final states, positive final states, deadlocks and violations that the full search finds, with
 * shortest schedules of the same lengths; and the full search agrees with a naive memoised depth-first
 * enumeration written here, path counts included.
 */
class ReductionPropertyTest {
    @Provide
    Arbitrary<Programs> programs() {
        return Programs.arbitrary(4);
    }

    @Property(tries = 300)
    void reductionFindsWhatTheFullSearchFinds(@ForAll("programs") Programs model) {
        Recording full = new Recording(model);
        Recording reduced = new Recording(model);

        Report f = Explorer.exhaustive(full, Options.defaults().withReduction(false));
        Report r = Explorer.exhaustive(reduced, Options.defaults());

        assertThat(reduced.finals).isEqualTo(full.finals);
        assertThat(reduced.positives).isEqualTo(full.positives);
        assertThat(r.states()).isEqualTo(f.states());
        assertThat(r.finalStates()).isEqualTo(f.finalStates());
        assertThat(r.positiveFinalStates()).isEqualTo(f.positiveFinalStates());
        assertThat(r.deadlocks()).isEqualTo(f.deadlocks());
        assertThat(r.depth()).isEqualTo(f.depth());
        assertThat(lengths(r.violations())).isEqualTo(lengths(f.violations()));
        assertThat(length(r.witness())).isEqualTo(length(f.witness()));
        assertThat(length(r.counterWitness())).isEqualTo(length(f.counterWitness()));
        assertThat(length(r.deadlockSchedule())).isEqualTo(length(f.deadlockSchedule()));
        assertThat(r.transitions()).isLessThanOrEqualTo(f.transitions());
        assertThat(r.executions()).isLessThanOrEqualTo(f.executions());
        assertThat(r.executions() > 0).isEqualTo(f.executions() > 0);
    }

    @Property(tries = 300)
    void theFullSearchAgreesWithANaiveEnumeration(@ForAll("programs") Programs model) {
        Naive naive = new Naive(model);
        Recording recording = new Recording(model);

        Report f = Explorer.exhaustive(recording, Options.defaults().withReduction(false));

        assertThat(f.states()).isEqualTo(naive.paths.size());
        assertThat(recording.finals).isEqualTo(naive.finals);
        assertThat(recording.positives).isEqualTo(naive.positives);
        assertThat(f.deadlocks()).isEqualTo(naive.deadlocks.size());
        assertThat(f.executions()).isEqualTo(naive.paths.get(model.fingerprint(model.initial())));
        assertThat(f.violations().keySet()).isEqualTo(naive.violations);
        assertThat(f.transitions()).isEqualTo(naive.transitions);
    }

    @Property(tries = 300)
    void everyScheduleLeadsWhereItClaims(@ForAll("programs") Programs model) {
        Report r = Explorer.exhaustive(model, Options.defaults());

        if (r.witness() != null) {
            int[] s = Explorer.replay(model, r.witness());
            assertThat(model.done(s) && model.holds(s)).isTrue();
        }
        if (r.counterWitness() != null) {
            int[] s = Explorer.replay(model, r.counterWitness());
            assertThat(model.done(s) && !model.holds(s)).isTrue();
        }
        if (r.deadlockSchedule() != null) {
            int[] s = Explorer.replay(model, r.deadlockSchedule());
            assertThat(!model.done(s) && model.enabled(s) == 0).isTrue();
        }
        r.violations().forEach((key, schedule) ->
                assertThat(model.violations(Explorer.replay(model, schedule))).contains(key));
    }

    private static Map<String, Integer> lengths(Map<String, int[]> violations) {
        Map<String, Integer> m = new HashMap<>();
        violations.forEach((k, s) -> m.put(k, s.length));
        return m;
    }

    private static int length(int[] schedule) {
        return schedule == null ? -1 : schedule.length;
    }

    /** Records the fingerprints of the final states the explorer asks {@link Model#holds} about. */
    private static final class Recording extends Delegating<int[]> {
        final Set<Long> finals = new HashSet<>();
        final Set<Long> positives = new HashSet<>();

        Recording(Programs model) {
            super(model);
        }

        @Override
        public boolean holds(int[] state) {
            boolean holds = super.holds(state);
            finals.add(fingerprint(state));
            if (holds) {
                positives.add(fingerprint(state));
            }
            return holds;
        }
    }

    /** Depth-first enumeration of every state, memoising the number of paths from each state to a final one. */
    private static final class Naive {
        final Model<int[]> model;
        final Map<Long, Long> paths = new HashMap<>();
        final Set<Long> finals = new HashSet<>();
        final Set<Long> positives = new HashSet<>();
        final Set<Long> deadlocks = new HashSet<>();
        final Set<String> violations = new HashSet<>();
        long transitions;

        Naive(Model<int[]> model) {
            this.model = model;
            violations.addAll(model.violations(model.initial()));
            visit(model.initial());
        }

        private long visit(int[] s) {
            long fp = model.fingerprint(s);
            Long known = paths.get(fp);
            if (known != null) {
                return known;
            }
            long count = 0;
            if (model.done(s)) {
                finals.add(fp);
                if (model.holds(s)) {
                    positives.add(fp);
                }
                count = 1;
            } else if (model.enabled(s) == 0) {
                deadlocks.add(fp);
            }
            for (int m = model.done(s) ? 0 : model.enabled(s); m != 0; m &= m - 1) {
                int[] c = model.copy(s);
                model.step(c, Integer.numberOfTrailingZeros(m));
                transitions++;
                violations.addAll(model.violations(c));
                count += visit(c);
            }
            paths.put(fp, count);
            return count;
        }
    }
}
