package org.mmsim.explore;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The steps of one state taken ahead of its turn: for each thread it covers, what that thread's step from the state
 * gives (the child's fingerprint, violations, enabled threads and kind, and the step's footprint), recorded by the
 * worker that made the state while it still held the machine ({@link Expander}).
 *
 * <p>Why. A state the search does not keep is rebuilt when its level is expanded, by replaying its schedule from the
 * initial state: on explore-100k that replay is most of what a state costs, since a copy of the machine costs about
 * as much as six replayed steps and a state's children are few. A worker that has just made a child has its machine
 * in hand, so it takes the child's steps at once and records their results here; when the child's turn comes, its
 * expansion is read from here and needs no machine at all. Machines are then rebuilt for every other level only,
 * and in a search shaped like a tree, where the worker looks ahead to the leaves ({@link #next(int)}), only for the
 * states a tree leaves out when it reaches its size ({@code Expander.LOOKAHEAD_STATES}).
 *
 * <p>What a step gives depends only on the state and the thread (the {@link Model} is deterministic), so the record
 * of a state made from one parent serves the state however it is reached. What it does not record is the sleep set:
 * that is known only when every parent is merged, and is worked out from the recorded footprints at expansion time,
 * exactly as from fresh ones. The record covers the threads the state was awake for when made; a state that a
 * later parent wakes further is rebuilt as before ({@link #nodeCovers}). A state with no record is rebuilt too (a
 * checkpoint keeps the records): the record only saves work, it never changes a result.
 *
 * <p>Layout. The records a worker takes in one go (a state's, and those of the states under it when it looks
 * further ahead) are one tree, kept in one array of words, and a {@code Lookahead} is a view of one node of
 * it. The records are most of what a search keeps alive from one garbage collection to the next, and a collection
 * costs about a cache miss per live object: one array for a whole tree, instead of three objects for every node,
 * makes those collections several times shorter. A node is a header word (the threads it covers, and how many words
 * its subtree takes) and four words per covered thread, in thread order: the child's fingerprint, the step's
 * footprint, the child's enabled threads shifted left by 8 with its kind in the low byte and the index (plus one) of
 * its violations in the tree's list above bit 40, and the offset (plus one) of the child's own node, 0 for none. The
 * nodes lie breadth first, level by level, though they are built depth first ({@link Builder#build}).
 */
final class Lookahead {
    private static final int HEADER = 1;
    private static final int PER_THREAD = 4;
    private static final int FOUND_SHIFT = 40;

    private final long[] words;
    /** The violations the tree's steps found, as lists of keys; null if none did. */
    private final Object[] found;
    /** Where this node starts in {@link #words}. */
    final int at;
    /**
     * The view of the tree's root node: what a {@link Level} keeps, with a node's offset, so that the views of the
     * states it holds (one per open state) are not objects that live from one collection to the next.
     */
    final Lookahead root;
    /** The threads whose steps are recorded, as a bit mask. */
    final int covered;

    private Lookahead(long[] words, Object[] found, int at, Lookahead root) {
        this.words = words;
        this.found = found;
        this.at = at;
        this.root = root == null ? this : root;
        this.covered = (int) words[at];
    }

    /** The view of the node at {@code offset} ({@link #at} of a view) of this view's tree: this view if it is it. */
    Lookahead node(int offset) {
        return offset == at ? this : new Lookahead(words, found, offset, root);
    }

    /**
     * Whether the node at {@code offset} of this view's tree records the steps of every thread in {@code threads} (read
     * from the node's header, without making its view: the search asks this of every state of a level).
     */
    boolean nodeCovers(int offset, int threads) {
        return (threads & ~(int) words[offset]) == 0;
    }

    /** Where thread {@code t}'s (one of {@link #covered}) four words start. */
    private int slot(int t) {
        return slot(at, covered, t);
    }

    /** Where the four words of thread {@code t} start in the node at {@code node} that covers {@code covered}. */
    private static int slot(int node, int covered, int t) {
        return node + HEADER + PER_THREAD * Integer.bitCount(covered & ((1 << t) - 1));
    }

    /** The threads the node at {@code node} of this view's tree covers. */
    int coveredAt(int node) {
        return (int) words[node];
    }

    /**
     * Where the words of thread {@code t} (one it covers) start in the node at {@code node} of this view's tree: what the
     * readers below that take a slot are given, for a search that files a node's children straight from the tree,
     * without a view of each.
     */
    int slotIn(int node, int t) {
        return slot(node, (int) words[node], t);
    }

    long fp(int t) {
        return fpAt(slot(t));
    }

    long footprint(int t) {
        return footprintAt(slot(t));
    }

    int enabled(int t) {
        return enabledAt(slot(t));
    }

    byte kind(int t) {
        return kindAt(slot(t));
    }

    /** The violations recorded for thread {@code t}'s step. */
    List<String> violations(int t) {
        return violationsAt(slot(t));
    }

    /** The record of the child thread {@code t}'s step made, or null. */
    Lookahead next(int t) {
        int child = childAt(slot(t));
        return child < 0 ? null : new Lookahead(words, found, child, root);
    }

    /** The child's fingerprint, of the thread whose words start at {@code slot} ({@link #slotIn}). */
    long fpAt(int slot) {
        return words[slot];
    }

    /** The step's footprint. */
    long footprintAt(int slot) {
        return words[slot + 1];
    }

    /** The child's enabled threads. */
    int enabledAt(int slot) {
        return (int) (words[slot + 2] >>> 8);
    }

    /** The child's kind ({@link Level#OPEN} and the others). */
    byte kindAt(int slot) {
        return (byte) words[slot + 2];
    }

    /** The violations the step found. */
    @SuppressWarnings("unchecked")
    List<String> violationsAt(int slot) {
        int i = (int) (words[slot + 2] >>> FOUND_SHIFT);
        return i == 0 ? List.of() : (List<String>) found[i - 1];
    }

    /** The offset of the child's own node in this view's tree, or -1 if its steps were not taken. */
    int childAt(int slot) {
        return (int) words[slot + 3] - 1;
    }

    /** {@link #bytes} of the node at {@code node} of this view's tree, without a view of it. */
    long bytesAt(int node) {
        return 8 * (words[node] >>> 32) + (node == 0 ? 32 + 16 : 0);
    }

    /**
     * Bytes this record and the records under it hold, in the layout of a 64-bit JVM with compressed references: its
     * subtree's words, and for the tree's root also the root's view (a 12-byte header, three references and two ints)
     * and the array's 16-byte header; a {@link Level} keeps other nodes as an offset into their tree. The violation
     * lists are not counted (shared with the step that found them, and rare).
     */
    long bytes() {
        return bytesAt(at);
    }

    /**
     * Writes the whole tree this view is a node of, for a checkpoint ({@link #readTree}): its words, then the
     * violations its steps found, each a list of keys.
     */
    void writeTree(DataOutput out) throws IOException {
        out.writeInt(words.length);
        for (long w : words) {
            out.writeLong(w);
        }
        out.writeInt(found == null ? -1 : found.length);
        for (int i = 0; found != null && i < found.length; i++) {
            @SuppressWarnings("unchecked")
            List<String> keys = (List<String>) found[i];
            out.writeInt(keys.size());
            for (String key : keys) {
                out.writeUTF(key);
            }
        }
    }

    /** Whether {@code offset} lies inside this view's tree (a node's offset read from a checkpoint is checked). */
    boolean inTree(int offset) {
        return offset >= 0 && offset < words.length;
    }

    /** The root of a tree {@link #writeTree} wrote. */
    static Lookahead readTree(DataInput in) throws IOException {
        long[] words = new long[checkedLength(in.readInt())];
        for (int i = 0; i < words.length; i++) {
            words[i] = in.readLong();
        }
        int lists = in.readInt();
        Object[] found = lists < 0 ? null : new Object[checkedLength(lists)];
        for (int i = 0; i < lists; i++) {
            String[] keys = new String[checkedLength(in.readInt())];
            for (int k = 0; k < keys.length; k++) {
                keys[k] = in.readUTF();
            }
            found[i] = List.of(keys);
        }
        return new Lookahead(words, found, 0, null);
    }

    private static int checkedLength(int n) throws IOException {
        if (n < 0) {
            throw new StreamCorruptedException("a record of steps taken ahead has a negative length: " + n);
        }
        return n;
    }

    /** Bytes of an array of {@code n} elements of {@code size} bytes: a 16-byte header, rounded up to 8 bytes. */
    static long array(int size, int n) {
        return (16 + (long) size * n + 7) & ~7L;
    }

    /**
     * Builds one tree of records, node by node, depth first: a node is opened ({@link #node}), its threads' steps are
     * recorded, each child's node is built and linked ({@link #next}) in turn, and the node is closed ({@link #end}).
     * The tree built is laid out breadth first ({@link #build}).
     */
    static final class Builder {
        /** The tree's words so far: a worker's buffer, kept from one tree to the next ({@link #buffer}). */
        private long[] words;
        private int size;
        private final int maxNodes;
        private final BooleanSupplier abandoned;
        private int nodes;
        private int steps;
        private List<Object> found;

        /**
         * A tree that opens at most {@code maxNodes} nodes, and its root whatever that is, and no more once
         * {@code abandoned} says its expansion will not be used ({@link #full}).
         */
        Builder(int maxNodes, BooleanSupplier abandoned) {
            this(maxNodes, abandoned, new long[64]);
        }

        /**
         * As {@link #Builder(int, BooleanSupplier)}, writing into {@code buffer} (grown if it must be) until
         * {@link #build} copies out what the tree took: a worker builds its trees one after another in one buffer,
         * which it takes back from {@link #buffer}.
         */
        Builder(int maxNodes, BooleanSupplier abandoned, long[] buffer) {
            this.maxNodes = maxNodes;
            this.abandoned = abandoned;
            this.words = buffer;
        }

        /** The buffer this tree was written in, for the next tree's builder. */
        long[] buffer() {
            return words;
        }

        /** Whether the tree has opened as many nodes as it may: no child's steps are to be taken further. */
        boolean full() {
            return nodes >= maxNodes || abandoned.getAsBoolean();
        }

        /** The steps recorded so far: the states the tree records, its root's children included. */
        int steps() {
            return steps;
        }

        /** Opens a node covering {@code covered}; returns its offset. */
        int node(int covered) {
            nodes++;
            int at = size;
            int need = at + HEADER + PER_THREAD * Integer.bitCount(covered);
            if (need > words.length) {
                words = Arrays.copyOf(words, Math.max(need, 2 * words.length));
            }
            words[at] = covered & 0xffffffffL;
            // a reused buffer holds an earlier tree's words: a thread whose child gets no node links none
            Arrays.fill(words, at + 1, need, 0);
            size = need;
            return at;
        }

        /** Records thread {@code t}'s step from the state of node {@code node}. */
        void record(int node, int t, long childFp, long stepFootprint, int childEnabled, byte childKind,
                List<String> violations) {
            int s = slot(node, t);
            steps++;
            words[s] = childFp;
            words[s + 1] = stepFootprint;
            long third = ((long) childEnabled << 8) | (childKind & 0xff);
            if (!violations.isEmpty()) {
                if (found == null) {
                    found = new ArrayList<>();
                }
                found.add(violations);
                third |= (long) found.size() << FOUND_SHIFT;
            }
            words[s + 2] = third;
        }

        /** Links node {@code child} as the record of the state thread {@code t}'s step from node {@code node} made. */
        void next(int node, int t, int child) {
            words[slot(node, t) + 3] = child + 1;
        }

        /** Closes node {@code node}: its subtree is every word written since it was opened. */
        void end(int node) {
            words[node] |= (long) (size - node) << 32;
        }

        /**
         * The tree's root, node 0, once every node is closed: the nodes laid out breadth first, level by level and in
         * thread order within a node, whatever order they were built in (depth first).
         *
         * <p>Why. The search files a level's states one after another, and once a state was looked ahead from to the
         * leaves, the states of each later level that descend from it are the nodes of one level of its tree, in that
         * breadth-first order. Laid out depth first, each was a cache miss: consecutive states of a level sat a whole
         * subtree apart, and each state's children's headers ({@link #bytesAt}) further still. Laid out breadth first,
         * the search reads each tree's levels as runs of consecutive words. Only the links change: a node's header
         * still counts the words of its whole subtree ({@link #bytes}), now spread over the levels below it.
         */
        Lookahead build() {
            long[] out = new long[size];
            int[] queue = new int[nodes];
            int tail = 1;
            // where the next node put in the queue will go: the nodes go out in the order they are queued
            int free = nodeWords(0);
            int at = 0;
            for (int head = 0; head < tail; head++) {
                int node = queue[head];
                int len = nodeWords(node);
                out[at] = words[node];
                for (int s = 1; s < len; s += PER_THREAD) {
                    out[at + s] = words[node + s];
                    out[at + s + 1] = words[node + s + 1];
                    out[at + s + 2] = words[node + s + 2];
                    int child = (int) words[node + s + 3] - 1;
                    if (child >= 0) {
                        queue[tail++] = child;
                        out[at + s + 3] = free + 1;
                        free += nodeWords(child);
                    }
                }
                at += len;
            }
            if (at != size) {
                throw new IllegalStateException("a tree of records has " + (size - at) + " words in no node");
            }
            return new Lookahead(out, found == null ? null : found.toArray(), 0, null);
        }

        /** The words of the node at {@code node}: its header and four per thread it covers. */
        private int nodeWords(int node) {
            return HEADER + PER_THREAD * Integer.bitCount((int) words[node]);
        }

        private int slot(int node, int t) {
            return Lookahead.slot(node, (int) words[node], t);
        }
    }
}
