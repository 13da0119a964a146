package org.mmsim.explore;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * TLC's trace file kept in memory: for every distinct state, by state number, the number of the state it was
 * first reached from and the thread that took the step. Five bytes per state; a schedule is rebuilt by walking
 * parents back to the initial state (number 0, parent -1). States themselves are never kept.
 */
final class Trace {
    private int[] parent = new int[1024];
    private byte[] choice = new byte[1024];
    private int size;

    /** The most states a trace can number (Java array limit). */
    static final int MAX_STATES = Integer.MAX_VALUE - 16;

    /**
     * Grows the arrays now if the next {@link #add} would, so that it allocates nothing; an {@link OutOfMemoryError}
     * here leaves the trace as it was.
     */
    void reserve() {
        if (size == parent.length) {
            int n = (int) Math.min(MAX_STATES, size + (long) (size >> 1));
            int[] p = Arrays.copyOf(parent, n);
            byte[] c = Arrays.copyOf(choice, n);
            parent = p;
            choice = c;
        }
    }

    /** Records a new state reached from {@code from} (-1 for the initial state) by {@code thread}; its number. */
    int add(int from, int thread) {
        reserve();
        parent[size] = from;
        choice[size] = (byte) thread;
        return size++;
    }

    /** How many states are numbered. */
    int size() {
        return size;
    }

    /** The schedule from the initial state to state {@code state}. */
    int[] schedule(int state) {
        int[] s = new int[length(state)];
        fill(state, s);
        return s;
    }

    /** The schedule to {@code state} followed by one more step of {@code thread}. */
    int[] scheduleThen(int state, int thread) {
        int n = length(state);
        int[] s = new int[n + 1];
        fill(state, s);
        s[n] = thread;
        return s;
    }

    /**
     * Writes the schedule to {@code state} into {@code buffer}, growing it if needed.
     *
     * @return the buffer holding the schedule in its first {@link #length} entries
     */
    int[] fill(int state, int[] buffer) {
        return view().fill(state, buffer);
    }

    /** How many steps lead from the initial state to {@code state}. */
    int length(int state) {
        return view().length(state);
    }

    /**
     * The states numbered so far, frozen: what another thread may read while this trace goes on growing (growth
     * replaces the arrays, never an entry already written).
     */
    View view() {
        return new View(parent, choice);
    }

    /** A frozen prefix of a trace (see {@link #view}). */
    record View(int[] parent, byte[] choice) {
        /** {@link Trace#fill} over the frozen entries. */
        int[] fill(int state, int[] buffer) {
            int n = length(state);
            int[] b = buffer.length >= n ? buffer : new int[Math.max(n, buffer.length * 2)];
            for (int s = state, i = n - 1; i >= 0; s = parent[s], i--) {
                b[i] = choice[s];
            }
            return b;
        }

        /** {@link Trace#length} over the frozen entries. */
        int length(int state) {
            int n = 0;
            for (int s = state; parent[s] >= 0; s = parent[s]) {
                n++;
            }
            return n;
        }
    }

    /** Bytes held by the two arrays. */
    long bytes() {
        return 5L * parent.length;
    }

    // ---- checkpoints --------------------------------------------------------------------------------------------

    void write(DataOutput out) throws IOException {
        out.writeInt(size);
        for (int i = 0; i < size; i++) {
            out.writeInt(parent[i]);
            out.writeByte(choice[i]);
        }
    }

    void read(DataInput in) throws IOException {
        size = in.readInt();
        parent = new int[Math.max(1024, size)];
        choice = new byte[Math.max(1024, size)];
        for (int i = 0; i < size; i++) {
            parent[i] = in.readInt();
            choice[i] = in.readByte();
        }
    }
}
