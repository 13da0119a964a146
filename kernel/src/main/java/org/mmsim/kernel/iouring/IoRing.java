package org.mmsim.kernel.iouring;

import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;

/**
 * {@code struct io_ring_ctx}, reduced to what memory management sees: the mm whose {@code pinned_vm} its buffers are
 * charged to ({@code ctx->mm_account}, the process that set it up) and its one registered fixed buffer
 * ({@code struct io_mapped_ubuf}: the user range and the pages pinned for it), plus the pages charged to
 * {@code RLIMIT_MEMLOCK} for it. It is the {@code private_data} of the ring's file, so it lives until the last fd on
 * the ring is closed.
 */
public final class IoRing extends StateObject implements Hashable {
    final Mm mm;
    long ubuf;
    long len;
    GupPages pages;
    long accounted;
    boolean closed;

    IoRing(Mm mm) {
        this.mm = mm;
    }

    /** The mm whose {@code pinned_vm} the ring's buffers are charged to. */
    public Mm mm() {
        return mm;
    }

    /** The registered buffer's pins, or null. */
    public GupPages buffer() {
        return pages;
    }

    /** Pages charged to the user's locked memory ({@code io_account_mem}). */
    public long accounted() {
        return accounted;
    }

    public boolean closed() {
        return closed;
    }

    /** The mm, the registered range, the buffer's pages by id (0: none), the pages charged, closed. */
    @Override
    public void hashInto(StateHasher h) {
        h.add(mm.id()).add(ubuf).add(len).add(pages == null ? 0 : pages.id()).add(accounted).add(closed);
    }

    @Override
    public String toString() {
        return "io_uring of mm " + mm.id();
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    @Override
    public IoRing copy(Copier c) {
        IoRing r = c.pair(this, new IoRing(c.copy(mm)));
        r.ubuf = ubuf;
        r.len = len;
        r.pages = c.copy(pages);
        r.accounted = accounted;
        r.closed = closed;
        return r;
    }
}
