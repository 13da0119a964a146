package org.mmsim.kernel.mm.gup;

import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;

/**
 * What a {@code get_user_pages*()} / {@code pin_user_pages*()} caller holds afterwards: the {@code pages[]} array with
 * one reference (FOLL_GET) or pin (FOLL_PIN) per page. The kernel keeps no list of these; the model does
 * ({@link GupHolders}) so the accounting invariant can tell who holds each reference, and names each by an id.
 */
@Export
public final class GupPages extends StateObject implements Hashable {
    private final int id;
    private final Mm mm;
    private final long start;
    private final int gupFlags;
    final int[] pfns;
    int nr;
    long ret;
    boolean released;

    GupPages(int id, Mm mm, long start, int nrPages, int gupFlags) {
        this.id = id;
        this.mm = mm;
        this.start = start;
        this.gupFlags = gupFlags;
        this.pfns = new int[Math.max(nrPages, 0)];
    }

    /** The id the model names this array by (dense from 1; 0 for GUP's internal arrays no caller keeps). */
    @Export
    public int id() {
        return id;
    }

    /** The return value of the GUP call: pages obtained, or -errno if none. */
    @Export
    public long ret() {
        return ret;
    }

    /** Pages held. */
    @Export
    public int nr() {
        return nr;
    }

    @Export
    public int pfn(int i) {
        if (i < 0 || i >= nr) {
            throw new IndexOutOfBoundsException("page " + i + " of " + nr);
        }
        return pfns[i];
    }

    /** The user address page {@code i} was looked up at. */
    @Export
    public long address(int i) {
        return start + ((long) i << Page.PAGE_SHIFT);
    }

    @Export
    public Mm mm() {
        return mm;
    }

    /** The FOLL_* flags of the call, including the FOLL_GET or FOLL_PIN the wrapper added. */
    @Export
    public int gupFlags() {
        return gupFlags;
    }

    @Export
    public boolean pinned() {
        return (gupFlags & Foll.FOLL_PIN) != 0;
    }

    @Export
    public boolean longterm() {
        return (gupFlags & Foll.FOLL_LONGTERM) != 0;
    }

    @Export
    public boolean released() {
        return released;
    }

    /** Id, mm, start, flags, pages held, return value, released, and every pfn slot. */
    @Override
    public void hashInto(StateHasher h) {
        h.add(id).add(mm.id()).add(start).add(gupFlags).add(nr).add(ret).add(released).add(pfns.length);
        for (int pfn : pfns) {
            h.add(pfn);
        }
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private GupPages(GupPages o, Copier c) {
        c.pair(o, this);
        this.id = o.id;
        this.mm = c.copy(o.mm);
        this.start = o.start;
        this.gupFlags = o.gupFlags;
        this.pfns = c.array(o.pfns);
        this.nr = o.nr;
        this.ret = o.ret;
        this.released = o.released;
    }

    @Override
    public GupPages copy(Copier c) {
        return new GupPages(this, c);
    }
}
