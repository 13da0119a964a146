package org.mmsim.kernel.mm.page;

import java.util.Arrays;
import org.mmsim.kernel.state.Footprint;
import org.mmsim.kernel.trace.Change;
import org.mmsim.kernel.trace.Tracer;

/**
 * {@code mem_map}: the {@code struct page} of every physical frame, kept the way the kernel keeps it: one slot
 * per PFN, fields in primitive arrays. Arrays are grouped in sections of {@value #SECTION_PAGES} frames that
 * are created when a frame in them is first allocated (as SPARSEMEM creates {@code mem_section}s), so a
 * scenario with a handful of pages stays small and a process with a million pages costs about 40 bytes a page.
 *
 * <p>Fields per frame: {@code _refcount}; {@code _mapcount} (stored with the kernel's -1 bias: an unmapped
 * page stores -1, {@link #mapcount} returns the unbiased {@code page_mapcount()}); {@code flags}
 * ({@link PageFlags}); {@code mapping} (the id of the page's anon_vma, 0 if none) and {@code index} (for anon
 * pages the {@code linear_page_index}, i.e. the virtual page number at first fault); {@value Page#PAGE_WORDS}
 * 64-bit content words (the first {@value Page#PAGE_WORDS} words of the page's data, enough to detect leaks and
 * lost writes); and two shadow fields that are not in the kernel: the mm that last stored into the page from
 * user space and when, used by the isolation invariant.
 *
 * <p>Every setter reports the change to the kernel's {@link Tracer} when a journal is attached.
 */
public final class PageFrames {
    private static final int PAGE_WORDS = Page.PAGE_WORDS;
    static final int SECTION_SHIFT = 9;
    static final int SECTION_PAGES = 1 << SECTION_SHIFT;
    private static final int SECTION_MASK = SECTION_PAGES - 1;

    /** One SPARSEMEM-like section: the struct page fields of SECTION_PAGES consecutive frames. */
    private static final class Section {
        final int[] refcount = new int[SECTION_PAGES];
        final int[] mapcount = new int[SECTION_PAGES];
        final int[] flags = new int[SECTION_PAGES];
        final int[] mapping = new int[SECTION_PAGES];
        final long[] index = new long[SECTION_PAGES];
        final long[] data = new long[SECTION_PAGES * PAGE_WORDS];
        final int[] writer = new int[SECTION_PAGES];
        final int[] writeTime = new int[SECTION_PAGES];

        Section() {
            Arrays.fill(mapcount, -1);
            Arrays.fill(writer, -1);
        }
    }

    private final int nrFrames;
    private Section[] sections;
    private final Tracer trace;
    /** The kernel's footprint accumulator: every section access below records the frame's bit. */
    private final Footprint footprint;

    public PageFrames(int nrFrames, Tracer trace, Footprint footprint) {
        if (nrFrames <= 0) {
            throw new IllegalArgumentException("nrFrames must be positive: " + nrFrames);
        }
        this.nrFrames = nrFrames;
        this.trace = trace;
        this.footprint = footprint;
        this.sections = new Section[(nrFrames + SECTION_PAGES - 1) >>> SECTION_SHIFT];
    }

    /** The footprint accumulator frame accesses record into. */
    public Footprint footprint() {
        return footprint;
    }

    /** Number of physical frames, including reserved ones. */
    public int nrFrames() {
        return nrFrames;
    }

    private Section sec(int pfn) {
        footprint.page(pfn);
        Section s = sections[pfn >>> SECTION_SHIFT];
        if (s == null) {
            s = new Section();
            sections[pfn >>> SECTION_SHIFT] = s;
        }
        return s;
    }

    private Section peek(int pfn) {
        if (pfn < 0 || pfn >= nrFrames) {
            throw new IllegalArgumentException("pfn out of range: " + pfn);
        }
        footprint.page(pfn);
        return sections[pfn >>> SECTION_SHIFT];
    }

    /** {@code page_ref_count(page)}. */
    public int refcount(int pfn) {
        Section s = peek(pfn);
        return s == null ? 0 : s.refcount[pfn & SECTION_MASK];
    }

    /** {@code page_mapcount(page)}: the number of ptes that map the page. */
    public int mapcount(int pfn) {
        Section s = peek(pfn);
        return s == null ? 0 : s.mapcount[pfn & SECTION_MASK] + 1;
    }

    public int flags(int pfn) {
        Section s = peek(pfn);
        return s == null ? 0 : s.flags[pfn & SECTION_MASK];
    }

    public boolean test(int pfn, int flag) {
        return (flags(pfn) & flag) != 0;
    }

    /** The id of the page's anon_vma (anon pages), or 0. */
    public int mapping(int pfn) {
        Section s = peek(pfn);
        return s == null ? 0 : s.mapping[pfn & SECTION_MASK];
    }

    public long index(int pfn) {
        Section s = peek(pfn);
        return s == null ? 0 : s.index[pfn & SECTION_MASK];
    }

    /** Content word {@code word} (0..PAGE_WORDS-1) of the page. */
    public long word(int pfn, int word) {
        Section s = peek(pfn);
        return s == null ? 0 : s.data[((pfn & SECTION_MASK) * PAGE_WORDS) + word];
    }

    /** Shadow: the id of the mm that last stored into this page from user space, or -1. */
    public int writer(int pfn) {
        Section s = peek(pfn);
        return s == null ? -1 : s.writer[pfn & SECTION_MASK];
    }

    /** Shadow: the kernel event time of that store. */
    public int writeTime(int pfn) {
        Section s = peek(pfn);
        return s == null ? 0 : s.writeTime[pfn & SECTION_MASK];
    }

    /** {@code set_page_count()}: only the allocator and migration set the count; everyone else takes references. */
    public void setRefcount(int pfn, int value) {
        Section s = sec(pfn);
        int i = pfn & SECTION_MASK;
        int old = s.refcount[i];
        s.refcount[i] = value;
        if (trace.on()) {
            trace.record(new Change.PageField(pfn, Change.Field.REFCOUNT, 0, old, value));
        }
    }

    /** Set {@code page_mapcount()} (stored with the kernel's -1 bias). */
    public void setMapcount(int pfn, int mapcount) {
        Section s = sec(pfn);
        int i = pfn & SECTION_MASK;
        int old = s.mapcount[i] + 1;
        s.mapcount[i] = mapcount - 1;
        if (trace.on()) {
            trace.record(new Change.PageField(pfn, Change.Field.MAPCOUNT, 0, old, mapcount));
        }
    }

    public void setFlags(int pfn, int value) {
        Section s = sec(pfn);
        int i = pfn & SECTION_MASK;
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
        int i = pfn & SECTION_MASK;
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
        int i = ((pfn & SECTION_MASK) * PAGE_WORDS) + word;
        long old = s.data[i];
        s.data[i] = value;
        if (old != value && trace.on()) {
            trace.record(new Change.PageField(pfn, Change.Field.DATA, word, old, value));
        }
    }

    /** Shadow: mm {@code mmId} stored into the page from user space at event time {@code time}. */
    public void setWriter(int pfn, int mmId, int time) {
        Section s = sec(pfn);
        s.writer[pfn & SECTION_MASK] = mmId;
        s.writeTime[pfn & SECTION_MASK] = time;
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
            setWriter(to, writer(from), writeTime(from));
        } else {
            setWriter(to, -1, 0);
        }
    }

    /**
     * Feed frame {@code pfn}'s {@code struct page} to a fingerprint: refcount, mapcount, flags, mapping, index, every
     * data word and the writer shadows.
     */
    public void hashFrame(org.mmsim.kernel.state.StateHasher h, int pfn) {
        h.add(pfn).add(refcount(pfn)).add(mapcount(pfn)).add(flags(pfn)).add(mapping(pfn)).add(index(pfn));
        for (int w = 0; w < PAGE_WORDS; w++) {
            h.add(word(pfn, w));
        }
        h.add(writer(pfn)).add(writeTime(pfn));
    }

    /** Reset a frame's struct page to the state of a freshly allocated, zeroed page with one reference. */
    void prepNew(int pfn) {
        Section s = sec(pfn);
        int i = pfn & SECTION_MASK;
        setRefcount(pfn, 1);
        s.mapcount[i] = -1;
        s.flags[i] = 0;
        s.mapping[i] = 0;
        s.index[i] = 0;
        for (int w = 0; w < PAGE_WORDS; w++) {
            s.data[i * PAGE_WORDS + w] = 0;
        }
        s.writer[i] = -1;
        s.writeTime[i] = 0;
    }
}
