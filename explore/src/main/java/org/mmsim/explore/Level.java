package org.mmsim.explore;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * One BFS level: its states are numbered {@code start .. start + size - 1} in the {@link Trace}, and position
 * {@code i} here is state {@code start + i}. Per state, in primitive arrays: the number of explored paths that
 * reach it, its enabled threads, what kind of state it is, its sleep set and, when the caller keeps them, the
 * model state itself. Two levels are alive at a time (the one being expanded and the one being built) and are
 * reused, so a search allocates per level only when a level is wider than any before.
 *
 * <p>Sleep sets: a mask of sleeping threads plus, for each, the footprint its step had when it was put to sleep.
 * The footprints sit in one shared pool: state {@code i} owns {@code bitCount(slotMask[i])} consecutive entries
 * from {@code slotAt[i]}, one per thread of the mask it was created with, in thread order. Intersecting with a
 * later parent's sleep set clears mask bits but keeps the slots, so a thread's entry is found by its rank in
 * {@code slotMask}.
 *
 * @param <S> the model state
 */
final class Level<S> {
    static final byte OPEN = 0;
    static final byte FINAL_POSITIVE = 1;
    static final byte FINAL_NEGATIVE = 2;
    static final byte DEADLOCK = 3;

    private int start;
    private int size;
    private long[] paths = new long[64];
    private int[] enabled = new int[64];
    private byte[] kind = new byte[64];
    private int[] sleep = new int[64];
    private int[] slotMask = new int[64];
    private int[] slotAt = new int[64];
    private Object[] states = new Object[64];
    /** By state: the root of the tree its record is a node of ({@link Lookahead#root}), and the node's offset. */
    private Lookahead[] ahead = new Lookahead[64];
    private int[] aheadAt = new int[64];
    /**
     * What the records attached since {@link #reset} hold, by {@link Lookahead#bytes}; releasing one does not lower
     * it.
     */
    private long aheadBytes;
    private long[] pool = new long[64];
    private int poolSize;

    /** Empties the level; its first state will be number {@code start}. */
    void reset(int start) {
        Arrays.fill(states, 0, size, null);
        Arrays.fill(ahead, 0, size, null);
        this.start = start;
        this.size = 0;
        this.poolSize = 0;
        this.aheadBytes = 0;
    }

    /**
     * Appends a state.
     *
     * @param footprints indexed by thread: the footprint of each thread in {@code sleepMask}
     * @param state      the model state, or null when it is not kept
     * @return its position in this level
     */
    int add(long paths, int sleepMask, long[] footprints, int enabled, byte kind, S state) {
        reserve(sleepMask);
        int i = size++;
        this.paths[i] = paths;
        this.enabled[i] = enabled;
        this.kind[i] = kind;
        this.sleep[i] = sleepMask;
        this.slotMask[i] = sleepMask;
        this.slotAt[i] = poolSize;
        // a slot past the size holds no state and no record (reset, release and dropRecords clear them)
        if (state != null) {
            this.states[i] = state;
        }
        for (int m = sleepMask; m != 0; m &= m - 1) {
            pool[poolSize++] = footprints[Integer.numberOfTrailingZeros(m)];
        }
        return i;
    }

    /**
     * State {@code i} is reached again, by {@code morePaths} more paths, from a parent that would give it
     * {@code sleepMask}: add the paths, keep only the threads asleep on both ways in, and widen each kept
     * thread's footprint by the new one (with honest footprints they are equal; the union is the safe choice).
     */
    void merge(int i, long morePaths, int sleepMask, long[] footprints) {
        paths[i] = saturatingAdd(paths[i], morePaths);
        int kept = sleep[i] & sleepMask;
        sleep[i] = kept;
        for (int m = kept; m != 0; m &= m - 1) {
            int t = Integer.numberOfTrailingZeros(m);
            pool[slot(i, t)] |= footprints[t];
        }
    }

    /** The footprint stored for sleeping thread {@code thread} of state {@code i}. */
    long sleepFootprint(int i, int thread) {
        return pool[slot(i, thread)];
    }

    /**
     * Drops every record of steps taken ahead (states without one are rebuilt when expanded), for a search that ran
     * out of heap; {@link #bytes} then counts the arrays alone.
     */
    void dropRecords() {
        Arrays.fill(ahead, 0, size, null);
        aheadBytes = 0;
    }

    /** Drops the model state and the steps taken ahead kept for position {@code i}, once it has been expanded. */
    void release(int i) {
        states[i] = null;
        ahead[i] = null;
    }

    /**
     * Bytes this level holds in its arrays and its records of steps taken ahead (model states kept for deep levels
     * not counted), in the layout of a 64-bit JVM with compressed references; the records as attached, so this is
     * exact while no state has been {@link #release}d (a level being built), and {@link #arrayBytes} once all have.
     */
    long bytes() {
        return arrayBytes() + aheadBytes;
    }

    /** Bytes this level holds in its arrays alone: all it holds once every state is {@link #release}d. */
    long arrayBytes() {
        return Lookahead.array(8, paths.length) + Lookahead.array(4, enabled.length) + Lookahead.array(1, kind.length)
                + 3 * Lookahead.array(4, sleep.length) + Lookahead.array(4, states.length)
                + Lookahead.array(4, ahead.length) + Lookahead.array(4, aheadAt.length)
                + Lookahead.array(8, pool.length);
    }

    /** The steps of state {@code i} taken ahead of its turn, or null. */
    Lookahead lookahead(int i) {
        return ahead[i] == null ? null : ahead[i].node(aheadAt[i]);
    }

    /** Whether state {@code i} has a record of the steps of every thread in {@code threads} ({@link #lookahead}). */
    boolean recordCovers(int i, int threads) {
        return ahead[i] != null && ahead[i].nodeCovers(aheadAt[i], threads);
    }

    /** The root of the tree state {@code i}'s record is a node of, or null if it has none ({@link #recordAt}). */
    Lookahead recordRoot(int i) {
        return ahead[i];
    }

    /** Where state {@code i}'s record starts in its tree ({@link Lookahead#at}). */
    int recordAt(int i) {
        return aheadAt[i];
    }

    /**
     * Records the steps of state {@code i} taken ahead, if none are recorded yet; {@code bytes} is what the record
     * holds ({@link Lookahead#bytes}, worked out by the worker that made it, so that {@link #bytes} walks no record).
     */
    void lookahead(int i, Lookahead a, long bytes) {
        lookahead(i, a.root, a.at, bytes);
    }

    /** {@link #lookahead(int, Lookahead, long)} of the node at {@code at} of the tree whose root is {@code root}. */
    void lookahead(int i, Lookahead root, int at, long bytes) {
        if (ahead[i] == null) {
            ahead[i] = root;
            aheadAt[i] = at;
            aheadBytes += bytes;
        }
    }

    int start() {
        return start;
    }

    int size() {
        return size;
    }

    long paths(int i) {
        return paths[i];
    }

    int enabled(int i) {
        return enabled[i];
    }

    byte kind(int i) {
        return kind[i];
    }

    int sleep(int i) {
        return sleep[i];
    }

    @SuppressWarnings("unchecked")
    S state(int i) {
        return (S) states[i];
    }

    /** {@code a + b} for non-negative counts, stuck at {@link Long#MAX_VALUE} instead of overflowing. */
    static long saturatingAdd(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }

    private int slot(int i, int thread) {
        return slotAt[i] + Integer.bitCount(slotMask[i] & ((1 << thread) - 1));
    }

    /**
     * Grows the arrays now if the next {@link #add}, of a state asleep on {@code sleepMask}, would, so that it
     * allocates nothing; an {@link OutOfMemoryError} here leaves the level as it was.
     */
    void reserve(int sleepMask) {
        int need = poolSize + Integer.bitCount(sleepMask);
        if (need > pool.length) {
            pool = Arrays.copyOf(pool, Math.max(need, pool.length * 2));
        }
        if (size == paths.length) {
            grow();
        }
    }

    /** Doubles the arrays, each copied before any replaces its original. */
    private void grow() {
        int n = paths.length * 2;
        long[] newPaths = Arrays.copyOf(paths, n);
        int[] newEnabled = Arrays.copyOf(enabled, n);
        byte[] newKind = Arrays.copyOf(kind, n);
        int[] newSleep = Arrays.copyOf(sleep, n);
        int[] newSlotMask = Arrays.copyOf(slotMask, n);
        int[] newSlotAt = Arrays.copyOf(slotAt, n);
        Object[] newStates = Arrays.copyOf(states, n);
        Lookahead[] newAhead = Arrays.copyOf(ahead, n);
        int[] newAheadAt = Arrays.copyOf(aheadAt, n);
        paths = newPaths;
        enabled = newEnabled;
        kind = newKind;
        sleep = newSleep;
        slotMask = newSlotMask;
        slotAt = newSlotAt;
        states = newStates;
        ahead = newAhead;
        aheadAt = newAheadAt;
    }

    // ---- checkpoints --------------------------------------------------------------------------------------------

    /** Writes this level's numbers (not its model states) for a checkpoint. */
    void write(DataOutput out) throws IOException {
        out.writeInt(start);
        out.writeInt(size);
        for (int i = 0; i < size; i++) {
            out.writeLong(paths[i]);
            out.writeInt(enabled[i]);
            out.writeByte(kind[i]);
            out.writeInt(sleep[i]);
            out.writeInt(slotMask[i]);
            out.writeInt(slotAt[i]);
        }
        out.writeInt(poolSize);
        for (int i = 0; i < poolSize; i++) {
            out.writeLong(pool[i]);
        }
    }

    /** Replaces this level with one {@link #write} wrote; its model states are to be put back with {@link #keep}. */
    void read(DataInput in) throws IOException {
        reset(in.readInt());
        int n = in.readInt();
        while (paths.length < n) {
            grow();
        }
        for (int i = 0; i < n; i++) {
            paths[i] = in.readLong();
            enabled[i] = in.readInt();
            kind[i] = in.readByte();
            sleep[i] = in.readInt();
            slotMask[i] = in.readInt();
            slotAt[i] = in.readInt();
        }
        size = n;
        poolSize = in.readInt();
        pool = new long[Math.max(64, poolSize)];
        for (int i = 0; i < poolSize; i++) {
            pool[i] = in.readLong();
        }
    }

    /** Puts back the model state of position {@code i}. */
    void keep(int i, S state) {
        states[i] = state;
    }
}
