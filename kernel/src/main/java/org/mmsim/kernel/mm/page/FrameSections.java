package org.mmsim.kernel.mm.page;

import java.util.Arrays;
import org.mmsim.kernel.state.StateHasher;

/**
 * Where {@link PageFrames} keeps the {@code struct page} fields: sections of 16 or 64 frames under a directory of
 * chunks, both created when a frame in them is first written, both shared by a {@link #copy} and its original until
 * one of them writes them, and the incremental fingerprint of every frame ever written.
 *
 * <p>Design notes. Copy-on-write by ownership tokens: each store has an {@code owner} object, renewed on both sides
 * by a copy, and a section or chunk may be written in place only by the store whose token it carries; any other
 * copies it first ({@link #own}). A section shared by two stores therefore belongs to neither and is never written
 * again, so any number of copies may read it at once. The fingerprint is the sum over written frames of one strong
 * hash each; from the first {@link #fingerprint} on, the first write to a frame since the last fingerprint remembers
 * the hash it had, and the next fingerprint adds the difference.
 */
final class FrameSections {
    private static final int PAGE_WORDS = Page.PAGE_WORDS;
    /**
     * Frames per section, at most 64 so that a section's written frames are one word: 64 on a machine of more than
     * 64 Ki frames (a section's arrays then cost under 3 bytes a page), 16 on a smaller one, an explorer's, where a
     * section is copied whenever a step writes it (1 KB).
     */
    private static final int SECTION_SHIFT = 6;
    private static final int SMALL_SECTION_SHIFT = 4;
    private static final int SMALL_MACHINE = 1 << 16;
    /** The most frames tracked as written between two fingerprints; beyond, the next one recomputes the sum. */
    private static final int MAX_DIRTY = 64;
    /**
     * Room for frames on the list when it is first written: a step writes one or two frames, the exit of a process of
     * twelve pages (explore-100k's final step) thirteen.
     */
    private static final int DIRTY_ROOM = 16;
    private static final int[] NO_PFNS = new int[0];
    private static final long[] NO_HASHES = new long[0];
    /** Sections per chunk of the section directory: a chunk covers 1,024 frames (4 MiB). */
    private static final int CHUNK_SHIFT = 4;
    private static final int CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;

    /**
     * One SPARSEMEM-like section: the struct page fields of 2^shift consecutive frames, frame by frame in two arrays,
     * so that copying a section before a write copies two arrays rather than eight: per frame {@value #INTS} ints
     * ({@link #REFCOUNT}, {@link #MAPCOUNT} with the kernel's -1 bias, {@link #FLAGS}, {@link #MAPPING}, and the
     * shadows {@link #WRITER} and {@link #EPOCH}) and {@value #LONGS} longs ({@link #INDEX}, then the content words
     * from {@link #DATA}).
     */
    static final class Section {
        static final int REFCOUNT = 0;
        static final int MAPCOUNT = 1;
        static final int FLAGS = 2;
        static final int MAPPING = 3;
        static final int WRITER = 4;
        static final int EPOCH = 5;
        static final int INTS = 6;
        static final int INDEX = 0;
        static final int DATA = 1;
        static final int LONGS = DATA + PAGE_WORDS;

        /** The machine whose writes may go to this section in place; any other copies it first. */
        final Object owner;
        /** Frame {@code i}'s int field {@code f} is at {@code INTS * i + f}. */
        final int[] ints;
        /** Frame {@code i}'s long field {@code f} (content word {@code w}: {@code DATA + w}) is at {@code LONGS * i + f}. */
        final long[] longs;
        /** Frames ever written, bit {@code pfn & mask}: the frames the fingerprint covers. */
        long written;
        /**
         * Per frame, its {@link #frameHash} as of the last fingerprint of the machine that owned the section then,
         * valid where {@link #hashed} has the frame's bit: a write clears the bit, and only the owner sets it, so a
         * section shared by copies (which nobody writes) carries the hashes its last owner computed. Made at the first
         * fingerprint that covers the section, so that a machine never fingerprinted pays nothing for it (8 bytes a
         * page).
         */
        long[] hash;
        long hashed;
        /**
         * The frames of this section on its owner's list of frames written since the last fingerprint, valid while
         * {@link #dirtyToken} is the owner's current token ({@code FrameSections.dirtyToken}); a copy of the section
         * carries both, as the machine's copy carries the list.
         */
        long dirty;
        Object dirtyToken;

        Section(Object owner, int pages) {
            this.owner = owner;
            ints = new int[INTS * pages];
            longs = new long[LONGS * pages];
            for (int i = 0; i < pages; i++) {
                ints[INTS * i + MAPCOUNT] = -1;
                ints[INTS * i + WRITER] = -1;
            }
        }

        /** A copy of {@code s} that {@code owner} may write. */
        Section(Section s, Object owner) {
            this.owner = owner;
            ints = s.ints.clone();
            longs = s.longs.clone();
            written = s.written;
            hash = s.hash == null ? null : s.hash.clone();
            hashed = s.hashed;
            dirty = s.dirty;
            dirtyToken = s.dirtyToken;
        }

        /** Frame {@code i}'s int field {@code f}. */
        int get(int i, int f) {
            return ints[INTS * i + f];
        }

        void set(int i, int f, int value) {
            ints[INTS * i + f] = value;
        }

        /** Frame {@code i}'s long field {@code f}. */
        long getLong(int i, int f) {
            return longs[LONGS * i + f];
        }

        void setLong(int i, int f, long value) {
            longs[LONGS * i + f] = value;
        }
    }

    /** A directory entry: the sections of 2^CHUNK_SHIFT consecutive sections' frames, copied on write like them. */
    private static final class Chunk {
        final Object owner;
        final Section[] sections;

        Chunk(Object owner, Section[] sections) {
            this.owner = owner;
            this.sections = sections;
        }
    }

    /** log2 of the frames per section, and the mask of a frame's index in its section. */
    private final int shift;
    final int mask;
    /** The chunks that cover frames written so far: grows as higher frames are first written. */
    private Chunk[] dir;
    /**
     * On a small machine (16-frame sections), {@code dir[0].sections}, null while there is no first chunk: kept beside
     * the directory so that a read of one of the first 256 frames (where the allocator hands out its first frames,
     * and all of an explorer's small scenario) takes three dependent loads fewer. A {@code struct page} field is read
     * some 16 times an explored state and written some 15; the shortcut made one-worker searches of explore-100k
     * 1.010-1.065 times as fast. Null on a large machine, whose processes reach far past its first 1,024 frames: there
     * the test cost COW faults of a 262,144-page process 5%.
     */
    private Section[] low;
    /**
     * Who this machine is to its sections and chunks: a fresh object at boot and after every copy, on both sides, so
     * that a copy and its original share every section until one of them writes it ({@link #writable}).
     */
    private Object owner = new Object();
    /**
     * Whether {@link #framesHash} is kept: from the first {@link #fingerprint} on (an explorer's machine), so that a
     * simulation that never fingerprints pays nothing for it.
     */
    private boolean hashing;
    /** The sum of {@link #frameHash} over every frame ever written, as of the last {@link #fingerprint}. */
    private long framesHash;
    /**
     * Frames written since the last fingerprint, each with the hash it had then (0 if never written before). A frame is
     * on the list if its section's {@link Section#dirty} has its bit under the current {@link #dirtyToken}, renewed at
     * every fingerprint (a copy keeps it: both sides carry the list, and each copies a section before writing it).
     */
    private Object dirtyToken = new Object();
    private int[] dirtyPfns = NO_PFNS;
    private long[] dirtyOld = NO_HASHES;
    private int nrDirty;
    /** The section {@link #own} returned last (this machine's own until the next copy), and its number. */
    private Section lastOwned;
    private int lastOwnedSn = -1;
    /** Too many frames were written since the last fingerprint to track: the next one recomputes the sum. */
    private boolean stale;
    /** An empty store for a machine of {@code nrFrames} frames. */
    FrameSections(int nrFrames) {
        this(nrFrames > SMALL_MACHINE ? SECTION_SHIFT : SMALL_SECTION_SHIFT, new Chunk[1]);
    }

    private FrameSections(int shift, Chunk[] dir) {
        this.shift = shift;
        this.mask = (1 << shift) - 1;
        this.dir = dir;
    }

    /** The section of {@code pfn}, to be written: created if missing, copied first if another machine shares it. */
    Section writable(int pfn) {
        Section s = own(pfn >>> shift);
        long bit = 1L << (pfn & mask);
        if (hashing && !stale) {
            noteDirty(s, pfn, bit);
        } else {
            s.hashed &= ~bit;
        }
        s.written |= bit;
        return s;
    }

    /** Remember the hash frame {@code pfn} has before its first write since the last fingerprint. */
    private void noteDirty(Section s, int pfn, long bit) {
        if (s.dirtyToken != dirtyToken) {
            s.dirtyToken = dirtyToken;
            s.dirty = 0;
        } else if ((s.dirty & bit) != 0) {
            return;
        }
        s.dirty |= bit;
        long hadHash = (s.written & bit) == 0 ? 0 : (s.hashed & bit) != 0 ? s.hash[pfn & mask]
                : frameHash(s, pfn, pfn & mask);
        s.hashed &= ~bit;
        if (nrDirty == MAX_DIRTY) {
            stale = true;
            nrDirty = 0;
            return;
        }
        if (nrDirty == dirtyPfns.length) {
            dirtyPfns = Arrays.copyOf(dirtyPfns, Math.max(DIRTY_ROOM, nrDirty * 2));
            dirtyOld = Arrays.copyOf(dirtyOld, Math.max(DIRTY_ROOM, nrDirty * 2));
        }
        dirtyPfns[nrDirty] = pfn;
        dirtyOld[nrDirty++] = hadHash;
    }

    /** Section {@code sn}, this machine's own: created if missing, copied (with its chunk) if shared. */
    private Section own(int sn) {
        if (sn == lastOwnedSn) {
            return lastOwned;
        }
        Section s = ownSlow(sn);
        lastOwnedSn = sn;
        lastOwned = s;
        return s;
    }

    private Section ownSlow(int sn) {
        if (sn >>> CHUNK_SHIFT >= dir.length) {
            dir = Arrays.copyOf(dir, Math.max(dir.length * 2, (sn >>> CHUNK_SHIFT) + 1));
        }
        Chunk chunk = dir[sn >>> CHUNK_SHIFT];
        if (chunk == null) {
            chunk = new Chunk(owner, new Section[1 << CHUNK_SHIFT]);
            dir[sn >>> CHUNK_SHIFT] = chunk;
        } else if (chunk.owner != owner) {
            chunk = new Chunk(owner, chunk.sections.clone());
            dir[sn >>> CHUNK_SHIFT] = chunk;
        }
        if (sn >>> CHUNK_SHIFT == 0 && shift == SMALL_SECTION_SHIFT) { // the shortcut is a small machine's only
            low = chunk.sections;
        }
        Section s = chunk.sections[sn & CHUNK_MASK];
        if (s == null) {
            s = new Section(owner, 1 << shift);
            chunk.sections[sn & CHUNK_MASK] = s;
        } else if (s.owner != owner) {
            s = new Section(s, owner);
            chunk.sections[sn & CHUNK_MASK] = s;
        }
        return s;
    }

    /** The section of {@code pfn}, to be read, or null if no frame of it was ever written. */
    Section readable(int pfn) {
        Section[] l = low;
        int sn = pfn >>> shift;
        if (l != null && sn < l.length) {
            return l[sn];
        }
        int cn = pfn >>> (shift + CHUNK_SHIFT);
        Chunk chunk = cn < dir.length ? dir[cn] : null;
        return chunk == null ? null : chunk.sections[(pfn >>> shift) & CHUNK_MASK];
    }

    /**
     * A fingerprint of every frame ever written, {@code struct page} (refcount, mapcount, flags, mapping, index), data
     * words and writer shadows: the sum of one strong hash per frame, so that it is kept up to date incrementally. The
     * first call computes the sum and switches tracking on: from then on the first write to a frame remembers the hash
     * it had, and the next call adds the difference, so the cost is the frames written since the last call, not the
     * frames that exist.
     */
    long fingerprint() {
        if (!hashing || stale) {
            framesHash = sum(true);
            hashing = true;
            stale = false;
        } else {
            for (int d = 0; d < nrDirty; d++) {
                int pfn = dirtyPfns[d];
                framesHash += settle(readable(pfn), pfn, pfn & mask) - dirtyOld[d];
            }
        }
        nrDirty = 0;
        dirtyToken = new Object();
        return framesHash;
    }

    /**
     * Frame {@code pfn}'s hash, remembered in its section if this machine owns it, so that the frame's next first write
     * does not hash its old contents again; a shared section is only read.
     */
    private long settle(Section s, int pfn, int i) {
        long bit = 1L << i;
        if ((s.hashed & bit) != 0) {
            return s.hash[i];
        }
        long v = frameHash(s, pfn, i);
        if (s.owner == owner) {
            if (s.hash == null) {
                s.hash = new long[s.ints.length / Section.INTS];
            }
            s.hash[i] = v;
            s.hashed |= bit;
        }
        return v;
    }

    /** The sum {@link #fingerprint} keeps, computed afresh from every frame written, changing nothing (tests). */
    long recomputed() {
        return sum(false);
    }

    /** The sum of {@link #frameHash} over every frame ever written, each remembered in its section if told to. */
    private long sum(boolean settle) {
        long sum = 0;
        for (int c = 0; c < dir.length; c++) {
            for (int j = 0; dir[c] != null && j < dir[c].sections.length; j++) {
                Section s = dir[c].sections[j];
                for (long m = s == null ? 0 : s.written; m != 0; m &= m - 1) {
                    int i = Long.numberOfTrailingZeros(m);
                    int pfn = (((c << CHUNK_SHIFT) | j) << shift) | i;
                    sum += settle ? settle(s, pfn, i) : frameHash(s, pfn, i);
                }
            }
        }
        return sum;
    }

    private static long frameHash(Section s, int pfn, int i) {
        // two lanes of rounds over the fields, two ints to a word (packed one-to-one), then one finaliser: a frame's
        // hash is taken at every first write since the last fingerprint and again at the fingerprint
        long a = StateHasher.step(StateHasher.LANE, StateHasher.pack(pfn, s.get(i, Section.REFCOUNT)));
        a = StateHasher.step(a, StateHasher.pack(s.get(i, Section.MAPCOUNT), s.get(i, Section.FLAGS)));
        a = StateHasher.step(a, s.getLong(i, Section.INDEX));
        long b = StateHasher.step(StateHasher.LANE + 1, StateHasher.pack(s.get(i, Section.MAPPING), s.get(i, Section.WRITER)));
        b = StateHasher.step(b, s.get(i, Section.EPOCH));
        for (int w = 0; w < PAGE_WORDS; w++) {
            if ((w & 1) == 0) {
                a = StateHasher.step(a, s.getLong(i, Section.DATA + w));
            } else {
                b = StateHasher.step(b, s.getLong(i, Section.DATA + w));
            }
        }
        return StateHasher.join(a, b);
    }

    /**
     * A store that shares every chunk and section with this one; both get a new owner, so whichever writes a section
     * first copies it. The dirty list is carried, so both settle the same frames. With {@code branch}, a copy that is
     * dropped before this store is written again ({@code Copier.branch}): this store keeps its owner, so the sections
     * and chunks it owns stay its own to write in place, and only the copy, with a new owner, copies what it writes.
     */
    FrameSections copy(boolean branch) {
        FrameSections f = new FrameSections(shift, dir.clone());
        f.low = low;
        if (!branch) {
            owner = new Object();
            lastOwnedSn = -1;
            lastOwned = null;
        }
        f.hashing = hashing;
        f.stale = stale;
        f.framesHash = framesHash;
        // a copy is mostly made just after a fingerprint, with nothing on the list: its arrays come with its first write
        f.dirtyPfns = nrDirty == 0 ? NO_PFNS : Arrays.copyOf(dirtyPfns, nrDirty);
        f.dirtyOld = nrDirty == 0 ? NO_HASHES : Arrays.copyOf(dirtyOld, nrDirty);
        f.nrDirty = nrDirty;
        f.dirtyToken = dirtyToken;
        return f;
    }
}
