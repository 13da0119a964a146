package org.mmsim.kernel;

import org.mmsim.kernel.profile.CowReuse;
import org.mmsim.kernel.profile.Switch;

/**
 * {@code fork()}'s memory half: {@code dup_mmap} (kernel/fork.c) and {@code copy_page_range} /
 * {@code copy_present_pte} (mm/memory.c).
 *
 * <p>Design notes. Fork holds the parent's mmap_lock for write and, since 5.11, keeps
 * {@code mm->write_protect_seq} odd while it copies, so a concurrent GUP-fast pin notices and retries on the
 * slow path. For each present pte of a VMA that needs copying:
 * <ol>
 *   <li>an anon page that may be DMA-pinned is copied for the child at once ({@code copy_present_page}): 5.9
 *       when the mm has pinned and the refcount looks pinned; 5.19 when, in addition, the page is exclusive
 *       ({@code folio_try_dup_anon_rmap_pte} fails with -EBUSY). The parent's pte stays writable on the pinned
 *       page;</li>
 *   <li>otherwise the page is shared: one more reference and mapcount, the exclusive flag cleared, and in a
 *       COW mapping both ptes write-protected, so the first writer faults in {@code do_wp_page}.</li>
 * </ol>
 * Before 5.9 a pinned page is shared like any other, and the parent's next write copies it away from the pin.
 */
final class Fork {
    private final Kernel k;
    private final PageFrames frames;

    Fork(Kernel k) {
        this.k = k;
        this.frames = k.frames;
    }

    /**
     * {@code dup_mmap()}: build the child's VMAs and page tables from the parent's.
     *
     * @return 0, or -ENOMEM when a frame for an early copy could not be allocated (the caller tears the child down)
     */
    int dupMmap(Mm oldMm, Mm newMm) {
        k.path("dup_mmap");
        oldMm.writeProtectSeq++;
        try {
            return copyVmas(oldMm, newMm);
        } finally {
            oldMm.writeProtectSeq++;
        }
    }

    private int copyVmas(Mm oldMm, Mm newMm) {
        for (Vma vma : oldMm.vmas()) {
            if (vma.has(VmFlags.VM_DONTCOPY)) {
                continue;
            }
            Vma tmp = vma.dup(newMm);
            newMm.insertVma(tmp);
            if (vma.has(VmFlags.VM_WIPEONFORK)) {
                continue;
            }
            if (vma.anonVma != null) {
                tmp.anonVma = vma.anonVma;
                tmp.anonVma.link(tmp);
            }
            if (vmaNeedsCopy(vma) && copyPageRange(tmp, vma) != 0) {
                return -Errno.ENOMEM;
            }
        }
        return 0;
    }

    /** {@code vma_needs_copy()}: only VMAs with anon pages or raw PFNs have ptes the child cannot refault. */
    private static boolean vmaNeedsCopy(Vma src) {
        return src.anonVma != null || src.has(VmFlags.VM_PFNMAP | VmFlags.VM_MIXEDMAP | VmFlags.VM_HUGETLB);
    }

    /** {@code copy_page_range()} → {@code copy_pte_range()}. */
    private int copyPageRange(Vma dst, Vma src) {
        k.path("copy_page_range");
        Mm srcMm = src.mm();
        for (long addr = src.start; addr < src.end; ) {
            long[] table = srcMm.pgd.table(addr, false);
            long tableEnd = Math.min(src.end, (addr + PageTable.PMD_SIZE) & -PageTable.PMD_SIZE);
            if (table == null) {
                addr = tableEnd;
                continue;
            }
            for (; addr < tableEnd; addr += PageTable.PAGE_SIZE) {
                long pte = table[PageTable.index(addr)];
                if (Pte.present(pte) && copyPresentPte(dst, src, addr, pte) != 0) {
                    return -Errno.ENOMEM;
                }
            }
        }
        return 0;
    }

    /** {@code copy_present_pte()}: share (or, if maybe pinned, copy) one page with the child. */
    private int copyPresentPte(Vma dst, Vma src, long addr, long pte) {
        int pfn = k.memory.vmNormalPage(pte);
        if (pfn >= 0 && frames.test(pfn, PageFlags.PG_ANON)) {
            if (mustCopyForChild(src, pfn)) {
                return copyPresentPage(dst, addr, pfn);
            }
            k.alloc.getPage(pfn);
            dst.mm().addRssAnon(1);
        } else if (pfn >= 0) {
            k.alloc.getPage(pfn);
            k.rmap.pageDupRmap(pfn);
            dst.mm().addRssFile(frames.test(pfn, PageFlags.PG_SWAPBACKED), 1);
        }
        if (VmFlags.isCowMapping(src.flags) && Pte.write(pte)) {
            src.mm().setPte(addr, Pte.wrProtect(pte));
            pte = Pte.wrProtect(pte);
        }
        if (src.has(VmFlags.VM_SHARED)) {
            pte = Pte.mkClean(pte);
        }
        dst.mm().setPte(addr, Pte.mkOld(pte));
        return 0;
    }

    /**
     * Whether fork must give the child its own copy of anon page {@code pfn} now. Adds the child's mapping when it
     * returns false (the rmap dup is part of the same kernel call).
     */
    private boolean mustCopyForChild(Vma src, int pfn) {
        if (k.profile.cowReuse() == CowReuse.ANON_EXCLUSIVE) {
            return k.rmap.pageTryDupAnonRmap(pfn, src) == -Errno.EBUSY;
        }
        if (k.profile.on(Switch.FORK_COPY_PINNED) && k.rmap.needsCowForDma(src, pfn)) {
            return true;
        }
        k.rmap.pageDupRmap(pfn);
        return false;
    }

    /**
     * {@code copy_present_page()}: the child gets a fresh copy, mapped dirty and (if the VMA is writable)
     * writable; the parent's pte is left as it is, still mapping the pinned page.
     */
    private int copyPresentPage(Vma dst, long addr, int src) {
        k.path("copy_present_page");
        int pfn = k.alloc.allocPage(PageAlloc.GFP_HIGHUSER_MOVABLE);
        if (pfn < 0) {
            return -Errno.ENOMEM;
        }
        frames.copyData(src, pfn);
        k.rmap.pageAddNewAnonRmap(pfn, dst, addr);
        frames.set(pfn, PageFlags.PG_LRU);
        dst.mm().addRssAnon(1);
        dst.mm().setPte(addr, Memory.maybeMkWrite(Pte.mkDirty(Pte.make(pfn, dst.pageProt())), dst));
        return 0;
    }
}
