package org.mmsim.explore;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
/**
 * The visited set: 64-bit state fingerprints in one open-addressing {@code long[]} with linear probing, as TLC's
 * in-memory FPSets keep them. No state is stored, only its fingerprint. The table holds at most three quarters of its
 * slots and grows by half when it is that full, so a state costs 8 bytes divided by the load factor, between 3/4 and
 * 1/2: 10.7 to 16 bytes. (Doubling would let the load fall to 3/8, 21 bytes.) Any capacity is allowed: a fingerprint's
 * home slot is its Fibonacci hash scaled to the capacity ({@code (h * capacity) >>> 32}, Lemire's fast range), so a
 * model whose fingerprints are weak in their low bits still spreads well.
 *
 * <p>Slot value 0 means empty. A real fingerprint 0 is stored as {@link #ZERO_STANDIN}, so 0 and that constant
 * are the same fingerprint to this set (one more collision in 2^64).
 */
final class FingerprintSet {
    /** Stands for fingerprint 0, which marks an empty slot. */
    static final long ZERO_STANDIN = 0x9E3779B97F4A7C15L;

    /** The largest table, in slots (8 GiB). */
    private static final int MAX_CAPACITY = 1 << 30;

    /** The most fingerprints the largest table holds (three quarters of it). */
    static final long MAX_SIZE = (long) MAX_CAPACITY / 4 * 3;

    private long[] table;
    private long size;

    /** An empty set with room for about 768 fingerprints before it grows. */
    FingerprintSet() {
        this(10);
    }

    /** An empty set of 2^{@code bits} slots. */
    FingerprintSet(int bits) {
        if (bits < 1 || bits > 30) {
            throw new IllegalArgumentException("bits must be in 1..30: " + bits);
        }
        this.table = new long[1 << bits];
    }

    /** The key stored for fingerprint {@code fp}: never 0. */
    static long key(long fp) {
        return fp == 0 ? ZERO_STANDIN : fp;
    }

    /** The home slot of {@code key} in a table of 2^{@code bits} slots (the level index's tables). */
    static int home(long key, int bits) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> (64 - bits));
    }

    /** The home slot of {@code key} in a table of {@code capacity} slots. */
    static int slot(long key, int capacity) {
        return (int) ((((key * 0x9E3779B97F4A7C15L) >>> 32) * capacity) >>> 32);
    }

    /**
     * Adds {@code fp}; true if it was not there before.
     *
     * @throws IllegalStateException if the set already holds {@link #MAX_SIZE} fingerprints
     */
    boolean add(long fp) {
        long key = key(fp);
        int n = table.length;
        int i = slot(key, n);
        for (long k; (k = table[i]) != 0; i = i + 1 == n ? 0 : i + 1) {
            if (k == key) {
                return false;
            }
        }
        if (size == MAX_SIZE) {
            throw new IllegalStateException("fingerprint set full: " + size + " fingerprints");
        }
        table[i] = key;
        if (mustGrowAt(++size)) {
            grow();
        }
        return true;
    }

    /**
     * Grows the table now if adding one more fingerprint would, so that the next {@link #add} allocates nothing; an
     * {@link OutOfMemoryError} here leaves the set as it was.
     */
    void reserve() {
        if (mustGrowAt(size + 1)) {
            grow();
        }
    }

    /** Whether a set of {@code n} fingerprints fills the table past three quarters (and it may still grow). */
    private boolean mustGrowAt(long n) {
        return n > (long) table.length / 4 * 3 && table.length < MAX_CAPACITY;
    }

    /**
     * Whether {@code fp} was added. Workers ask it while the search's own thread adds (as a hint, {@code Expander}):
     * it reads one table from start to end, which is never fuller than three quarters, so it always returns, and at
     * worst misses a fingerprint added meanwhile.
     */
    boolean contains(long fp) {
        long key = key(fp);
        long[] t = table;
        int n = t.length;
        for (int i = slot(key, n); t[i] != 0; i = i + 1 == n ? 0 : i + 1) {
            if (t[i] == key) {
                return true;
            }
        }
        return false;
    }

    /** The word in {@code fp}'s home slot: a read that brings the slot into the cache ahead of {@link #contains}. */
    long peek(long fp) {
        long[] t = table;
        return t[slot(key(fp), t.length)];
    }

    /** How many distinct fingerprints were added. */
    long size() {
        return size;
    }

    /** Bytes held by the table. */
    long bytes() {
        return 8L * table.length;
    }

    /** Moves every fingerprint to a table half as large again, filled before it replaces the old one. */
    private void grow() {
        long[] old = table;
        long[] t = new long[(int) Math.min(MAX_CAPACITY, old.length + (long) Math.max(old.length >> 1, 1))];
        for (long key : old) {
            if (key != 0) {
                insert(t, key);
            }
        }
        table = t;
    }

    private static void insert(long[] t, long key) {
        int n = t.length;
        int i = slot(key, n);
        while (t[i] != 0) {
            i = i + 1 == n ? 0 : i + 1;
        }
        t[i] = key;
    }

    // ---- checkpoints --------------------------------------------------------------------------------------------

    void write(DataOutput out) throws IOException {
        out.writeInt(table.length);
        out.writeLong(size);
        for (long key : table) {
            if (key != 0) {
                out.writeLong(key);
            }
        }
    }

    /** Replaces this set's contents with those {@link #write} wrote. */
    void read(DataInput in) throws IOException {
        int capacity = in.readInt();
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IOException("bad visited-set capacity " + capacity);
        }
        long[] t = new long[capacity];
        size = in.readLong();
        for (long n = 0; n < size; n++) {
            insert(t, in.readLong());
        }
        table = t;
    }
}
