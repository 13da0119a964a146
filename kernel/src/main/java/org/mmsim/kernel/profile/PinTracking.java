package org.mmsim.kernel.profile;

import java.util.Locale;
import org.mmsim.kernel.export.Export;

/**
 * How writeback tells that a page it is about to write may be DMA-pinned (seed 003, kernel-mm.md §6, docs/writeback.md
 * §7). What the design reports is what writeback believes; {@link PinnedWriteback} says what it does about it.
 */
@Export
public enum PinTracking {
    /**
     * Before FOLL_PIN (up to 5.6): nothing tells a pin from a reference. The only test there is: a page with more
     * references than the page cache, its buffers and its ptes account for ({@code page_count()} against
     * {@code folio_expected_refs()}) is believed pinned.
     */
    REFCOUNT,
    /**
     * 5.7 (FOLL_PIN, eddb1c228f79, John Hubbard; GUP_PIN_COUNTING_BIAS 3faa52c03f44): a pin adds 1024 to the
     * refcount and {@code page_maybe_dma_pinned()} tests {@code page_ref_count() >= GUP_PIN_COUNTING_BIAS}: false
     * positives, no false negatives. What Linux adopted.
     */
    BIAS,
    /**
     * Jérôme Glisse's first design (seed 003, never shipped): GUP on a non-anon page also increments
     * {@code _mapcount}, {@code put_user_page()} decrements it; {@code page_mkclean()} counts the ptes its rmap walk
     * meets ({@code real_mapcount}) and sets {@code PageDMAPinned} when {@code page_mapcount() - real_mapcount > 0},
     * clears it otherwise.
     */
    MAPCOUNT_V1,
    /**
     * Jérôme's answer to Jan Kara (seed 003, never shipped): GUP backs off while the page is under writeback and sets
     * {@code PageDMAPinned}; zap leaves a special entry where it clears a writable pte; {@code page_mkclean} reads
     * {@code mapcount1} before the walk, {@code mapcount2} after it, and walks a second time with
     * {@code page_pin_one} counting the special entries before it clears the flag.
     */
    MAPCOUNT_V2;

    /** The value as written in scenarios: {@code mapcount-v1}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether GUP accounts pins in {@code _mapcount} and page_mkclean decides (the seed 003 designs). */
    public boolean mapcount() {
        return this == MAPCOUNT_V1 || this == MAPCOUNT_V2;
    }
}
