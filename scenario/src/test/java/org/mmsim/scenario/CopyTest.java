package org.mmsim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Runner#copy}, as the explorer uses it: along random schedules of the library's concurrent scenarios, a copy
 * taken at any step and its original, given the same further steps, report the same enabled threads, fingerprints,
 * footprints and violations at every step and end in the same outcome; and steps on the copy leave the original's
 * fingerprint alone.
 */
class CopyTest {
    static Stream<Arguments> races() {
        List<Arguments> out = new ArrayList<>();
        for (String kernel : List.of("4.8", "5.7", "5.9", "6.18")) {
            out.add(Arguments.of(Library.B1, kernel));
            out.add(Arguments.of(Library.B7, kernel));
        }
        for (String path : Library.RACE_FREE) {
            out.add(Arguments.of(path, "6.18"));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} under {1}")
    @MethodSource("races")
    void aCopyGoesOnExactlyAsItsOriginal(String path, String kernel) throws ScenarioException {
        ScenarioModel model = model(path, kernel);
        for (int seed = 0; seed < 8; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            Runner original = model.initial();
            for (int depth = 0; !original.finished(); depth++) {
                Runner copy = model.copy(original);
                long before = original.fingerprint();
                assertThat(copy.fingerprint()).as("copy at depth %d", depth).isEqualTo(before);
                List<Integer> choices = new ArrayList<>();
                List<Long> footprints = new ArrayList<>();
                SplittableRandom ahead = random.split();
                while (!copy.finished() && copy.enabled() != 0) {
                    int t = pick(copy.enabled(), ahead);
                    choices.add(t);
                    footprints.add(model.step(copy, t));
                }
                assertThat(original.fingerprint()).as("original after its copy ran on").isEqualTo(before);
                Runner again = model.copy(original);
                for (int i = 0; i < choices.size(); i++) {
                    assertThat(again.enabled() & (1 << choices.get(i))).as("thread %d enabled", choices.get(i))
                            .isNotZero();
                    assertThat(model.step(again, choices.get(i))).as("footprint of step %d", i)
                            .isEqualTo(footprints.get(i));
                }
                assertThat(again.fingerprint()).as("two copies given the same steps").isEqualTo(copy.fingerprint());
                assertThat(again.finished()).isEqualTo(copy.finished());
                assertThat(again.holds()).isEqualTo(copy.holds());
                assertThat(again.execution().violations()).isEqualTo(copy.execution().violations());
                if (original.enabled() == 0) {
                    break;
                }
                model.step(original, pick(original.enabled(), random));
            }
        }
    }

    /**
     * {@link Runner#branch}, as the look ahead uses it, depth first: along random schedules, at every step a branch is
     * taken, run on (taking branches of its own, which end first), and dropped, and only then does the original take
     * its next step, writing in place what it kept. Each branch reports at every step the fingerprint and footprint a
     * plain copy given the same steps reports, leaves its original's fingerprint alone, and the original reaches at
     * every step the fingerprint of a run that was never copied.
     */
    @ParameterizedTest(name = "{0} under {1}")
    @MethodSource("races")
    void aBranchGoesOnAsACopyAndItsOriginalAsIfNeverCopied(String path, String kernel) throws ScenarioException {
        ScenarioModel model = model(path, kernel);
        for (int seed = 0; seed < 8; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            Runner original = model.initial();
            Runner alone = model.initial();
            for (int depth = 0; !original.finished() && original.enabled() != 0; depth++) {
                long before = original.fingerprint();
                runBranch(model, original, random.split(), 2);
                assertThat(original.fingerprint()).as("original after its branch, depth %d", depth).isEqualTo(before);
                int t = pick(original.enabled(), random);
                assertThat(model.step(original, t)).as("footprint at depth %d", depth).isEqualTo(model.step(alone, t));
                assertThat(original.fingerprint()).as("original at depth %d", depth).isEqualTo(alone.fingerprint());
                assertThat(original.execution().violations()).isEqualTo(alone.execution().violations());
            }
        }
    }

    /** A branch of {@code from} run to its end beside a plain copy, with {@code nesting} levels of branches of its own. */
    private static void runBranch(ScenarioModel model, Runner from, SplittableRandom r, int nesting) {
        Runner branch = model.branch(from);
        Runner copy = model.copy(from);
        assertThat(branch.fingerprint()).isEqualTo(copy.fingerprint());
        while (!branch.finished() && branch.enabled() != 0) {
            if (nesting > 0 && r.nextInt(3) == 0) {
                long before = branch.fingerprint();
                runBranch(model, branch, r.split(), nesting - 1);
                assertThat(branch.fingerprint()).as("branch after a branch of its own").isEqualTo(before);
            }
            int t = pick(branch.enabled(), r);
            assertThat(model.step(branch, t)).as("footprint of the branch").isEqualTo(model.step(copy, t));
            assertThat(branch.fingerprint()).as("branch and copy").isEqualTo(copy.fingerprint());
        }
        assertThat(branch.holds()).isEqualTo(copy.holds());
        assertThat(branch.execution().violations()).isEqualTo(copy.execution().violations());
    }

    /** The scenario at {@code path} as the explorer's model under {@code kernel}, with reduction. */
    private static ScenarioModel model(String path, String kernel) throws ScenarioException {
        Scenario s = Library.scenario(path);
        return new ScenarioModel(s, Library.profile(s, kernel), true);
    }

    private static int pick(int enabled, SplittableRandom r) {
        int n = r.nextInt(Integer.bitCount(enabled));
        int m = enabled;
        for (int i = 0; i < n; i++) {
            m &= m - 1;
        }
        return Integer.numberOfTrailingZeros(m);
    }
}
