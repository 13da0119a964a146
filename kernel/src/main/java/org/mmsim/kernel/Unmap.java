package org.mmsim.kernel;

/**
 * Tearing down mappings (mm/memory.c {@code zap_pte_range}, {@code unmap_vmas}): clear each pte, drop the
 * page's mapcount and the pte's reference. The kernel batches the frees in an {@code mmu_gather} until the TLB
 * is flushed; the model frees at once, which is the same once the flush is done.
 */
final class Unmap {
    private final Kernel k;

    Unmap(Kernel k) {
        this.k = k;
    }

    /** {@code zap_page_range_single()} / {@code unmap_vmas()} for [start, end) of {@code vma}. */
    void zapRange(Vma vma, long start, long end) {
        k.path("zap_pte_range");
        Mm mm = vma.mm();
        for (long addr = start; addr < end; ) {
            long[] table = mm.pgd.table(addr, false);
            long tableEnd = Math.min(end, (addr + PageTable.PMD_SIZE) & -PageTable.PMD_SIZE);
            if (table == null) {
                addr = tableEnd;
                continue;
            }
            for (; addr < tableEnd; addr += PageTable.PAGE_SIZE) {
                long pte = table[PageTable.index(addr)];
                if (pte != 0) {
                    zapPte(mm, addr, pte);
                }
            }
        }
    }

    /** Clear one pte and drop what it mapped (the body of {@code zap_pte_range}'s loop). */
    void zapPte(Mm mm, long addr, long pte) {
        mm.setPte(addr, 0);
        if (!Pte.present(pte)) {
            return;
        }
        int pfn = k.memory.vmNormalPage(pte);
        if (pfn < 0) {
            return;
        }
        if (k.frames.test(pfn, PageFlags.PG_ANON)) {
            mm.addRssAnon(-1);
        } else {
            mm.addRssFile(k.frames.test(pfn, PageFlags.PG_SWAPBACKED), -1);
        }
        if (Pte.dirty(pte)) {
            k.frames.set(pfn, PageFlags.PG_DIRTY);
        }
        k.rmap.pageRemoveRmap(pfn);
        k.alloc.putPage(pfn);
    }
}
