package org.mmsim.kernel.mm.notifier;

import java.util.function.IntConsumer;

/**
 * The interval tree of an mm's interval notifiers ({@code subscriptions->itree}, include/linux/interval_tree.h): an
 * AVL tree ordered by (start, id), each node augmented with the largest {@code last} below it, so that finding the
 * intervals that overlap a range costs O(log n + k), as {@code interval_tree_iter_first}/{@code _next} do.
 *
 * <p>Design note. Nodes are immutable and an insert or remove copies only the path it changes, so two machines
 * share a tree until one of them changes it: copying the tree for the explorer is copying its root. Nodes hold the
 * notifier's id, not the notifier (which is mutable state of one machine).
 */
final class IntervalTree {
    private record Node(long start, long last, int id, Node left, Node right, int height, long maxLast) {
        static Node of(long start, long last, int id, Node left, Node right) {
            long max = last;
            int h = 0;
            if (left != null) {
                max = Math.max(max, left.maxLast);
                h = left.height;
            }
            if (right != null) {
                max = Math.max(max, right.maxLast);
                h = Math.max(h, right.height);
            }
            return new Node(start, last, id, left, right, h + 1, max);
        }

        Node with(Node l, Node r) {
            return of(start, last, id, l, r);
        }
    }

    private Node root;
    private int size;

    IntervalTree() {}

    /** A tree with the same contents, sharing every node. */
    IntervalTree(IntervalTree o) {
        this.root = o.root;
        this.size = o.size;
    }

    int size() {
        return size;
    }

    /** {@code interval_tree_insert}: [start, last] for notifier {@code id}. */
    void insert(long start, long last, int id) {
        root = insert(root, start, last, id);
        size++;
    }

    /** {@code interval_tree_remove}: the interval of notifier {@code id}, which starts at {@code start}. */
    void remove(long start, int id) {
        root = remove(root, start, id);
        size--;
    }

    /** Every notifier whose interval overlaps [first, last], in (start, id) order. */
    void overlapping(long first, long last, IntConsumer out) {
        visit(root, first, last, out);
    }

    /** Every notifier id in (start, id) order. */
    void forEach(IntConsumer out) {
        visit(root, Long.MIN_VALUE, Long.MAX_VALUE, out);
    }

    private static void visit(Node n, long first, long last, IntConsumer out) {
        while (n != null && n.maxLast >= first) {
            visit(n.left, first, last, out);
            if (n.start > last) {
                return;
            }
            if (n.last >= first) {
                out.accept(n.id);
            }
            n = n.right;
        }
    }

    private static int cmp(long start, int id, Node n) {
        int c = Long.compare(start, n.start);
        return c != 0 ? c : Integer.compare(id, n.id);
    }

    private static int height(Node n) {
        return n == null ? 0 : n.height;
    }

    private static Node insert(Node n, long start, long last, int id) {
        if (n == null) {
            return Node.of(start, last, id, null, null);
        }
        return cmp(start, id, n) < 0 ? balance(n.with(insert(n.left, start, last, id), n.right))
                : balance(n.with(n.left, insert(n.right, start, last, id)));
    }

    private static Node remove(Node n, long start, int id) {
        if (n == null) {
            throw new IllegalStateException("interval of notifier " + id + " is not in the tree");
        }
        int c = cmp(start, id, n);
        if (c < 0) {
            return balance(n.with(remove(n.left, start, id), n.right));
        }
        if (c > 0) {
            return balance(n.with(n.left, remove(n.right, start, id)));
        }
        if (n.left == null) {
            return n.right;
        }
        if (n.right == null) {
            return n.left;
        }
        Node min = n.right;
        while (min.left != null) {
            min = min.left;
        }
        return balance(Node.of(min.start, min.last, min.id, n.left, remove(n.right, min.start, min.id)));
    }

    private static Node balance(Node n) {
        int b = height(n.left) - height(n.right);
        if (b > 1) {
            Node l = n.left;
            if (height(l.left) < height(l.right)) {
                l = rotateLeft(l);
            }
            return rotateRight(n.with(l, n.right));
        }
        if (b < -1) {
            Node r = n.right;
            if (height(r.right) < height(r.left)) {
                r = rotateRight(r);
            }
            return rotateLeft(n.with(n.left, r));
        }
        return n;
    }

    private static Node rotateRight(Node n) {
        Node l = n.left;
        return l.with(l.left, n.with(l.right, n.right));
    }

    private static Node rotateLeft(Node n) {
        Node r = n.right;
        return r.with(n.with(n.left, r.left), r.right);
    }
}
