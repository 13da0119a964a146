package org.mmsim.kernel;

/**
 * {@code struct io_ring_ctx}, reduced to what memory management sees: the process that set it up and its one
 * registered fixed buffer ({@code struct io_mapped_ubuf}: the user range and the pages pinned for it), plus the
 * pages charged to {@code RLIMIT_MEMLOCK} for it.
 */
public final class IoRing {
    private final int id;
    final Mm mm;
    long ubuf;
    long len;
    GupPages pages;
    long accounted;
    boolean closed;

    IoRing(int id, Mm mm) {
        this.id = id;
        this.mm = mm;
    }

    public int id() {
        return id;
    }

    /** The mm whose memory the ring's fixed buffer pins. */
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

    @Override
    public String toString() {
        return "io_uring " + id;
    }
}
