package org.mmsim.kernel;

import java.util.Arrays;

/**
 * {@code mem_map}: the {@code struct page} of every physical frame, kept the way the kernel keeps it: one slot
 * per PFN, fields in primitive arrays. Arrays are grouped in sections of {@value #SECTION_PAGES} frames that
 * are created when a frame in them is first allocated (as SPARSEMEM creates {@code mem_section}s), so a
 * scenario with a handful of pages stays small and a process with a million pages costs about 40 bytes a page.
 *
 * <p>Fields per frame: {@code _refcount}; {@code _mapcount} (stored with the kernel's -1 bias: an unmapped
 * page stores -1, {@link #mapcount} returns the unbiased {@code page_mapcount()}); {@code flags}
 * ({@link PageFlags}); {@code mapping} (the id of the page's anon_vma, 0 if none) and {@code index} (for anon
 * pages the {@code linear_page_index}, i.e. the virtual page number at first fault); {@value #PAGE_WORDS}
 * 64-bit content words (the first {@value #PAGE_WORDS} words of the page's data, enough to detect leaks and
 * lost writes); and two shadow fields that are not in the kernel: the mm that last stored into the page from
 * user space and when, used by the isolation invariant.
 *
 * <p>Every setter reports the change to the kernel's {@link Journal} when one is attached.
 */
public final class PageFrames {
    /** Simulated content words per page: byte offsets 0..(8 * PAGE_WORDS - 1) of each page are modelled. */
    public static final int PAGE_WORDS = 2;
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
    Journal journal;
    /** The kernel's footprint accumulator: every section access below records the frame's bit. */
    final Footprint footprint;

    PageFrames(int nrFrames, Footprint footprint) {
        if (nrFrames <= 0) {
            throw new IllegalArgumentException("nrFrames must be positive: " + nrFrames);
        }
        this.nrFrames = nrFrames;
        this.footprint = footprint;
        this.sections = new Section[(nrFrames + SECTION_PAGES - 1) >>> SECTION_SHIFT];
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

    void setRefcount(int pfn, int value) {
        Section s = sec(pfn);
        int i = pfn & SECTION_MASK;
        int old = s.refcount[i];
        s.refcount[i] = value;
        if (journal != null) {
            journal.page(pfn, "refcount", old, value);
        }
    }

    void setMapcount(int pfn, int mapcount) {
        Section s = sec(pfn);
        int i = pfn & SECTION_MASK;
        int old = s.mapcount[i] + 1;
        s.mapcount[i] = mapcount - 1;
        if (journal != null) {
            journal.page(pfn, "mapcount", old, mapcount);
        }
    }

    void setFlags(int pfn, int value) {
        Section s = sec(pfn);
        int i = pfn & SECTION_MASK;
        int old = s.flags[i];
        s.flags[i] = value;
        if (journal != null && old != value) {
            journal.page(pfn, "flags", old, value);
        }
    }

    void set(int pfn, int flag) {
        setFlags(pfn, flags(pfn) | flag);
    }

    void clear(int pfn, int flag) {
        setFlags(pfn, flags(pfn) & ~flag);
    }

    void setMapping(int pfn, int anonVmaId, long index) {
        Section s = sec(pfn);
        int i = pfn & SECTION_MASK;
        int old = s.mapping[i];
        s.mapping[i] = anonVmaId;
        s.index[i] = index;
        if (journal != null && old != anonVmaId) {
            journal.page(pfn, "mapping", old, anonVmaId);
        }
    }

    void setWord(int pfn, int word, long value) {
        Section s = sec(pfn);
        int i = ((pfn & SECTION_MASK) * PAGE_WORDS) + word;
        long old = s.data[i];
        s.data[i] = value;
        if (journal != null && old != value) {
            journal.page(pfn, "data[" + word + "]", old, value);
        }
    }

    void setWriter(int pfn, int mmId, int time) {
        Section s = sec(pfn);
        s.writer[pfn & SECTION_MASK] = mmId;
        s.writeTime[pfn & SECTION_MASK] = time;
    }

    /**
     * {@code copy_user_highpage}: copy the content of {@code from} into {@code to}, with its provenance if it is
     * anonymous data. File data belongs to the file, not to the mm that last wrote it, so a copy of a page-cache
     * page starts without a writer.
     */
    void copyData(int from, int to) {
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
     * The modelled word that byte {@code offset} (an address or a file position) falls on.
     *
     * @throws IllegalArgumentException if its offset within the page is not 8-byte aligned or not modelled
     */
    static int wordOf(long offset, String what) {
        long off = offset & (PageTable.PAGE_SIZE - 1);
        if ((off & 7) != 0 || off >= 8L * PAGE_WORDS) {
            throw new IllegalArgumentException(String.format(
                    "%s %#x: only 8-byte aligned offsets below %d within a page are modelled", what, offset,
                    8 * PAGE_WORDS));
        }
        return (int) (off >>> 3);
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
