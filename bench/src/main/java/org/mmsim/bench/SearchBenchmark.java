package org.mmsim.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.mmsim.explore.Explorer;
import org.mmsim.explore.Model;
import org.mmsim.explore.Options;
import org.mmsim.kernel.profile.Profiles;
import org.mmsim.scenario.ScenarioException;
import org.mmsim.scenario.ScenarioModel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One exhaustive search of {@code scenarios/bench/explore-100k.mms} with one worker, beside a search of the same shape
 * over a model that costs next to nothing, so that what a state costs splits into the explorer's part and the model's.
 *
 * <p>Design notes. explore-100k's three threads store to four pages each, and every prefix of every interleaving is a
 * state of its own: 110,251 states, 34,650 final, a tree. {@link Counters} has the same tree: three threads of four
 * steps, the state a schedule, its fingerprint a hash of the schedule, its copy two words. A search of it is the
 * explorer alone, with its visited set, levels, trace, sleep sets (every step conflicts, as in explore-100k) and steps
 * taken ahead; {@link #explore100k} less {@link #treeOfCounters} is what the kernel model costs (copies, steps,
 * fingerprints, invariants, teardowns). Each returns its state count, 110,251 for both.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class SearchBenchmark {
    @Param("scenarios/bench/explore-100k.mms")
    public String scenario;

    private ScenarioModel model;
    private final Options oneWorker = Options.defaults().withWorkers(1);

    @Setup(Level.Trial)
    public void parse() throws ScenarioException {
        model = new ScenarioModel(BenchScenario.parse(scenario), Profiles.byName("6.18"), true);
    }

    @Benchmark
    public long explore100k() {
        return Explorer.exhaustive(model, oneWorker).states();
    }

    @Benchmark
    public long treeOfCounters() {
        return Explorer.exhaustive(new Counters(), oneWorker).states();
    }

    /** A state of {@link Counters}: the steps each thread took, and the schedule so far as base-4 digits. */
    static final class Schedule {
        final int[] taken = new int[THREADS];
        long digits;
    }

    static final int THREADS = 3;
    static final int STEPS = 4;

    /** Three threads of four steps each, whose every interleaving prefix is a state of its own. */
    static final class Counters implements Model<Schedule> {
        @Override
        public Schedule initial() {
            return new Schedule();
        }

        @Override
        public Schedule copy(Schedule s) {
            Schedule c = new Schedule();
            System.arraycopy(s.taken, 0, c.taken, 0, THREADS);
            c.digits = s.digits;
            return c;
        }

        @Override
        public int threads() {
            return THREADS;
        }

        @Override
        public int enabled(Schedule s) {
            int mask = 0;
            for (int t = 0; t < THREADS; t++) {
                if (s.taken[t] < STEPS) {
                    mask |= 1 << t;
                }
            }
            return mask;
        }

        @Override
        public boolean done(Schedule s) {
            return enabled(s) == 0;
        }

        @Override
        public long step(Schedule s, int thread) {
            s.taken[thread]++;
            s.digits = s.digits * 4 + thread + 1;
            return EVERYTHING;
        }

        @Override
        public long fingerprint(Schedule s) {
            long h = s.digits * 0x9E3779B97F4A7C15L;
            return h ^ (h >>> 29);
        }

        @Override
        public List<String> violations(Schedule s) {
            return List.of();
        }

        @Override
        public boolean holds(Schedule s) {
            return false;
        }
    }
}
