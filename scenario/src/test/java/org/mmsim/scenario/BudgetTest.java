package org.mmsim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mmsim.explore.Options;

/** A search budget stops exploration cleanly: the outcome is inconclusive and the result says why. */
class BudgetTest {

    @Test
    void aStateBudgetBelowTheStateSpaceLeavesDirtyCowUnder49Inconclusive() throws ScenarioException {
        Scenario b1 = Library.scenario(Library.B1);

        Result r = Checker.check(b1, "4.9", Map.of(), Options.defaults().withMaxStates(3));

        assertThat(r.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
        assertThat(r.stopReason()).isEqualTo("max-states");
        assertThat(r.states()).isEqualTo(3);
        assertThat(r.executions()).isZero();
        assertThat(r.satisfied()).isZero();
        assertThat(r.witness()).isNull();
        assertThat(r.violations()).isEmpty();
    }

    @Test
    void aBudgetAsLargeAsTheStateSpaceSettlesTheOutcome() throws ScenarioException {
        Scenario b1 = Library.scenario(Library.B1);
        long states = Checker.check(b1, "4.9", Map.of()).states();

        Result r = Checker.check(b1, "4.9", Map.of(), Options.defaults().withMaxStates(states));

        assertThat(states).isEqualTo(15);
        assertThat(r.outcome()).isEqualTo(Outcome.NEVER);
        assertThat(r.stopReason()).isNull();
        assertThat(r.states()).isEqualTo(15);
        assertThat(r.ok()).isTrue();
    }

    /**
     * Under 4.8 the sixteenth state found is the witness's final state, after a counter-example: a search stopped
     * there has seen both outcomes and settles on sometimes; one stopped a state earlier has not.
     */
    @Test
    void aBudgetThatStopsOnceBothOutcomesAreSeenStillSettlesSometimes() throws ScenarioException {
        Scenario b1 = Library.scenario(Library.B1);

        Result settled = Checker.check(b1, "4.8", Map.of(), Options.defaults().withMaxStates(16));
        Result early = Checker.check(b1, "4.8", Map.of(), Options.defaults().withMaxStates(15));

        assertThat(settled.stopReason()).isEqualTo("max-states");
        assertThat(settled.states()).isEqualTo(16);
        assertThat(settled.outcome()).isEqualTo(Outcome.SOMETIMES);
        assertThat(settled.executions()).isEqualTo(2);
        assertThat(settled.satisfied()).isEqualTo(1);
        assertThat(settled.witness()).containsExactly(0, 0, 0, 1, 0, 0, 0);
        assertThat(early.stopReason()).isEqualTo("max-states");
        assertThat(early.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
        assertThat(early.executions()).isEqualTo(1);
        assertThat(early.satisfied()).isZero();
        assertThat(early.witness()).isNull();
    }
}
