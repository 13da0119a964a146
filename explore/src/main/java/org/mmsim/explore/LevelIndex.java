package org.mmsim.explore;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * Fingerprint to position within the BFS level being built, so that a state reached again from another parent
 * of the same level can have its path count added and its sleep set intersected. Open addressing over a
 * {@code long[]} of keys and an {@code int[]} of positions; emptied at every level, so it only ever holds one
 * level's states. Keys follow {@link FingerprintSet#key}.
 */
final class LevelIndex {
    private long[] keys;
    private int[] values;
    private int bits;
    private int size;

    /** An empty index. */
    LevelIndex() {
        bits = 8;
        keys = new long[1 << bits];
        values = new int[1 << bits];
    }

    /** The position stored for {@code fp}, or -1. */
    int get(long fp) {
        long key = FingerprintSet.key(fp);
        int mask = keys.length - 1;
        for (int i = FingerprintSet.home(key, bits); keys[i] != 0; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return values[i];
            }
        }
        return -1;
    }

    /** Stores {@code position} for {@code fp}, which must not be present. */
    void put(long fp, int position) {
        reserve();
        insert(FingerprintSet.key(fp), position);
        size++;
    }

    /** Forgets every entry, keeping the capacity reached. */
    void clear() {
        if (size > 0) {
            Arrays.fill(keys, 0);
            size = 0;
        }
    }

    /** Bytes held by the two arrays. */
    long bytes() {
        return 12L * keys.length;
    }

    private void insert(long key, int position) {
        int mask = keys.length - 1;
        int i = FingerprintSet.home(key, bits);
        while (keys[i] != 0) {
            i = (i + 1) & mask;
        }
        keys[i] = key;
        values[i] = position;
    }

    /**
     * Grows the table now if the next {@link #put} would, so that it allocates nothing; an {@link OutOfMemoryError}
     * here leaves the index as it was.
     */
    void reserve() {
        if (size + 1 > (keys.length >>> 2) * 3) {
            grow();
        }
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        long[] newKeys = new long[oldKeys.length << 1];
        int[] newValues = new int[oldKeys.length << 1];
        bits++;
        keys = newKeys;
        values = newValues;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] != 0) {
                insert(oldKeys[j], oldValues[j]);
            }
        }
    }

    // ---- checkpoints --------------------------------------------------------------------------------------------

    void write(DataOutput out) throws IOException {
        out.writeInt(bits);
        out.writeInt(size);
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0) {
                out.writeLong(keys[i]);
                out.writeInt(values[i]);
            }
        }
    }

    void read(DataInput in) throws IOException {
        bits = in.readInt();
        keys = new long[1 << bits];
        values = new int[1 << bits];
        size = in.readInt();
        for (int n = 0; n < size; n++) {
            insert(in.readLong(), in.readInt());
        }
    }
}
