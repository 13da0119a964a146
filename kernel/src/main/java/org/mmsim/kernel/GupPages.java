package org.mmsim.kernel;

/**
 * What a {@code get_user_pages*()} / {@code pin_user_pages*()} caller holds afterwards: the {@code pages[]}
 * array with one reference (FOLL_GET) or pin (FOLL_PIN) per page. The kernel keeps no list of these; the model
 * does ({@link Kernel#gupHolders()}) so the accounting invariant can tell who holds each reference.
 */
public final class GupPages {
    private final Mm mm;
    private final long start;
    private final int gupFlags;
    final int[] pfns;
    int nr;
    long ret;
    boolean released;

    GupPages(Mm mm, long start, int nrPages, int gupFlags) {
        this.mm = mm;
        this.start = start;
        this.gupFlags = gupFlags;
        this.pfns = new int[Math.max(nrPages, 0)];
    }

    /** The return value of the GUP call: pages obtained, or -errno if none. */
    public long ret() {
        return ret;
    }

    /** Pages held. */
    public int nr() {
        return nr;
    }

    public int pfn(int i) {
        if (i < 0 || i >= nr) {
            throw new IndexOutOfBoundsException("page " + i + " of " + nr);
        }
        return pfns[i];
    }

    /** The user address page {@code i} was looked up at. */
    public long address(int i) {
        return start + ((long) i << PageTable.PAGE_SHIFT);
    }

    public Mm mm() {
        return mm;
    }

    /** The FOLL_* flags of the call, including the FOLL_GET or FOLL_PIN the wrapper added. */
    public int gupFlags() {
        return gupFlags;
    }

    public boolean pinned() {
        return (gupFlags & Gup.FOLL_PIN) != 0;
    }

    public boolean longterm() {
        return (gupFlags & Gup.FOLL_LONGTERM) != 0;
    }

    public boolean released() {
        return released;
    }
}
