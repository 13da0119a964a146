package org.mmsim.kernel.testing;

import org.assertj.core.api.AbstractAssert;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.page.PageFrames;
import org.mmsim.kernel.mm.page.Zone;
import org.mmsim.kernel.mm.rmap.Rmap;

/** AssertJ assertions on one frame's {@code struct page}: counters, flags and content. */
public final class PageAssert extends AbstractAssert<PageAssert, Integer> {
    private final Kernel kernel;

    PageAssert(Kernel kernel, int pfn) {
        super(pfn, PageAssert.class);
        this.kernel = kernel;
    }

    private PageFrames frames() {
        return kernel.frames();
    }

    private String describePage() {
        return String.format("pfn %d [ref %d, map %d, flags %s]", actual, frames().refcount(actual),
                frames().mapcount(actual), PageFlags.describe(frames().flags(actual)));
    }

    /** {@code page_ref_count() == expected}. */
    public PageAssert hasRefcount(int expected) {
        int ref = frames().refcount(actual);
        if (ref != expected) {
            failWithMessage("expected refcount %d but %s", expected, describePage());
        }
        return this;
    }

    /** {@code page_mapcount() == expected}. */
    public PageAssert hasMapcount(int expected) {
        int map = frames().mapcount(actual);
        if (map != expected) {
            failWithMessage("expected mapcount %d but %s", expected, describePage());
        }
        return this;
    }

    /** {@code page_maybe_dma_pinned()}: refcount at least {@link Rmap#GUP_PIN_COUNTING_BIAS}. */
    public PageAssert isMaybeDmaPinned() {
        if (frames().refcount(actual) < Rmap.GUP_PIN_COUNTING_BIAS) {
            failWithMessage("expected a maybe-DMA-pinned page but %s", describePage());
        }
        return this;
    }

    public PageAssert isAnon() {
        return hasFlag(PageFlags.PG_ANON, "anon");
    }

    public PageAssert isAnonExclusive() {
        isAnon();
        return hasFlag(PageFlags.PG_ANON_EXCLUSIVE, "anon_exclusive");
    }

    public PageAssert isNotAnonExclusive() {
        if (frames().test(actual, PageFlags.PG_ANON_EXCLUSIVE)) {
            failWithMessage("expected a page that is not anon_exclusive but %s", describePage());
        }
        return this;
    }

    /** Anon-exclusive if {@code exclusive}, else not. */
    public PageAssert hasAnonExclusive(boolean exclusive) {
        return exclusive ? isAnonExclusive() : isNotAnonExclusive();
    }

    /** {@code PageAnon()} is false: a page-cache (or shmem) page. */
    public PageAssert isNotAnon() {
        if (frames().test(actual, PageFlags.PG_ANON)) {
            failWithMessage("expected a page that is not anon but %s", describePage());
        }
        return this;
    }

    /** {@code PG_dirty} set. */
    public PageAssert isDirty() {
        return hasFlag(PageFlags.PG_DIRTY, "dirty");
    }

    /** {@code PG_dirty} clear. */
    public PageAssert isClean() {
        if (frames().test(actual, PageFlags.PG_DIRTY)) {
            failWithMessage("expected a clean page but %s", describePage());
        }
        return this;
    }

    /** {@code PG_referenced} set (a GUP with FOLL_TOUCH, a read through the page cache). */
    public PageAssert isReferenced() {
        return hasFlag(PageFlags.PG_REFERENCED, "referenced");
    }

    /** {@code PG_referenced} clear. */
    public PageAssert isNotReferenced() {
        if (frames().test(actual, PageFlags.PG_REFERENCED)) {
            failWithMessage("expected a page without referenced but %s", describePage());
        }
        return this;
    }

    /** {@code PG_swapbacked}: anon or shmem. */
    public PageAssert isSwapBacked() {
        return hasFlag(PageFlags.PG_SWAPBACKED, "swapbacked");
    }

    /** The frame belongs to {@code zone}. */
    public PageAssert isInZone(Zone zone) {
        Zone z = kernel.pageAlloc().zoneOf(actual);
        if (z != zone) {
            failWithMessage("expected pfn %d in ZONE_%s but it is in %s", actual, zone,
                    z == null ? "no zone" : "ZONE_" + z);
        }
        return this;
    }

    /** Back in the allocator: no reference, no mapping, no flags. */
    public PageAssert isFree() {
        if (frames().refcount(actual) != 0 || frames().mapcount(actual) != 0 || frames().flags(actual) != 0) {
            failWithMessage("expected a free frame but %s", describePage());
        }
        return this;
    }

    /** Content word {@code word} holds {@code value}. */
    public PageAssert holds(int word, long value) {
        long w = frames().word(actual, word);
        if (w != value) {
            failWithMessage("expected word %d of pfn %d to be %d but was %d", word, actual, value, w);
        }
        return this;
    }

    private PageAssert hasFlag(int flag, String name) {
        if (!frames().test(actual, flag)) {
            failWithMessage("expected a page with %s set but %s", name, describePage());
        }
        return this;
    }
}
