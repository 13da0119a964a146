package org.mmsim.explore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A tree of records is built depth first and laid out breadth first ({@link Lookahead.Builder#build}): the search
 * files a level's states in the order of a tree's levels, so that order is the one it reads them in.
 */
class LookaheadLayoutTest {

    /**
     * Three levels under the root, two threads a node: every node's record reads back as recorded through the links,
     * each node counts the words of its whole subtree, and the nodes lie level by level, in thread order, one after
     * another.
     */
    @Test
    void aTreeBuiltDepthFirstIsLaidOutBreadthFirstWithTheSameRecords() {
        Lookahead.Builder tree = new Lookahead.Builder(Expander.LOOKAHEAD_STATES, () -> false, new long[8]);
        build(tree, 1, 3);
        Lookahead root = tree.build();

        List<Lookahead> breadthFirst = new ArrayList<>();
        breadthFirst.add(root);
        for (int i = 0; i < breadthFirst.size(); i++) {
            Lookahead node = breadthFirst.get(i);
            for (int t = 0; t < 2; t++) {
                if (node.next(t) != null) {
                    breadthFirst.add(node.next(t));
                }
            }
        }
        // 1 + 2 + 4 nodes open, the 8 leaves' records in the last level's nodes
        assertThat(breadthFirst).hasSize(7);
        int expectedAt = 0;
        for (Lookahead node : breadthFirst) {
            assertThat(node.at).isEqualTo(expectedAt);
            expectedAt += 1 + 4 * 2;
        }
        assertThat(root.coveredAt(root.next(1).next(0).at)).isEqualTo(0b11);
        assertThat(root.bytes()).isEqualTo(32 + 16 + 8 * 7 * 9);
        assertThat(root.next(1).bytes()).isEqualTo(8 * 3 * 9);
        assertThat(root.next(1).next(0).bytes()).isEqualTo(8 * 9);
        // the fingerprints name their paths: 1, then 10 + t, then 100 + 10 * t + u, ...
        assertThat(root.fp(1)).isEqualTo(11);
        assertThat(root.next(1).fp(0)).isEqualTo(110);
        assertThat(root.next(1).next(0).fp(1)).isEqualTo(1101);
        assertThat(root.next(0).next(1).fp(0)).isEqualTo(1010);
        assertThat(root.next(0).next(1).next(0)).isNull();
        assertThat(root.next(1).next(1).footprint(1)).isEqualTo(1111 * 7);
        assertThat(root.next(1).next(1).violations(1)).containsExactly("leaf 1111");
    }

    /** Records the two steps of the node for path {@code path}, and builds the children's nodes below it. */
    private static int build(Lookahead.Builder tree, long path, int depth) {
        int node = tree.node(0b11);
        for (int t = 0; t < 2; t++) {
            long child = path * 10 + t;
            boolean leaf = depth == 1;
            tree.record(node, t, child, child * 7, 0b11, leaf ? Level.FINAL_POSITIVE : Level.OPEN,
                    leaf ? List.of("leaf " + child) : List.of());
            if (!leaf) {
                tree.next(node, t, build(tree, child, depth - 1));
            }
        }
        tree.end(node);
        return node;
    }
}
