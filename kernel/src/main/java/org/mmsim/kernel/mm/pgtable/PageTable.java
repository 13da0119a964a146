package org.mmsim.kernel.mm.pgtable;

import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.state.Footprint;

/**
 * A four-level x86-64 page table: PGD, PUD and PMD tables of 512 pointers to the level below, and PTE tables of
 * 512 64-bit {@link Pte} words. Tables are allocated when an entry below them is first set ({@code pte_alloc})
 * and freed by {@link #freeTables} when a range is unmapped ({@code free_pgtables}).
 *
 * <p>Callers that walk a range use {@link #table} to get the PTE table for an address and index it with
 * {@link #index}, as kernel loops do with {@code pte_offset_map()}.
 */
@Export
public final class PageTable {
    private static final int PAGE_SHIFT = org.mmsim.kernel.mm.page.Page.PAGE_SHIFT;
    public static final int PTRS_PER_TABLE = 512;
    public static final int PMD_SHIFT = 21;
    public static final long PMD_SIZE = 1L << PMD_SHIFT;
    private static final int PUD_SHIFT = 30;
    private static final int PGDIR_SHIFT = 39;
    /** User address space ends here ({@code TASK_SIZE} with 4-level paging, rounded). */
    public static final long TASK_SIZE = 1L << 47;

    private final Object[] pgd = new Object[PTRS_PER_TABLE];
    /** The id of the mm this table belongs to, for the footprint. */
    private final int mmId;
    /** The kernel's footprint accumulator: every walk below records this mm's bit. */
    private final Footprint footprint;

    public PageTable(int mmId, Footprint footprint) {
        this.mmId = mmId;
        this.footprint = footprint;
    }

    private static int idx(long addr, int shift) {
        return (int) ((addr >>> shift) & (PTRS_PER_TABLE - 1));
    }

    /** The index of {@code addr}'s entry in its PTE table. */
    public static int index(long addr) {
        return idx(addr, PAGE_SHIFT);
    }

    /**
     * The PTE table covering {@code addr}; with {@code alloc}, missing tables are created, else null is returned
     * when there is none.
     */
    public long[] table(long addr, boolean alloc) {
        footprint.mm(mmId);
        Object[] pud = (Object[]) pgd[idx(addr, PGDIR_SHIFT)];
        if (pud == null) {
            if (!alloc) {
                return null;
            }
            pud = new Object[PTRS_PER_TABLE];
            pgd[idx(addr, PGDIR_SHIFT)] = pud;
        }
        Object[] pmd = (Object[]) pud[idx(addr, PUD_SHIFT)];
        if (pmd == null) {
            if (!alloc) {
                return null;
            }
            pmd = new Object[PTRS_PER_TABLE];
            pud[idx(addr, PUD_SHIFT)] = pmd;
        }
        long[] pte = (long[]) pmd[idx(addr, PMD_SHIFT)];
        if (pte == null && alloc) {
            pte = new long[PTRS_PER_TABLE];
            pmd[idx(addr, PMD_SHIFT)] = pte;
        }
        return pte;
    }

    /** The pte for {@code addr}, or 0 ({@code pte_none}) if no table covers it. */
    public long get(long addr) {
        footprint.mm(mmId);
        long[] t = table(addr, false);
        return t == null ? 0 : t[index(addr)];
    }

    /** Receives (address, pte) pairs from {@link #forEach}. */
    @FunctionalInterface
    public interface PteVisitor {
        void visit(long address, long pte);
    }

    /** Visit every non-empty pte in address order. */
    public void forEach(PteVisitor visitor) {
        footprint.mm(mmId);
        for (int g = 0; g < PTRS_PER_TABLE; g++) {
            Object[] pud = (Object[]) pgd[g];
            for (int u = 0; pud != null && u < PTRS_PER_TABLE; u++) {
                Object[] pmd = (Object[]) pud[u];
                for (int m = 0; pmd != null && m < PTRS_PER_TABLE; m++) {
                    long[] pte = (long[]) pmd[m];
                    for (int i = 0; pte != null && i < PTRS_PER_TABLE; i++) {
                        if (pte[i] != 0) {
                            long addr = ((long) g << PGDIR_SHIFT) | ((long) u << PUD_SHIFT)
                                    | ((long) m << PMD_SHIFT) | ((long) i << PAGE_SHIFT);
                            visitor.visit(addr, pte[i]);
                        }
                    }
                }
            }
        }
    }

    /**
     * {@code free_pgtables()}: drop the PTE tables that lie wholly inside [start, end) and map nothing. Walks the
     * tables that exist, not the address range. Upper-level tables are kept; they cost little.
     */
    public void freeTables(long start, long end) {
        footprint.mm(mmId);
        for (int g = 0; g < PTRS_PER_TABLE; g++) {
            Object[] pud = (Object[]) pgd[g];
            for (int u = 0; pud != null && u < PTRS_PER_TABLE; u++) {
                Object[] pmd = (Object[]) pud[u];
                for (int m = 0; pmd != null && m < PTRS_PER_TABLE; m++) {
                    long base = ((long) g << PGDIR_SHIFT) | ((long) u << PUD_SHIFT) | ((long) m << PMD_SHIFT);
                    if (pmd[m] != null && base >= start && base + PMD_SIZE <= end && isEmpty((long[]) pmd[m])) {
                        pmd[m] = null;
                    }
                }
            }
        }
    }

    private static boolean isEmpty(long[] table) {
        for (long e : table) {
            if (e != 0) {
                return false;
            }
        }
        return true;
    }
}
