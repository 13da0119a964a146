package org.mmsim.kernel.mm.page;

import java.util.Arrays;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.Copyable;
import org.mmsim.kernel.state.Footprint;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.trace.Change;
import org.mmsim.kernel.trace.Tracer;

/**
 * {@code mem_map}: the {@code struct page} of every physical frame, kept the way the kernel keeps it: one slot
 * per PFN, fields in primitive arrays. Arrays are grouped in sections of 16 or 64 frames that
 * are created when a frame in them is first allocated (as SPARSEMEM creates {@code mem_section}s), so a
 * scenario with a handful of pages stays small and a process with a million pages costs about 60 bytes a page.
 * Sections hang off a directory of chunks; a {@link #copy} shares both and copies a section (3 KB) or chunk only
 * when one side writes it, so an explorer's copy of the machine costs what a step touches.
 *
 * <p>Fields per frame: {@code _refcount}; {@code _mapcount} (stored with the kernel's -1 bias: an unmapped
 * page stores -1, {@link #mapcount} returns the unbiased {@code page_mapcount()}); {@code flags}
 * ({@link PageFlags}); {@code mapping} (the id of the page's anon_vma, 0 if none) and {@code index} (for anon
 * pages the {@code linear_page_index}, i.e. the virtual page number at first fault); {@value Page#PAGE_WORDS}
 * 64-bit content words (the first {@value Page#PAGE_WORDS} words of the page's data, enough to detect leaks and
 * lost writes); and two shadow fields that are not in the kernel: the mm that last stored into the page from
 * user space and in which of its epochs (after how many of its forks), used by the isolation invariant.
 *
 * <p>Every setter reports the change to the kernel's {@link Tracer} when a journal is attached.
 */
public final class PageFrames implements Copyable {
    private static final int PAGE_WORDS = Page.PAGE_WORDS;
    /**
     * Frames per section, at most 64 so that a section's written frames are one word: 64 on a machine of more than
     * 64 Ki frames (a section's arrays then cost under 3 bytes a page), 16 on a smaller one, an explorer's, where a
     * section is copied whenever a step writes it (1 KB).
     */
    static final int SECTION_SHIFT = 6;
    static final int SMALL_SECTION_SHIFT = 4;
    static final int SMALL_MACHINE = 1 << 16;
    /** The most frames tracked as written between two fingerprints; beyond, the next one recomputes the sum. */
    private static final int MAX_DIRTY = 64;
    /** Sections per chunk of the section directory: a chunk covers 1,024 frames (4 MiB). */
    private static final int CHUNK_SHIFT = 4;
    private static final int CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;

    /** One SPARSEMEM-like section: the struct page fields of 2^shift consecutive frames. */
    private static final class Section {
        /** The machine whose writes may go to this section in place; any other copies it first. */
        final Object owner;
        final int[] refcount;
        final int[] mapcount;
        final int[] flags;
        final int[] mapping;
        final long[] index;
        final long[] data;
        final int[] writer;
        final int[] writeEpoch;
        /** Frames ever written, bit {@code pfn & mask}: the frames the fingerprint covers. */
        long written;

        Section(Object owner, int pages) {
            this.owner = owner;
            refcount = new int[pages];
            mapcount = new int[pages];
            flags = new int[pages];
            mapping = new int[pages];
            index = new long[pages];
            data = new long[pages * PAGE_WORDS];
            writer = new int[pages];
            writeEpoch = new int[pages];
            Arrays.fill(mapcount, -1);
            Arrays.fill(writer, -1);
        }

        /** A copy of {@code s} that {@code owner} may write. */
        Section(Section s, Object owner) {
            this.owner = owner;
            refcount = s.refcount.clone();
            mapcount = s.mapcount.clone();
            flags = s.flags.clone();
            mapping = s.mapping.clone();
            index = s.index.clone();
            data = s.data.clone();
            writer = s.writer.clone();
            writeEpoch = s.writeEpoch.clone();
            written = s.written;
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

    private final int nrFrames;
    /** log2 of the frames per section, and the mask of a frame's index in its section. */
    private final int shift;
    private final int mask;
    /** The chunks that cover frames written so far: grows as higher frames are first written. */
    private Chunk[] dir;
    /**
     * Who this machine is to its sections and chunks: a fresh object at boot and after every copy, on both sides, so
     * that a copy and its original share every section until one of them writes it ({@link #sec}).
     */
    private Object owner = new Object();
    /**
     * Whether {@link #framesHash} is kept: from the first {@link #fingerprint} on (an explorer's machine), so that a
     * simulation that never fingerprints pays nothing for it.
     */
    private boolean hashing;
    /** The sum of {@link #frameHash} over every frame ever written, as of the last {@link #fingerprint}. */
    private long framesHash;
    /** Frames written since the last fingerprint, each with the hash it had then (0 if never written before). */
    private int[] dirtyPfns = new int[8];
    private long[] dirtyOld = new long[8];
    private int nrDirty;
    /** The section {@link #own} returned last (this machine's own until the next copy), and its number. */
    private Section lastOwned;
    private int lastOwnedSn = -1;
    /** Too many frames were written since the last fingerprint to track: the next one recomputes the sum. */
    private boolean stale;
    private final Tracer trace;
    /** The kernel's footprint accumulator: every section access below records the frame's bit. */
    private final Footprint footprint;

    public PageFrames(int nrFrames, Tracer trace, Footprint footprint) {
        if (nrFrames <= 0) {
            throw new IllegalArgumentException("nrFrames must be positive: " + nrFrames);
        }
        this.nrFrames = nrFrames;
        this.shift = nrFrames > SMALL_MACHINE ? SECTION_SHIFT : SMALL_SECTION_SHIFT;
        this.mask = (1 << shift) - 1;
        this.trace = trace;
        this.footprint = footprint;
        this.dir = new Chunk[1];
    }

    /** The footprint accumulator frame accesses record into. */
    public Footprint footprint() {
        return footprint;
    }

    /** Number of physical frames, including reserved ones. */
    public int nrFrames() {
        return nrFrames;
    }

    /** The section of {@code pfn}, to be written: created if missing, copied first if another machine shares it. */
    private Section sec(int pfn) {
        footprint.page(pfn);
        Section s = own(pfn >>> shift);
        long bit = 1L << (pfn & mask);
        if (hashing && !stale) {
            noteDirty(s, pfn, bit);
        }
        s.written |= bit;
        return s;
    }

    /** Remember the hash frame {@code pfn} has before its first write since the last fingerprint. */
    private void noteDirty(Section s, int pfn, long bit) {
        for (int d = 0; d < nrDirty; d++) {
            if (dirtyPfns[d] == pfn) {
                return;
            }
        }
        if (nrDirty == MAX_DIRTY) {
            stale = true;
            nrDirty = 0;
            return;
        }
        if (nrDirty == dirtyPfns.length) {
            dirtyPfns = Arrays.copyOf(dirtyPfns, nrDirty * 2);
            dirtyOld = Arrays.copyOf(dirtyOld, nrDirty * 2);
        }
        dirtyPfns[nrDirty] = pfn;
        dirtyOld[nrDirty++] = (s.written & bit) != 0 ? frameHash(s, pfn, pfn & mask) : 0;
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

    private Section peek(int pfn) {
        if (pfn < 0 || pfn >= nrFrames) {
            throw new IllegalArgumentException("pfn out of range: " + pfn);
        }
        footprint.page(pfn);
        int cn = pfn >>> (shift + CHUNK_SHIFT);
        Chunk chunk = cn < dir.length ? dir[cn] : null;
        return chunk == null ? null : chunk.sections[(pfn >>> shift) & CHUNK_MASK];
    }

    /** {@code page_ref_count(page)}. */
    public int refcount(int pfn) {
        Section s = peek(pfn);
        return s == null ? 0 : s.refcount[pfn & mask];
    }

    /** {@code page_mapcount(page)}: the number of ptes that map the page. */
    public int mapcount(int pfn) {
        Section s = peek(pfn);
        return s == null ? 0 : s.mapcount[pfn & mask] + 1;
    }

    public int flags(int pfn) {
        Section s = peek(pfn);
        return s == null ? 0 : s.flags[pfn & mask];
    }

    public boolean test(int pfn, int flag) {
        return (flags(pfn) & flag) != 0;
    }

    /** The id of the page's anon_vma (anon pages), or 0. */
    public int mapping(int pfn) {
        Section s = peek(pfn);
        return s == null ? 0 : s.mapping[pfn & mask];
    }

    public long index(int pfn) {
        Section s = peek(pfn);
        return s == null ? 0 : s.index[pfn & mask];
    }

    /** Content word {@code word} (0..PAGE_WORDS-1) of the page. */
    public long word(int pfn, int word) {
        Section s = peek(pfn);
        return s == null ? 0 : s.data[((pfn & mask) * PAGE_WORDS) + word];
    }

    /** Shadow: the id of the mm that last stored into this page from user space, or -1. */
    public int writer(int pfn) {
        Section s = peek(pfn);
        return s == null ? -1 : s.writer[pfn & mask];
    }

    /** Shadow: the writer's epoch at that store (how many forks the writer mm had completed). */
    public int writeEpoch(int pfn) {
        Section s = peek(pfn);
        return s == null ? 0 : s.writeEpoch[pfn & mask];
    }

    /** {@code set_page_count()}: only the allocator and migration set the count; everyone else takes references. */
    public void setRefcount(int pfn, int value) {
        Section s = sec(pfn);
        int i = pfn & mask;
        int old = s.refcount[i];
        s.refcount[i] = value;
        if (trace.on()) {
            trace.record(new Change.PageField(pfn, Change.Field.REFCOUNT, 0, old, value));
        }
    }

    /** Set {@code page_mapcount()} (stored with the kernel's -1 bias). */
    public void setMapcount(int pfn, int mapcount) {
        Section s = sec(pfn);
        int i = pfn & mask;
        int old = s.mapcount[i] + 1;
        s.mapcount[i] = mapcount - 1;
        if (trace.on()) {
            trace.record(new Change.PageField(pfn, Change.Field.MAPCOUNT, 0, old, mapcount));
        }
    }

    public void setFlags(int pfn, int value) {
        Section s = sec(pfn);
        int i = pfn & mask;
        int old = s.flags[i];
        s.flags[i] = value;
        if (old != value && trace.on()) {
            trace.record(new Change.PageField(pfn, Change.Field.FLAGS, 0, old, value));
        }
    }

    /** Set {@code flag} ({@code SetPageDirty()} and friends). */
    public void set(int pfn, int flag) {
        setFlags(pfn, flags(pfn) | flag);
    }

    /** Clear {@code flag}. */
    public void clear(int pfn, int flag) {
        setFlags(pfn, flags(pfn) & ~flag);
    }

    /** {@code page->mapping} (an anon_vma or address_space id) and {@code page->index}. */
    public void setMapping(int pfn, int mappingId, long index) {
        Section s = sec(pfn);
        int i = pfn & mask;
        int old = s.mapping[i];
        s.mapping[i] = mappingId;
        s.index[i] = index;
        if (old != mappingId && trace.on()) {
            trace.record(new Change.PageField(pfn, Change.Field.MAPPING, 0, old, mappingId));
        }
    }

    /** Write content word {@code word} of the page. */
    public void setWord(int pfn, int word, long value) {
        Section s = sec(pfn);
        int i = ((pfn & mask) * PAGE_WORDS) + word;
        long old = s.data[i];
        s.data[i] = value;
        if (old != value && trace.on()) {
            trace.record(new Change.PageField(pfn, Change.Field.DATA, word, old, value));
        }
    }

    /** Shadow: mm {@code mmId} stored into the page from user space in its epoch {@code time}. */
    public void setWriter(int pfn, int mmId, int time) {
        Section s = sec(pfn);
        s.writer[pfn & mask] = mmId;
        s.writeEpoch[pfn & mask] = time;
    }

    /**
     * {@code copy_user_highpage}: copy the content of {@code from} into {@code to}, with its provenance if it is
     * anonymous data. File data belongs to the file, not to the mm that last wrote it, so a copy of a page-cache
     * page starts without a writer.
     */
    public void copyData(int from, int to) {
        for (int w = 0; w < PAGE_WORDS; w++) {
            setWord(to, w, word(from, w));
        }
        if (test(from, PageFlags.PG_ANON)) {
            setWriter(to, writer(from), writeEpoch(from));
        } else {
            setWriter(to, -1, 0);
        }
    }

    /**
     * A fingerprint of every frame ever written, {@code struct page} (refcount, mapcount, flags, mapping, index), data
     * words and writer shadows: the sum of one strong hash per frame, so that it is kept up to date incrementally. The
     * first call computes the sum and switches tracking on: from then on the first write to a frame remembers the hash
     * it had, and the next call adds the difference, so the cost is the frames written since the last call, not the
     * frames that exist.
     */
    public long fingerprint() {
        if (!hashing || stale) {
            framesHash = 0;
            for (int c = 0; c < dir.length; c++) {
                for (int j = 0; dir[c] != null && j < dir[c].sections.length; j++) {
                    Section s = dir[c].sections[j];
                    for (long m = s == null ? 0 : s.written; m != 0; m &= m - 1) {
                        int i = Long.numberOfTrailingZeros(m);
                        framesHash += frameHash(s, (((c << CHUNK_SHIFT) | j) << shift) | i, i);
                    }
                }
            }
            hashing = true;
            stale = false;
        } else {
            for (int d = 0; d < nrDirty; d++) {
                int pfn = dirtyPfns[d];
                framesHash += frameHash(peek(pfn), pfn, pfn & mask) - dirtyOld[d];
            }
        }
        nrDirty = 0;
        return framesHash;
    }

    private static long frameHash(Section s, int pfn, int i) {
        StateHasher h = new StateHasher().add(pfn).add(s.refcount[i]).add(s.mapcount[i]).add(s.flags[i])
                .add(s.mapping[i]).add(s.index[i]);
        for (int w = 0; w < PAGE_WORDS; w++) {
            h.add(s.data[i * PAGE_WORDS + w]);
        }
        return h.add(s.writer[i]).add(s.writeEpoch[i]).value();
    }

    /** Reset a frame's struct page to the state of a freshly allocated, zeroed page with one reference. */
    void prepNew(int pfn) {
        Section s = sec(pfn);
        int i = pfn & mask;
        setRefcount(pfn, 1);
        s.mapcount[i] = -1;
        s.flags[i] = 0;
        s.mapping[i] = 0;
        s.index[i] = 0;
        for (int w = 0; w < PAGE_WORDS; w++) {
            s.data[i * PAGE_WORDS + w] = 0;
        }
        s.writer[i] = -1;
        s.writeEpoch[i] = 0;
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    /**
     * The copy shares every chunk and section with this machine; both get a new owner, so whichever writes a section
     * first copies it ({@link #sec}). The dirty list is carried, so both settle the same frames.
     */
    @Override
    public PageFrames copy(Copier c) {
        PageFrames f = c.pair(this, new PageFrames(nrFrames, c.copy(trace), c.copy(footprint)));
        f.dir = dir.clone();
        owner = new Object();
        lastOwnedSn = -1;
        lastOwned = null;
        f.hashing = hashing;
        f.stale = stale;
        f.framesHash = framesHash;
        f.dirtyPfns = Arrays.copyOf(dirtyPfns, Math.max(8, nrDirty));
        f.dirtyOld = Arrays.copyOf(dirtyOld, Math.max(8, nrDirty));
        f.nrDirty = nrDirty;
        return f;
    }
}
