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
 *
 * <p>The table is built when it is first asked: until then {@link #put} only appends the key to a list, in the order
 * the level's states are found. The search asks only for a child the visited set already holds (one it cannot have
 * met before is in no level), so a level in which no state is reached twice, as in a search shaped like a tree
 * (explore-100k, explore-1m), never builds its table: each of its states costs an append instead of a probe of a
 * table as large as the level. A level that does build it inserts the list in order first, into a table as large as
 * the puts would have grown, which then maps each fingerprint to the position they would have given it.
 */
final class LevelIndex {
    private long[] keys;
    private int[] values;
    private int bits;
    private int size;
    /** Whether the table holds every pair put since the last {@link #clear}; if not, they are in the list. */
    private boolean built;
    /**
     * The keys put while the table was not built, in the order they were put: a key's position is its place here, since
     * a level's states are put in the order of their positions ({@link #put}).
     */
    private long[] listedKeys = new long[64];
    private int listed;

    /** An empty index. */
    LevelIndex() {
        bits = 8;
        keys = new long[1 << bits];
        values = new int[1 << bits];
    }

    /** The position stored for {@code fp}, or -1. */
    int get(long fp) {
        build();
        long key = FingerprintSet.key(fp);
        int mask = keys.length - 1;
        for (int i = FingerprintSet.home(key, bits); keys[i] != 0; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return values[i];
            }
        }
        return -1;
    }

    /**
     * Stores {@code position} for {@code fp}, which must not be present. Positions are put in order, from 0 after each
     * {@link #clear}, as a level numbers its states: so the list keeps keys alone, and a level of new states writes
     * one array instead of two.
     *
     * @throws IllegalArgumentException if {@code position} is not the number of pairs put since the last clear
     */
    void put(long fp, int position) {
        reserve();
        if (position != (built ? size : listed)) {
            throw new IllegalArgumentException("position " + position + " put as the level index's pair "
                    + (built ? size : listed));
        }
        if (built) {
            insert(FingerprintSet.key(fp), position);
            size++;
        } else {
            listedKeys[listed++] = FingerprintSet.key(fp);
        }
    }

    /**
     * Moves the listed pairs into the table, in the order they were put, and keeps it built until {@link #clear}. The
     * table is grown first to the size the puts would have grown it to, so that an {@link OutOfMemoryError} here
     * leaves the index as it was.
     */
    void build() {
        if (built) {
            return;
        }
        int need = bits;
        while (listed > ((1 << need) >>> 2) * 3) {
            need++;
        }
        if (need != bits) {
            long[] newKeys = new long[1 << need];
            int[] newValues = new int[1 << need];
            keys = newKeys;
            values = newValues;
            bits = need;
        }
        for (int i = 0; i < listed; i++) {
            insert(listedKeys[i], i);
        }
        size = listed;
        listed = 0;
        built = true;
    }

    /** Forgets every entry, keeping the capacity reached. */
    void clear() {
        if (size > 0) {
            Arrays.fill(keys, 0);
            size = 0;
        }
        listed = 0;
        built = false;
    }

    /** Bytes held by the table and the list. */
    long bytes() {
        return 12L * keys.length + 8L * listedKeys.length;
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
     * Grows the table, or the list while the table is not built, now if the next {@link #put} would, so that it
     * allocates nothing; an {@link OutOfMemoryError} here leaves the index as it was.
     */
    void reserve() {
        if (built) {
            reserveTable();
        } else if (listed == listedKeys.length) {
            listedKeys = Arrays.copyOf(listedKeys, 2 * listed);
        }
    }

    private void reserveTable() {
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
        build();
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
        built = true;
        listed = 0;
        bits = in.readInt();
        keys = new long[1 << bits];
        values = new int[1 << bits];
        size = in.readInt();
        for (int n = 0; n < size; n++) {
            insert(in.readLong(), in.readInt());
        }
    }
}
