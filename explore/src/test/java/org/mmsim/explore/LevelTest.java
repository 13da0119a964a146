package org.mmsim.explore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A BFS level's bookkeeping: path counts, sleep-set intersection, the footprints kept with each sleeping thread. */
class LevelTest {
    private final long[] footprints = new long[32];

    @Test
    void aStateReachedAgainSumsPathsAndIntersectsSleepSets() {
        Level<String> level = new Level<>();
        level.reset(10);
        footprints[0] = 0b0001;
        footprints[2] = 0b0100;
        footprints[5] = 0b1000;
        int i = level.add(3, 0b100101, footprints, 0b111, Level.OPEN, "s");

        footprints[2] = 0b1_0000;
        level.merge(i, 4, 0b000110, footprints);

        assertThat(i).isZero();
        assertThat(level.start()).isEqualTo(10);
        assertThat(level.paths(i)).isEqualTo(7);
        assertThat(level.sleep(i)).isEqualTo(0b100);
        assertThat(level.sleepFootprint(i, 2)).isEqualTo(0b1_0100);
        assertThat(level.state(i)).isEqualTo("s");
    }

    @Test
    void eachStateFindsItsOwnFootprintsInTheSharedPool() {
        Level<String> level = new Level<>();
        level.reset(0);
        for (int k = 0; k < 100; k++) {
            footprints[1] = k;
            footprints[3] = 1000 + k;
            level.add(1, 0b1010, footprints, 0, Level.OPEN, null);
        }

        assertThat(level.size()).isEqualTo(100);
        assertThat(level.sleepFootprint(57, 1)).isEqualTo(57);
        assertThat(level.sleepFootprint(57, 3)).isEqualTo(1057);
    }

    @Test
    void aLevelCountsEachRecordOnceAsAttachedAndOnlyItsArraysOnceReleased() {
        Level<String> level = new Level<>();
        level.reset(0);
        // one tree: a node covering threads 0 and 1 whose thread 0 step leads to a node covering thread 0
        Lookahead.Builder tree = new Lookahead.Builder(Expander.LOOKAHEAD_STATES, () -> false);
        int root = tree.node(0b11);
        tree.record(root, 0, 10, 1, 0b1, Level.OPEN, List.of());
        int child = tree.node(0b1);
        tree.record(child, 0, 20, 1, 0, Level.FINAL_NEGATIVE, List.of("x: y"));
        tree.end(child);
        tree.next(root, 0, child);
        tree.record(root, 1, 11, 2, 0, Level.DEADLOCK, List.of());
        tree.end(root);
        Lookahead outer = tree.build();
        Lookahead inner = outer.next(0);
        int i = level.add(1, 0, footprints, 0b11, Level.OPEN, null);
        int j = level.add(1, 0, footprints, 0b11, Level.OPEN, null);

        level.lookahead(i, outer, outer.bytes());
        level.lookahead(i, inner, inner.bytes());
        level.lookahead(j, inner, inner.bytes());

        // the words of the subtree (1 + 4 * 2 for the root's node, 1 + 4 for its child's), and for the root also its
        // view (32 bytes) and the array's header
        assertThat(outer.bytes()).isEqualTo(32 + 16 + 8 * (9 + 5));
        assertThat(inner.bytes()).isEqualTo(8 * 5);
        // the level keeps the root and an offset: the child's record read back is the same node of the same tree
        assertThat(level.lookahead(j)).isNotNull();
        assertThat(level.lookahead(j).root).isSameAs(outer);
        assertThat(level.lookahead(j).fp(0)).isEqualTo(20);
        assertThat(outer.next(1)).isNull();
        assertThat(inner.fp(0)).isEqualTo(20);
        assertThat(inner.violations(0)).containsExactly("x: y");
        assertThat(outer.violations(1)).isEmpty();
        assertThat(outer.kind(1)).isEqualTo(Level.DEADLOCK);
        assertThat(outer.enabled(0)).isEqualTo(0b1);
        assertThat(outer.footprint(1)).isEqualTo(2);
        assertThat(level.lookahead(i)).isSameAs(outer);
        assertThat(level.bytes()).isEqualTo(level.arrayBytes() + outer.bytes() + inner.bytes());
        level.release(i);
        level.release(j);
        assertThat(level.lookahead(i)).isNull();
        level.reset(2);
        assertThat(level.bytes()).isEqualTo(level.arrayBytes());
    }

    @Test
    void pathCountsSaturate() {
        Level<String> level = new Level<>();
        level.reset(0);
        int i = level.add(Long.MAX_VALUE - 1, 0, footprints, 0, Level.OPEN, null);

        level.merge(i, 5, 0, footprints);

        assertThat(level.paths(i)).isEqualTo(Long.MAX_VALUE);
    }

    /** A state added without a machine or a record has none, whatever the position held before the reset. */
    @Test
    void resetForgetsTheKeptStatesAndRecords() {
        Level<String> level = new Level<>();
        level.reset(0);
        level.add(1, 0, footprints, 0, Level.OPEN, "s");
        Lookahead.Builder tree = new Lookahead.Builder(Expander.LOOKAHEAD_STATES, () -> false);
        tree.end(tree.node(0));
        level.lookahead(0, tree.build(), 8);

        level.reset(5);
        level.add(1, 0, footprints, 0, Level.OPEN, null);

        assertThat(level.state(0)).isNull();
        assertThat(level.lookahead(0)).isNull();
        assertThat(level.recordCovers(0, 0)).isFalse();
        assertThat(level.start()).isEqualTo(5);
    }

    /**
     * Thread 0 stores x then does a private step; thread 1 loads x. State (1 step of 0, 1 step of 1) is reached
     * from (1,0) with thread 0 asleep (its private step commutes with the load) and from (0,1) with nothing
     * asleep (the store and the load conflict), so it is expanded with nothing asleep: all 7 steps are taken.
     */
    @Test
    void theSearchExpandsAStateWithTheIntersectionOfItsSleepSets() {
        Programs model = new Programs(List.of(
                List.of(new Programs.Instr(Programs.Op.STORE, 0, 0), new Programs.Instr(Programs.Op.LOCAL, 0, 0)),
                List.of(new Programs.Instr(Programs.Op.LOAD, 0, 0))));

        Report r = Explorer.exhaustive(model, Options.defaults());

        assertThat(r.states()).isEqualTo(6);
        assertThat(r.transitions()).isEqualTo(7);
        assertThat(r.executions()).isEqualTo(3);
    }
}
