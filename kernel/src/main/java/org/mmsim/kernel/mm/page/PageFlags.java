package org.mmsim.kernel.mm.page;

import java.util.StringJoiner;
import org.mmsim.kernel.export.Export;

/**
 * The {@code page->flags} bits the model uses (include/linux/page-flags.h). Bit numbers are the model's own;
 * names and meanings are the kernel's. {@link #PG_ANON} stands for the {@code PAGE_MAPPING_ANON} bit the kernel
 * keeps in {@code page->mapping}; {@link #PG_ANON_EXCLUSIVE} reuses {@code PG_mappedtodisk} in the kernel (5.19).
 */
@Export
public final class PageFlags {
    public static final int PG_LOCKED = 1;
    public static final int PG_REFERENCED = 1 << 1;
    public static final int PG_UPTODATE = 1 << 2;
    public static final int PG_DIRTY = 1 << 3;
    public static final int PG_LRU = 1 << 4;
    public static final int PG_RESERVED = 1 << 5;
    public static final int PG_SWAPBACKED = 1 << 6;
    public static final int PG_WRITEBACK = 1 << 7;
    public static final int PG_ANON = 1 << 8;
    public static final int PG_ANON_EXCLUSIVE = 1 << 9;
    /**
     * {@code PG_private}: {@code folio->private} holds the page's buffer heads (ext4's {@code create_empty_buffers()}
     * via {@code folio_attach_private()}, which takes a page reference; {@code folio_detach_private()} drops it).
     */
    public static final int PG_PRIVATE = 1 << 10;

    /**
     * {@code PageDMAPinned}: the model's name for the flag of seed 003's designs (never in Linux): set by
     * {@code page_mkclean} when {@code page_mapcount() - real_mapcount > 0} (pin_tracking=mapcount-v1, -v2) and by
     * GUP (mapcount-v2), cleared by {@code page_mkclean}.
     */
    public static final int PG_DMA_PINNED = 1 << 11;

    private static final String[] NAMES = {
        "locked", "referenced", "uptodate", "dirty", "lru", "reserved", "swapbacked", "writeback", "anon",
        "anon_exclusive", "private", "dma_pinned"
    };

    private PageFlags() {}

    /** The flags as the kernel's %pGp would print them, e.g. {@code "uptodate|lru|anon"}; "0" if none. */
    public static String describe(long flags) {
        StringJoiner j = new StringJoiner("|");
        for (int bit = 0; bit < NAMES.length; bit++) {
            if ((flags & (1L << bit)) != 0) {
                j.add(NAMES[bit]);
            }
        }
        return j.length() == 0 ? "0" : j.toString();
    }
}
