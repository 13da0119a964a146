package org.mmsim.bench;

import java.util.concurrent.TimeUnit;
import org.mmsim.kernel.profile.Profiles;
import org.mmsim.scenario.Runner;
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
 * What the explorer pays for one state of {@code scenarios/bench/explore-100k.mms}, part by part, with the scenario
 * model's own calls ({@link ScenarioModel}): a copy of the machine, a step and the fingerprint after it, for a state
 * that is not final and for a final one.
 *
 * <p>Design notes. In a search shaped like a tree, as explore-100k's is, every final state costs one copy (a tree has
 * one copy fewer than leaves when the last child takes its parent's machine) and a last step, which stores, evaluates
 * the condition, tears the machine down (every task exits, {@code exit_mmap} zaps the ptes and frees the frames) and
 * checks the invariants and that nothing leaked; a third of the states are final. So:
 * <ul>
 *   <li>{@link #copy}: a copy of a state eleven stores deep, whose one enabled thread has its last store left;</li>
 *   <li>{@link #copyAndStep}: a copy of a state six stores deep and a store that is not the last, with its checks and
 *       the fingerprint after it;</li>
 *   <li>{@link #copyAndLastStep}: a copy of the eleven-store state and its last step with the fingerprint after it,
 *       i.e. what a final state costs;</li>
 *   <li>{@link #fingerprintAgain}: the fingerprint of a state taken again with nothing written since, the floor of
 *       every fingerprint.</li>
 * </ul>
 * The last step less the copy is what the end of a program costs; the states are made once in the trial setup, by the
 * same steps from boot, so each operation starts from the same machine. Run from the repository root, or pass the
 * scenario's path with {@code -p scenario=...}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LeafBenchmark {
    @Param("scenarios/bench/explore-100k.mms")
    public String scenario;

    @Param("6.18")
    public String profile;

    private ScenarioModel model;
    /** Six stores deep, two by each thread: every thread has a store left. */
    private Runner middle;
    /** Eleven stores deep: thread 2 has its last store left, the program's last step. */
    private Runner last;

    @Setup(Level.Trial)
    public void makeStates() throws ScenarioException {
        model = new ScenarioModel(BenchScenario.parse(scenario), Profiles.byName(profile), true);
        middle = model.initial();
        for (int t : new int[] {0, 1, 2, 0, 1, 2}) {
            model.step(middle, t);
        }
        model.fingerprint(middle);
        last = model.copy(middle);
        for (int t : new int[] {0, 0, 1, 1, 2}) {
            model.step(last, t);
        }
        model.fingerprint(last);
        if (model.enabled(last) != 1 << 2 || model.done(last)) {
            throw new IllegalStateException(scenario + " is not explore-100k: after eleven stores only thread 2 should "
                    + "be enabled, with its last store left");
        }
    }

    @Benchmark
    public Runner copy() {
        return model.copy(last);
    }

    @Benchmark
    public long copyAndStep() {
        Runner r = model.copy(middle);
        model.step(r, 2);
        return model.fingerprint(r);
    }

    @Benchmark
    public long copyAndLastStep() {
        Runner r = model.copy(last);
        model.step(r, 2);
        if (!model.done(r)) {
            throw new IllegalStateException("the last step did not end the program");
        }
        return model.fingerprint(r);
    }

    @Benchmark
    public long fingerprintAgain() {
        return model.fingerprint(last);
    }
}
