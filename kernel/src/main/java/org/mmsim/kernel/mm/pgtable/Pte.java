package org.mmsim.kernel.mm.pgtable;

import java.util.StringJoiner;
import org.mmsim.kernel.export.Export;

/**
 * Page table entries as 64-bit words with the x86-64 layout (arch/x86/include/asm/pgtable_types.h): hardware
 * bits PRESENT (0), RW (1), USER (2), ACCESSED (5, "young"), DIRTY (6); software bits SPECIAL (9, SOFTW1)
 * and SOFT_DIRTY (11, SOFTW3); PROTNONE shares bit 8 with GLOBAL as on x86; the PFN in bits 12..51.
 *
 * <p>{@link #present} is the kernel's {@code pte_present()}: true for PROT_NONE ptes too, which still map their
 * page; {@link #hwAccessible} is what the MMU checks.
 */
@Export
public final class Pte {
    public static final long PRESENT = 1L;
    public static final long RW = 1L << 1;
    public static final long USER = 1L << 2;
    /** {@code _PAGE_PWT}: write-through; with the PAT, what {@code pgprot_writecombine} sets for VRAM. */
    public static final long PWT = 1L << 3;
    /** {@code _PAGE_PCD}: cache disabled ({@code pgprot_noncached}: registers, an SPU's live local store). */
    public static final long PCD = 1L << 4;
    public static final long ACCESSED = 1L << 5;
    public static final long DIRTY = 1L << 6;
    public static final long PROTNONE = 1L << 8;
    public static final long SPECIAL = 1L << 9;
    public static final long SOFT_DIRTY = 1L << 11;
    public static final int PFN_SHIFT = 12;
    public static final long PFN_MASK = ((1L << 52) - 1) & ~((1L << PFN_SHIFT) - 1);

    private Pte() {}

    /** {@code pte_none()}. */
    public static boolean none(long pte) {
        return pte == 0;
    }

    /** {@code pte_present()}: the pte maps a page, possibly with PROT_NONE. */
    public static boolean present(long pte) {
        return (pte & (PRESENT | PROTNONE)) != 0;
    }

    /** Whether the MMU itself may use the pte (present and not PROT_NONE). */
    public static boolean hwAccessible(long pte) {
        return (pte & PRESENT) != 0;
    }

    public static boolean write(long pte) {
        return (pte & RW) != 0;
    }

    public static boolean dirty(long pte) {
        return (pte & DIRTY) != 0;
    }

    public static boolean young(long pte) {
        return (pte & ACCESSED) != 0;
    }

    public static boolean special(long pte) {
        return (pte & SPECIAL) != 0;
    }

    public static boolean softDirty(long pte) {
        return (pte & SOFT_DIRTY) != 0;
    }

    /** {@code pte_pfn()}. */
    public static int pfn(long pte) {
        return (int) ((pte & PFN_MASK) >>> PFN_SHIFT);
    }

    /** {@code pfn_pte(pfn, prot)}: {@code prot} holds the permission bits from {@code Vma.pageProt()}. */
    public static long make(int pfn, long prot) {
        return ((long) pfn << PFN_SHIFT) | prot;
    }

    public static long mkWrite(long pte) {
        return pte | RW;
    }

    public static long wrProtect(long pte) {
        return pte & ~RW;
    }

    /** {@code pte_mkdirty()}: on x86 this also sets soft-dirty. */
    public static long mkDirty(long pte) {
        return pte | DIRTY | SOFT_DIRTY;
    }

    public static long mkClean(long pte) {
        return pte & ~DIRTY;
    }

    public static long mkYoung(long pte) {
        return pte | ACCESSED;
    }

    public static long mkOld(long pte) {
        return pte & ~ACCESSED;
    }

    public static long mkSpecial(long pte) {
        return pte | SPECIAL;
    }

    /** {@code pte_modify(pte, newprot)}: keep pfn, dirty, young, special and soft-dirty; take the rest from prot. */
    public static long modify(long pte, long prot) {
        long keep = PFN_MASK | DIRTY | ACCESSED | SPECIAL | SOFT_DIRTY | PWT | PCD;
        return (pte & keep) | prot;
    }

    /** A readable rendering, e.g. {@code "pfn 5 P|RW|U|A|D|SD"}; "none" for an empty pte. */
    public static String describe(long pte) {
        if (pte == 0) {
            return "none";
        }
        StringJoiner j = new StringJoiner("|");
        if ((pte & PRESENT) != 0) {
            j.add("P");
        }
        if ((pte & PROTNONE) != 0) {
            j.add("PROTNONE");
        }
        if ((pte & RW) != 0) {
            j.add("RW");
        }
        if ((pte & USER) != 0) {
            j.add("U");
        }
        if ((pte & PWT) != 0) {
            j.add("WC");
        }
        if ((pte & PCD) != 0) {
            j.add("UC");
        }
        if ((pte & ACCESSED) != 0) {
            j.add("A");
        }
        if ((pte & DIRTY) != 0) {
            j.add("D");
        }
        if ((pte & SPECIAL) != 0) {
            j.add("SPECIAL");
        }
        if ((pte & SOFT_DIRTY) != 0) {
            j.add("SD");
        }
        return "pfn " + pfn(pte) + " " + j;
    }
}
