package org.mmsim.kernel.mm.page;

import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.state.Footprint;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.trace.Change;
import org.mmsim.kernel.trace.Tracer;

/**
 * {@code mem_map}: the {@code struct page} of every physical frame, kept the way the kernel keeps it: one slot
 * per PFN, fields in primitive arrays. Arrays are grouped in sections of 16 or 64 frames that
 * are created when a frame in them is first allocated (as SPARSEMEM creates {@code mem_section}s), so a
 * scenario with a handful of pages stays small and a process with a million pages costs about 60 bytes a page.
 * Sections hang off a directory of chunks; a {@link #copy} shares both and copies a section (1 or 3.5 KB) or chunk
 * only when one side writes it ({@link FrameSections}), so an explorer's copy of the machine costs what a step touches.
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
public final class PageFrames extends StateObject {
    private static final int PAGE_WORDS = Page.PAGE_WORDS;

    private final int nrFrames;
    /** The fields, in copy-on-write sections. */
    private FrameSections store;
    private final Tracer trace;
    /** The kernel's footprint accumulator: every section access below records the frame's bit. */
    private final Footprint footprint;
    /** What the accounting invariant needs to know of the frames written since it last ran. */
    private final AccountingLedger ledger;

    public PageFrames(int nrFrames, Tracer trace, Footprint footprint) {
        this(nrFrames, trace, footprint, new AccountingLedger());
        if (nrFrames <= 0) {
            throw new IllegalArgumentException("nrFrames must be positive: " + nrFrames);
        }
        this.store = new FrameSections(nrFrames);
    }

    /** Without a store: {@link #copy} gives it its original's, shared. */
    private PageFrames(int nrFrames, Tracer trace, Footprint footprint, AccountingLedger ledger) {
        this.nrFrames = nrFrames;
        this.trace = trace;
        this.footprint = footprint;
        this.ledger = ledger;
    }

    /** What changed since the accounting invariant last ran: written here, and by every pte write. */
    public AccountingLedger ledger() {
        return ledger;
    }

    /** The footprint accumulator frame accesses record into. */
    public Footprint footprint() {
        return footprint;
    }

    /** Number of physical frames, including reserved ones. */
    public int nrFrames() {
        return nrFrames;
    }

    /** The section of {@code pfn}, to be written (see {@link FrameSections#writable}); every write comes through here. */
    private FrameSections.Section sec(int pfn) {
        checkPfn(pfn);
        footprint.page(pfn);
        if (!ledger.noted(pfn)) {
            FrameSections.Section s = store.readable(pfn);
            int i = pfn & store.mask;
            ledger.noteFrame(pfn, s == null ? 0 : s.get(i, FrameSections.Section.REFCOUNT),
                    s == null ? -1 : s.get(i, FrameSections.Section.MAPCOUNT),
                    s == null ? 0 : s.get(i, FrameSections.Section.FLAGS));
        }
        return store.writable(pfn);
    }

    /** The section of {@code pfn}, to be read, or null if none of its frames was written. */
    private FrameSections.Section peek(int pfn) {
        checkPfn(pfn);
        footprint.page(pfn);
        return store.readable(pfn);
    }

    private void checkPfn(int pfn) {
        if (pfn < 0 || pfn >= nrFrames) {
            throw outOfRange(pfn);
        }
    }

    /** Apart from {@link #checkPfn}, so that the message's concatenation does not keep the check from being inlined. */
    private static IllegalArgumentException outOfRange(int pfn) {
        return new IllegalArgumentException("pfn out of range: " + pfn);
    }

    /** {@code page_ref_count(page)}. */
    public int refcount(int pfn) {
        FrameSections.Section s = peek(pfn);
        return s == null ? 0 : s.get(pfn & store.mask, FrameSections.Section.REFCOUNT);
    }

    /** {@code page_mapcount(page)}: the number of ptes that map the page. */
    public int mapcount(int pfn) {
        FrameSections.Section s = peek(pfn);
        return s == null ? 0 : s.get(pfn & store.mask, FrameSections.Section.MAPCOUNT) + 1;
    }

    /**
     * {@link #refcount}, {@link #mapcount} and {@link #flags} of {@code pfn} into {@code into[0..2]}, with one lookup
     * of its section: for the checks that read all three of every frame after every step.
     */
    public void counts(int pfn, int[] into) {
        FrameSections.Section s = peek(pfn);
        if (s == null) {
            into[0] = 0;
            into[1] = 0;
            into[2] = 0;
            return;
        }
        int i = pfn & store.mask;
        into[0] = s.get(i, FrameSections.Section.REFCOUNT);
        into[1] = s.get(i, FrameSections.Section.MAPCOUNT) + 1;
        into[2] = s.get(i, FrameSections.Section.FLAGS);
    }

    /**
     * The first frame of [{@code from}, {@code to}) whose refcount is not 0, or -1: a scan that looks each section up
     * once rather than once a frame, for the leak check at the end of every explored execution.
     */
    public int firstReferenced(int from, int to) {
        for (int pfn = from; pfn < to; ) {
            FrameSections.Section s = peek(pfn);
            int sectionEnd = Math.min(to, (pfn | store.mask) + 1);
            for (; pfn < sectionEnd; pfn++) {
                footprint.page(pfn);
                if (s != null && s.get(pfn & store.mask, FrameSections.Section.REFCOUNT) != 0) {
                    return pfn;
                }
            }
        }
        return -1;
    }

    public int flags(int pfn) {
        FrameSections.Section s = peek(pfn);
        return s == null ? 0 : s.get(pfn & store.mask, FrameSections.Section.FLAGS);
    }

    public boolean test(int pfn, int flag) {
        return (flags(pfn) & flag) != 0;
    }

    /** The id of the page's anon_vma (anon pages), or 0. */
    public int mapping(int pfn) {
        FrameSections.Section s = peek(pfn);
        return s == null ? 0 : s.get(pfn & store.mask, FrameSections.Section.MAPPING);
    }

    public long index(int pfn) {
        FrameSections.Section s = peek(pfn);
        return s == null ? 0 : s.getLong(pfn & store.mask, FrameSections.Section.INDEX);
    }

    /** Content word {@code word} (0..PAGE_WORDS-1) of the page. */
    public long word(int pfn, int word) {
        FrameSections.Section s = peek(pfn);
        return s == null ? 0 : s.getLong(pfn & store.mask, FrameSections.Section.DATA + word);
    }

    /** A copy of every content word of the page: what a bio carries to the disk. */
    public long[] words(int pfn) {
        long[] out = new long[PAGE_WORDS];
        for (int w = 0; w < PAGE_WORDS; w++) {
            out[w] = word(pfn, w);
        }
        return out;
    }

    /** Shadow: the id of the mm that last stored into this page from user space, or -1. */
    public int writer(int pfn) {
        FrameSections.Section s = peek(pfn);
        return s == null ? -1 : s.get(pfn & store.mask, FrameSections.Section.WRITER);
    }

    /** Shadow: the writer's epoch at that store (how many forks the writer mm had completed). */
    public int writeEpoch(int pfn) {
        FrameSections.Section s = peek(pfn);
        return s == null ? 0 : s.get(pfn & store.mask, FrameSections.Section.EPOCH);
    }

    /** {@code set_page_count()}: only the allocator and migration set the count; everyone else takes references. */
    public void setRefcount(int pfn, int value) {
        FrameSections.Section s = sec(pfn);
        int i = pfn & store.mask;
        int old = s.get(i, FrameSections.Section.REFCOUNT);
        s.set(i, FrameSections.Section.REFCOUNT, value);
        if (trace.on()) {
            trace.record(new Change.PageField(pfn, Change.Field.REFCOUNT, 0, old, value));
        }
    }

    /**
     * {@code page_ref_add()} or {@code page_ref_sub()} as one read and write of the frame: adds {@code delta} to the
     * refcount if the count is at least {@code min}, and returns the count it had, written or not. {@code min} is the
     * caller's sanity check ({@code VM_BUG_ON_PAGE} in the kernel), which it makes on the value returned: nothing is
     * written when the check fails.
     */
    public int addRefcount(int pfn, int delta, int min) {
        FrameSections.Section s = sec(pfn);
        int i = pfn & store.mask;
        int old = s.get(i, FrameSections.Section.REFCOUNT);
        if (old >= min) {
            s.set(i, FrameSections.Section.REFCOUNT, old + delta);
            if (trace.on()) {
                trace.record(new Change.PageField(pfn, Change.Field.REFCOUNT, 0, old, old + delta));
            }
        }
        return old;
    }

    /**
     * As {@link #addRefcount}, for {@code page_mapcount()}: adds {@code delta} if the mapcount is at least {@code min}
     * ({@code folio_remove_rmap_pte}'s "unmapped more often than mapped" check) and returns the mapcount it had.
     */
    public int addMapcount(int pfn, int delta, int min) {
        FrameSections.Section s = sec(pfn);
        int i = pfn & store.mask;
        int old = s.get(i, FrameSections.Section.MAPCOUNT) + 1;
        if (old >= min) {
            s.set(i, FrameSections.Section.MAPCOUNT, old + delta - 1);
            if (trace.on()) {
                trace.record(new Change.PageField(pfn, Change.Field.MAPCOUNT, 0, old, old + delta));
            }
        }
        return old;
    }

    /**
     * {@link #addMapcount}{@code (pfn, -1, 1)} and then, if it dropped the mapcount, {@link #addRefcount}{@code (pfn,
     * -1, 1)}, in one access to the frame: a zap's {@code folio_remove_rmap_pte} followed at once by the
     * {@code folio_put} of the reference the pte held, with no TLB gather between them. With {@code prepareFree}, a
     * put that drops the last reference also does {@link #freePrepare}'s part in the same access (the caller says
     * whether the page goes back to the allocator at all: a device page goes to its driver).
     *
     * @return the mapcount it had in the low 32 bits and the refcount it had in the high 32 ({@link StateHasher#pack})
     */
    public long unmapAndPut(int pfn, boolean prepareFree) {
        FrameSections.Section s = sec(pfn);
        int i = pfn & store.mask;
        int map = s.get(i, FrameSections.Section.MAPCOUNT) + 1;
        int ref = s.get(i, FrameSections.Section.REFCOUNT);
        if (map >= 1) {
            s.set(i, FrameSections.Section.MAPCOUNT, map - 2);
            if (ref >= 1) {
                s.set(i, FrameSections.Section.REFCOUNT, ref - 1);
            }
            if (trace.on()) {
                trace.record(new Change.PageField(pfn, Change.Field.MAPCOUNT, 0, map, map - 1));
                if (ref >= 1) {
                    trace.record(new Change.PageField(pfn, Change.Field.REFCOUNT, 0, ref, ref - 1));
                }
            }
            if (prepareFree && ref == 1 && map == 1) {
                prepareFree(s, i, pfn);
            }
        }
        return StateHasher.pack(ref, map);
    }

    /** Set {@code page_mapcount()} (stored with the kernel's -1 bias). */
    public void setMapcount(int pfn, int mapcount) {
        FrameSections.Section s = sec(pfn);
        int i = pfn & store.mask;
        int old = s.get(i, FrameSections.Section.MAPCOUNT) + 1;
        s.set(i, FrameSections.Section.MAPCOUNT, mapcount - 1);
        if (trace.on()) {
            trace.record(new Change.PageField(pfn, Change.Field.MAPCOUNT, 0, old, mapcount));
        }
    }

    public void setFlags(int pfn, int value) {
        FrameSections.Section s = sec(pfn);
        int i = pfn & store.mask;
        int old = s.get(i, FrameSections.Section.FLAGS);
        s.set(i, FrameSections.Section.FLAGS, value);
        if (old != value && trace.on()) {
            trace.record(new Change.PageField(pfn, Change.Field.FLAGS, 0, old, value));
        }
    }

    /** Set {@code flag} ({@code SetPageDirty()} and friends). */
    public void set(int pfn, int flag) {
        changeFlags(pfn, flag, 0);
    }

    /** Clear {@code flag}. */
    public void clear(int pfn, int flag) {
        changeFlags(pfn, 0, flag);
    }

    /** The flags with {@code set} set and {@code clear} cleared, in one access of the frame. */
    private void changeFlags(int pfn, int set, int clear) {
        FrameSections.Section s = sec(pfn);
        int i = pfn & store.mask;
        int old = s.get(i, FrameSections.Section.FLAGS);
        int value = (old | set) & ~clear;
        s.set(i, FrameSections.Section.FLAGS, value);
        if (old != value && trace.on()) {
            trace.record(new Change.PageField(pfn, Change.Field.FLAGS, 0, old, value));
        }
    }

    /**
     * What {@code folio_add_new_anon_rmap()} writes of a page it maps for the first time, in one access of the frame:
     * the mapcount, the {@code flags} it sets, and {@code mapping} and {@code index}.
     */
    public void setNewRmap(int pfn, int mapcount, int flags, int mappingId, long index) {
        FrameSections.Section s = sec(pfn);
        int i = pfn & store.mask;
        int oldMapcount = s.get(i, FrameSections.Section.MAPCOUNT) + 1;
        int oldFlags = s.get(i, FrameSections.Section.FLAGS);
        int oldMapping = s.get(i, FrameSections.Section.MAPPING);
        s.set(i, FrameSections.Section.MAPCOUNT, mapcount - 1);
        s.set(i, FrameSections.Section.FLAGS, oldFlags | flags);
        s.set(i, FrameSections.Section.MAPPING, mappingId);
        s.setLong(i, FrameSections.Section.INDEX, index);
        if (trace.on()) {
            trace.record(new Change.PageField(pfn, Change.Field.MAPCOUNT, 0, oldMapcount, mapcount));
            if ((oldFlags | flags) != oldFlags) {
                trace.record(new Change.PageField(pfn, Change.Field.FLAGS, 0, oldFlags, oldFlags | flags));
            }
            if (oldMapping != mappingId) {
                trace.record(new Change.PageField(pfn, Change.Field.MAPPING, 0, oldMapping, mappingId));
            }
        }
    }

    /** {@code page->mapping} (an anon_vma or address_space id) and {@code page->index}. */
    public void setMapping(int pfn, int mappingId, long index) {
        FrameSections.Section s = sec(pfn);
        int i = pfn & store.mask;
        int old = s.get(i, FrameSections.Section.MAPPING);
        s.set(i, FrameSections.Section.MAPPING, mappingId);
        s.setLong(i, FrameSections.Section.INDEX, index);
        if (old != mappingId && trace.on()) {
            trace.record(new Change.PageField(pfn, Change.Field.MAPPING, 0, old, mappingId));
        }
    }

    /**
     * {@code free_pages_prepare()} (mm/page_alloc.c) for a frame whose last reference went, in one access of its
     * {@code struct page}: its check that the page is no longer mapped ({@code free_page_is_bad}), then what it leaves
     * of the page: no flags and no {@code mapping}, and in the model index 0 too. The data stays, as it does in the
     * kernel until the page is next zeroed.
     *
     * @return {@code page_mapcount()}: if it is not 0 the frame is left as it was, for the caller's {@code bad_page()}
     */
    public int freePrepare(int pfn) {
        FrameSections.Section s = sec(pfn);
        int i = pfn & store.mask;
        int mapcount = s.get(i, FrameSections.Section.MAPCOUNT) + 1;
        if (mapcount != 0) {
            return mapcount;
        }
        prepareFree(s, i, pfn);
        return 0;
    }

    /** {@link #freePrepare}'s writes, to frame {@code i} of section {@code s} (frame {@code pfn}), no longer mapped. */
    private void prepareFree(FrameSections.Section s, int i, int pfn) {
        int oldFlags = s.get(i, FrameSections.Section.FLAGS);
        int oldMapping = s.get(i, FrameSections.Section.MAPPING);
        s.set(i, FrameSections.Section.FLAGS, 0);
        s.set(i, FrameSections.Section.MAPPING, 0);
        s.setLong(i, FrameSections.Section.INDEX, 0);
        if (trace.on()) {
            if (oldFlags != 0) {
                trace.record(new Change.PageField(pfn, Change.Field.FLAGS, 0, oldFlags, 0));
            }
            if (oldMapping != 0) {
                trace.record(new Change.PageField(pfn, Change.Field.MAPPING, 0, oldMapping, 0));
            }
        }
    }

    /** Write content word {@code word} of the page. */
    public void setWord(int pfn, int word, long value) {
        FrameSections.Section s = sec(pfn);
        int i = pfn & store.mask;
        long old = s.getLong(i, FrameSections.Section.DATA + word);
        s.setLong(i, FrameSections.Section.DATA + word, value);
        if (old != value && trace.on()) {
            trace.record(new Change.PageField(pfn, Change.Field.DATA, word, old, value));
        }
    }

    /**
     * A word written on behalf of mm {@code mmId} (a store from user space, a write through GUP or {@code /proc}, a
     * device's DMA into a page it pinned): content word {@code word} becomes {@code value} ({@link #setWord}) and the
     * mm, in its epoch {@code time}, the page's last writer ({@link #setWriter}), in one access of the frame.
     */
    public void storeWord(int pfn, int word, long value, int mmId, int time) {
        FrameSections.Section s = sec(pfn);
        int i = pfn & store.mask;
        long old = s.getLong(i, FrameSections.Section.DATA + word);
        s.setLong(i, FrameSections.Section.DATA + word, value);
        s.set(i, FrameSections.Section.WRITER, mmId);
        s.set(i, FrameSections.Section.EPOCH, time);
        if (old != value && trace.on()) {
            trace.record(new Change.PageField(pfn, Change.Field.DATA, word, old, value));
        }
    }

    /** Shadow: mm {@code mmId} stored into the page from user space in its epoch {@code time}. */
    public void setWriter(int pfn, int mmId, int time) {
        FrameSections.Section s = sec(pfn);
        s.set(pfn & store.mask, FrameSections.Section.WRITER, mmId);
        s.set(pfn & store.mask, FrameSections.Section.EPOCH, time);
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
     * words and writer shadows, kept incrementally ({@link FrameSections#fingerprint}): its cost is the frames written
     * since the last call, not the frames that exist.
     */
    public long fingerprint() {
        return store.fingerprint();
    }

    /** Reset a frame's struct page to the state of a freshly allocated, zeroed page with one reference. */
    void prepNew(int pfn) {
        FrameSections.Section s = sec(pfn);
        int i = pfn & store.mask;
        int oldRefcount = s.get(i, FrameSections.Section.REFCOUNT);
        s.set(i, FrameSections.Section.REFCOUNT, 1);
        if (trace.on()) {
            trace.record(new Change.PageField(pfn, Change.Field.REFCOUNT, 0, oldRefcount, 1));
        }
        s.set(i, FrameSections.Section.MAPCOUNT, -1);
        s.set(i, FrameSections.Section.FLAGS, 0);
        s.set(i, FrameSections.Section.MAPPING, 0);
        s.setLong(i, FrameSections.Section.INDEX, 0);
        for (int w = 0; w < PAGE_WORDS; w++) {
            s.setLong(i, FrameSections.Section.DATA + w, 0);
        }
        s.set(i, FrameSections.Section.WRITER, -1);
        s.set(i, FrameSections.Section.EPOCH, 0);
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    /**
     * The copy shares every frame's fields with this machine until one of them writes them
     * ({@link FrameSections#copy}); a branch ({@code Copier.branch}) until it writes them, this machine keeping those
     * it owns.
     */
    @Override
    public PageFrames copy(Copier c) {
        PageFrames f = c.pair(this, new PageFrames(nrFrames, c.copy(trace), c.copy(footprint), c.copy(ledger)));
        f.store = store.copy(c.isBranch());
        return f;
    }
}
