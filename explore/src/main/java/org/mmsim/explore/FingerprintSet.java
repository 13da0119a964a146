package org.mmsim.explore;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
/**
 * The visited set: 64-bit state fingerprints in one open-addressing {@code long[]} with linear probing, as TLC's
 * in-memory FPSets keep them. No state is stored, only its fingerprint, so a state costs 8 bytes divided by the
 * load factor (between 3/8 and 3/4 after growth): 11 to 21 bytes.
 *
 * <p>Slot value 0 means empty. A real fingerprint 0 is stored as {@link #ZERO_STANDIN}, so 0 and that constant
 * are the same fingerprint to this set (one more collision in 2^64). Slots are picked by Fibonacci hashing of
 * the fingerprint, so a model whose fingerprints are weak in their low bits still spreads well.
 */
final class FingerprintSet {
    /** Stands for fingerprint 0, which marks an empty slot. */
    static final long ZERO_STANDIN = 0x9E3779B97F4A7C15L;

    private static final int MAX_BITS = 30;

    /** The most fingerprints the largest table holds (three quarters of 2^30 slots, 8 GiB). */
    static final long MAX_SIZE = (1L << MAX_BITS) / 4 * 3;

    private long[] table;
    private int bits;
    private long size;

    /** An empty set with room for about 768 fingerprints before it grows. */
    FingerprintSet() {
        this(10);
    }

    /** An empty set of 2^{@code bits} slots. */
    FingerprintSet(int bits) {
        if (bits < 1 || bits > MAX_BITS) {
            throw new IllegalArgumentException("bits must be in 1.." + MAX_BITS + ": " + bits);
        }
        this.bits = bits;
        this.table = new long[1 << bits];
    }

    /** The key stored for fingerprint {@code fp}: never 0. */
    static long key(long fp) {
        return fp == 0 ? ZERO_STANDIN : fp;
    }

    /** The home slot of {@code key} in a table of 2^{@code bits} slots. */
    static int home(long key, int bits) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> (64 - bits));
    }

    /**
     * Adds {@code fp}; true if it was not there before.
     *
     * @throws IllegalStateException if the set already holds {@link #MAX_SIZE} fingerprints
     */
    boolean add(long fp) {
        long key = key(fp);
        int mask = table.length - 1;
        int i = home(key, bits);
        for (long k; (k = table[i]) != 0; i = (i + 1) & mask) {
            if (k == key) {
                return false;
            }
        }
        if (size == MAX_SIZE) {
            throw new IllegalStateException("fingerprint set full: " + size + " fingerprints");
        }
        table[i] = key;
        if (++size > (table.length >>> 2) * 3L && bits < MAX_BITS) {
            grow();
        }
        return true;
    }

    /** Whether {@code fp} was added. */
    boolean contains(long fp) {
        long key = key(fp);
        int mask = table.length - 1;
        for (int i = home(key, bits); table[i] != 0; i = (i + 1) & mask) {
            if (table[i] == key) {
                return true;
            }
        }
        return false;
    }

    /** How many distinct fingerprints were added. */
    long size() {
        return size;
    }

    /** Bytes held by the table. */
    long bytes() {
        return 8L * table.length;
    }

    private void grow() {
        long[] old = table;
        bits++;
        table = new long[1 << bits];
        int mask = table.length - 1;
        for (long key : old) {
            if (key != 0) {
                int i = home(key, bits);
                while (table[i] != 0) {
                    i = (i + 1) & mask;
                }
                table[i] = key;
            }
        }
    }

    // ---- checkpoints --------------------------------------------------------------------------------------------

    void write(DataOutput out) throws IOException {
        out.writeInt(bits);
        out.writeLong(size);
        for (long key : table) {
            if (key != 0) {
                out.writeLong(key);
            }
        }
    }

    /** Replaces this set's contents with those {@link #write} wrote. */
    void read(DataInput in) throws IOException {
        bits = in.readInt();
        table = new long[1 << bits];
        size = in.readLong();
        int mask = table.length - 1;
        for (long n = 0; n < size; n++) {
            long key = in.readLong();
            int i = home(key, bits);
            while (table[i] != 0) {
                i = (i + 1) & mask;
            }
            table[i] = key;
        }
    }
}
