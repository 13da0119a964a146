package org.mmsim.kernel.profile;

import org.mmsim.kernel.export.Export;

/** What writeback does with a dirty page that {@link PinTracking} reports as pinned. */
@Export
public enum PinnedWriteback {
    /** Linux: write it and clear PG_dirty like any page (nothing consults the pin). */
    IGNORE,
    /**
     * Write a stable copy (a bounce page) and keep PG_dirty set ({@code folio_redirty_for_writepage}): the device may
     * go on writing the page, the next writeback writes it again (the direction Jan Kara and John Hubbard describe,
     * kernel-mm.md §6).
     */
    BOUNCE,
    /** Keep PG_dirty set and write nothing this round ({@code folio_redirty_for_writepage}, no bio). */
    SKIP
}
