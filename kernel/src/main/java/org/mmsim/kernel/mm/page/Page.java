package org.mmsim.kernel.mm.page;

import org.mmsim.kernel.export.Export;

/**
 * Page geometry (arch/x86/include/asm/page_types.h) and the part of each page's contents the model keeps: the first
 * {@value #PAGE_WORDS} 64-bit words, enough to detect leaks and lost writes.
 */
@Export
public final class Page {
    public static final int PAGE_SHIFT = 12;
    public static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    /** Simulated content words per page: byte offsets 0..(8 * PAGE_WORDS - 1) of each page are modelled. */
    public static final int PAGE_WORDS = 2;

    private Page() {}

    /**
     * {@code word}, the modelled word at byte offset {@code 8 * w} of a page, with the page's bytes from {@code from}
     * on zeroed ({@code folio_zero_segment(folio, from, folio_size(folio))}): the word as it is if {@code from} is
     * past it, 0 if at or before its start, else only its first {@code from - 8 * w} bytes kept (little-endian).
     */
    public static long zeroedFrom(long word, int w, long from) {
        long keep = from - 8L * w;
        return keep >= 8 ? word : keep <= 0 ? 0 : word & ((1L << (8 * keep)) - 1);
    }

    /** {@code PAGE_ALIGN(len)}: {@code len} rounded up to a whole number of pages. */
    @Export
    public static long align(long len) {
        return (len + PAGE_SIZE - 1) & -PAGE_SIZE;
    }

    /** Whether {@code addr} is page aligned ({@code PAGE_ALIGNED}). */
    @Export
    public static boolean aligned(long addr) {
        return (addr & (PAGE_SIZE - 1)) == 0;
    }

    /** Whether byte {@code offset} of its page is one the model keeps: 8-byte aligned, within the modelled words. */
    public static boolean modelled(long offset) {
        long off = offset & (PAGE_SIZE - 1);
        return (off & 7) == 0 && off < 8L * PAGE_WORDS;
    }

    /**
     * The modelled word that byte {@code offset} (an address or a file position) falls on.
     *
     * @throws IllegalArgumentException if its offset within the page is not 8-byte aligned or not modelled
     */
    public static int wordOf(long offset, String what) {
        long off = offset & (PAGE_SIZE - 1);
        if ((off & 7) != 0 || off >= 8L * PAGE_WORDS) {
            throw new IllegalArgumentException(String.format(
                    "%s %#x: only 8-byte aligned offsets below %d within a page are modelled", what, offset,
                    8 * PAGE_WORDS));
        }
        return (int) (off >>> 3);
    }
}
