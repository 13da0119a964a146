package org.mmsim.kernel.mm.pgtable;

import org.mmsim.kernel.export.Export;

/**
 * The cache attribute of one mapping of a frame ({@code enum page_cache_mode}, arch/x86/include/asm/pgtable_types.h,
 * as the PAT decodes a pte's PWT and PCD bits with the kernel's default PAT layout): write-back (neither bit: RAM,
 * the direct map, every ordinary pte), write-combining ({@code _PAGE_PWT}, what {@code pgprot_writecombine} sets:
 * VRAM apertures) and uncached ({@code _PAGE_PCD}, {@code pgprot_noncached}: registers). A guest's mapping of a frame
 * carries one too ({@code SecondaryMmu.CacheEntries}). kernel-mm.md §8.5.
 */
@Export
public final class CacheMode {
    /** {@code _PAGE_CACHE_MODE_WB}. */
    public static final int WB = 0;
    /** {@code _PAGE_CACHE_MODE_WC}. */
    public static final int WC = 1;
    /** {@code _PAGE_CACHE_MODE_UC} (and UC_MINUS: the model does not tell them apart). */
    public static final int UC = 2;

    private CacheMode() {}

    /** The attribute of pte {@code pte}: UC if PCD is set, else WC if PWT is, else WB. */
    public static int of(long pte) {
        return (pte & Pte.PCD) != 0 ? UC : (pte & Pte.PWT) != 0 ? WC : WB;
    }

    /** {@code "WB"}, {@code "WC"} or {@code "UC"}. */
    public static String name(int mode) {
        return switch (mode) {
            case WB -> "WB";
            case WC -> "WC";
            case UC -> "UC";
            default -> throw new IllegalArgumentException("no cache mode " + mode);
        };
    }
}
