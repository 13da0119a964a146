package org.mmsim.kernel.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The copier's map from originals to copies: one copy per original however often it is asked for, pairs found again,
 * values shared, anything else refused; and all of it past the table's first size, for state and for many mechanisms
 * of one class (which share a probe start).
 */
class CopierTest {
    /** State that counts how often it was copied. */
    private static final class Cell implements Copyable {
        final int value;
        int copies;

        Cell(int value) {
            this.value = value;
        }

        @Override
        public Object copy(Copier c) {
            copies++;
            return new Cell(value);
        }
    }

    /** State in a graph: pairs itself first, as a state class does, or (late) only after copying what it points at. */
    private static final class Node implements Copyable {
        final boolean late;
        Node next;
        Cell cell;
        int copies;

        Node(boolean late) {
            this.late = late;
        }

        @Override
        public Object copy(Copier c) {
            copies++;
            Node n = new Node(late);
            if (!late) {
                c.pair(this, n);
            }
            n.cell = c.copy(cell);
            n.next = c.copy(next);
            if (late) {
                c.pair(this, n);
            }
            return n;
        }
    }

    @Test
    void aMechanismNothingPairedIsTheOneItsCounterpartsNameAskedOnceAndAnyOtherIsStillRefused() {
        Object gup = new Object();
        Object copysGup = new Object();
        Object stranger = new Object();
        int[] asked = {0};
        Copier c = new Copier();
        c.counterparts(x -> {
            asked[0]++;
            return x == gup ? copysGup : null;
        });

        assertThat(c.copy(gup)).isSameAs(copysGup);
        assertThat(c.copy(gup)).as("found again as a pair").isSameAs(copysGup);
        assertThat(asked[0]).isEqualTo(1);
        assertThatThrownBy(() -> c.copy(stranger)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot copy a java.lang.Object");
        // a pair made for an object takes precedence over what the counterparts would name
        Object paired = new Object();
        c.pair(stranger, paired);
        assertThat(c.copy(stranger)).isSameAs(paired);
    }

    @Test
    void aCycleOfStateThatPairsItselfFirstComesOutAsTheSameCycleWithEachObjectCopiedOnce() {
        Node a = new Node(false);
        Node b = new Node(false);
        Node tail = new Node(true);
        Cell shared = new Cell(7);
        a.next = b;
        b.next = a;
        a.cell = shared;
        b.cell = shared;
        tail.cell = shared;
        Copier c = new Copier();

        Node a2 = c.copy(a);
        Node tail2 = c.copy(tail);

        assertThat(a2.next.next).isSameAs(a2);
        assertThat(c.copy(b)).isSameAs(a2.next);
        assertThat(a2.cell).isSameAs(a2.next.cell).isSameAs(tail2.cell).isNotSameAs(shared);
        assertThat(c.copy(tail)).isSameAs(tail2);
        assertThat(a.copies + b.copies + tail.copies + shared.copies).isEqualTo(4);
    }

    /** State found by its forwarding pointer: a node of a ring that pairs itself first. */
    private static final class Ring extends StateObject {
        Ring next;
        int copies;

        @Override
        public Object copy(Copier c) {
            copies++;
            Ring r = c.pair(this, new Ring());
            r.next = c.copy(next);
            return r;
        }
    }

    @Test
    void stateObjectsAreFoundByForwardingUntilTheCopierFinishesAndAnotherCopierMakesItsOwnCopies() {
        Ring a = new Ring();
        Ring b = new Ring();
        a.next = b;
        b.next = a;
        Copier c = new Copier();
        Ring a2 = c.copy(a);

        assertThat(a2.next.next).isSameAs(a2).isNotSameAs(a);
        assertThat(c.copy(b)).isSameAs(a2.next);
        assertThat(a.copiedBy).isSameAs(c);
        assertThat(a.copiedTo).isSameAs(a2);

        c.finish();
        assertThat(a.copiedBy).isNull();
        assertThat(a.copiedTo).isNull();
        assertThat(b.copiedTo).isNull();
        Copier d = new Copier();
        Ring a3 = d.copy(a);
        assertThat(a3).isNotSameAs(a2);
        assertThat(a3.next.next).isSameAs(a3);
        assertThat(a.copies + b.copies).isEqualTo(4);
    }

    @Test
    void aPointerLeftByAnUnfinishedCopierIsNotAnotherCopiersPair() {
        Ring a = new Ring();
        a.next = a;
        Copier c = new Copier();
        Ring a2 = c.copy(a);
        Copier d = new Copier();
        Ring a3 = d.copy(a);
        assertThat(a3).isNotSameAs(a2);
        assertThat(a3.next).isSameAs(a3);
        assertThat(d.copy(a)).isSameAs(a3);
    }

    @Test
    void manyStateObjectsAreEachCopiedOnceAndAllCleared() {
        Copier c = new Copier();
        List<Ring> rings = new ArrayList<>();
        List<Ring> copies = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Ring r = new Ring();
            r.next = r;
            rings.add(r);
            copies.add(c.copy(r));
        }
        for (int i = 0; i < rings.size(); i++) {
            assertThat(c.copy(rings.get(i))).isSameAs(copies.get(i));
        }
        c.finish();
        assertThat(rings).allSatisfy(r -> assertThat(r.copiedTo).isNull());
    }

    /** A mechanism: not state, paired with the copy's own. */
    private static final class Mechanism {}

    @Test
    void eachOriginalIsCopiedOnceAndFoundAgainPastTheFirstTableSize() {
        Copier c = new Copier();
        List<Cell> cells = new ArrayList<>();
        List<Object> copies = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            Cell cell = new Cell(i);
            cells.add(cell);
            copies.add(c.copy(cell));
        }
        for (int i = 0; i < cells.size(); i++) {
            Cell again = c.copy(cells.get(i));
            assertThat(again).isSameAs(copies.get(i)).isNotSameAs(cells.get(i));
            assertThat(again.value).isEqualTo(i);
            assertThat(cells.get(i).copies).isEqualTo(1);
        }
    }

    @Test
    void manyMechanismsOfOneClassAreEachFoundWithTheirPair() {
        Copier c = new Copier();
        List<Mechanism> originals = new ArrayList<>();
        List<Mechanism> paired = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            originals.add(new Mechanism());
            paired.add(c.pair(originals.get(i), new Mechanism()));
        }
        for (int i = 0; i < originals.size(); i++) {
            assertThat(c.copy(originals.get(i))).isSameAs(paired.get(i));
        }
    }

    @Test
    void valuesAreSharedAndAnythingElseIsRefused() {
        Copier c = new Copier();
        String s = "value";
        assertThat(c.copy(s)).isSameAs(s);
        assertThat((Object) c.copy(null)).isNull();
        int[] pages = {1, 2, 3};
        int[] copied = c.array(pages);
        assertThat(copied).containsExactly(1, 2, 3).isNotSameAs(pages);
        assertThat(c.array(pages)).isSameAs(copied);
        assertThatThrownBy(() -> c.copy(new Mechanism())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("neither state");
    }
}
