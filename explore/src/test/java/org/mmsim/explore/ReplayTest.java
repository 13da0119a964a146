package org.mmsim.explore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Schedules are data: replaying one rebuilds the state it names; a bad one says which step is wrong. */
class ReplayTest {
    @Test
    void theWitnessReplaysToALostUpdate() {
        LostUpdate model = new LostUpdate();
        Report r = Explorer.exhaustive(model, Options.defaults());

        LostUpdate.State s = Explorer.replay(model, r.witness());

        assertThat(model.done(s)).isTrue();
        assertThat(model.holds(s)).isTrue();
        assertThat(s.counter).isEqualTo(1);
    }

    @Test
    void theDeadlockScheduleReplaysToADeadlock() {
        TwoLocks model = new TwoLocks();
        Report r = Explorer.exhaustive(model, Options.defaults());

        int[] s = Explorer.replay(model, r.deadlockSchedule());

        assertThat(model.enabled(s)).isZero();
        assertThat(model.done(s)).isFalse();
    }

    @Test
    void aChoiceThatIsNotEnabledIsRejectedWithTheEnabledThreads() {
        assertThatThrownBy(() -> Explorer.replay(new LostUpdate(), new int[] {0, 0, 0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("step 2: thread 0 is not enabled (enabled: 1)");
        assertThatThrownBy(() -> Explorer.replay(new TwoLocks(), new int[] {0, 1, 0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("step 2: thread 0 is not enabled (enabled: none)");
        assertThatThrownBy(() -> Explorer.replay(new Counters(3, 1), new int[] {7}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("step 0: thread 7 is not enabled (enabled: 0, 1, 2)");
    }

    @Test
    void theEmptyScheduleIsTheInitialState() {
        assertThat(Explorer.replay(new Counters(2, 2), new int[0])).containsExactly(0, 0);
    }
}
