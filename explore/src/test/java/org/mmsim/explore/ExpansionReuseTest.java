package org.mmsim.explore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Expansions filled again: a worker's, once the batch they went to is filed, and the search thread's own. */
class ExpansionReuseTest {
    @Test
    void aWorkerFillsItsExpansionsAgainOnlyAfterItIsToldTheirBatchIsFiled() {
        Expander.Worker<Object> w = new Expander.Worker<>();
        Expander.Expansion<Object> a = w.next(0, 3);
        Expander.Expansion<Object> b = w.next(1, 3);
        assertThat(b).isNotSameAs(a);
        a.add(2, 42, List.of("accounting: x"), 0b11, Level.OPEN);
        a.stepsAhead = 7;

        Expander.Expansion<Object> c = w.next(2, 3);
        assertThat(c).isNotSameAs(a).isNotSameAs(b);

        w.recycle();
        Expander.Expansion<Object> again = w.next(5, 3);
        assertThat(again).isSameAs(a);
        assertThat(again.position).isEqualTo(5);
        assertThat(again.n).isZero();
        assertThat(again.stepsAhead).isZero();
        assertThat(w.next(6, 3)).isSameAs(b);
        assertThat(w.next(7, 3)).isSameAs(c);
        assertThat(w.next(8, 3)).isNotSameAs(a).isNotSameAs(b).isNotSameAs(c);
    }

    @Test
    void aReusedExpansionHoldsAsManyChildrenAsTheModelHasThreads() {
        Expander.Worker<Object> w = new Expander.Worker<>();
        Expander.Expansion<Object> e = w.next(0, 4);
        for (int t = 0; t < 4; t++) {
            e.add(t, t, List.of(), 0, Level.OPEN);
        }
        w.recycle();

        Expander.Expansion<Object> again = w.next(1, 4);
        for (int t = 0; t < 4; t++) {
            again.add(t, 10 + t, List.of(), 0, Level.FINAL_NEGATIVE);
        }
        assertThat(again.n).isEqualTo(4);
        assertThat(again.fp).containsExactly(10, 11, 12, 13);
    }
}
