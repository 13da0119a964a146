package org.mmsim.kernel;

import org.mmsim.kernel.profile.CowReuse;

/**
 * Page-fault handling (mm/memory.c): {@code handle_mm_fault}; {@code do_anonymous_page}; for file mappings
 * {@code do_read_fault}, {@code do_cow_fault} (a private write copies the page-cache page into an anonymous one)
 * and {@code do_shared_fault} with {@code page_mkwrite}; {@code do_wp_page} with its reuse-or-copy decision,
 * {@code wp_page_shared}, {@code wp_page_reuse} and {@code wp_page_copy}.
 *
 * <p>Design notes. Every pte that maps a page holds one reference and one mapcount; a fresh page's allocation
 * reference becomes its first pte's reference. The reuse decision is the part of Linux that changed most:
 * <ul>
 *   <li>{@code mapcount} (to 5.8): reuse if only one pte maps the page, ignoring GUP and pipe references;</li>
 *   <li>{@code page_count} (5.9): reuse only if the pte's own reference is the only one;</li>
 *   <li>{@code anon_exclusive} (5.19): an exclusive page is always reused (pins exist only on exclusive pages),
 *       a possibly shared one by the page-count rule.</li>
 * </ul>
 * Locks: the caller holds mmap_lock for read; each pte change happens under the pte lock. In this sequential
 * model each call runs to completion; the explorer issue will add the preemption points.
 */
final class Memory {
    static final int FAULT_FLAG_WRITE = 1;
    static final int FAULT_FLAG_USER = 1 << 6;
    static final int FAULT_FLAG_REMOTE = 1 << 7;
    static final int FAULT_FLAG_UNSHARE = 1 << 10;

    static final int VM_FAULT_OOM = 0x1;
    static final int VM_FAULT_SIGBUS = 0x2;
    /** Returned when COW was broken or the page reused for writing (removed in 6.0 with FOLL_COW). */
    static final int VM_FAULT_WRITE = 0x8;
    static final int VM_FAULT_SIGSEGV = 0x40;
    static final int VM_FAULT_ERROR = VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV;

    private final Kernel k;
    private final PageFrames frames;

    Memory(Kernel k) {
        this.k = k;
        this.frames = k.frames;
    }

    /**
     * {@code handle_mm_fault()} → {@code handle_pte_fault()}: resolve a fault at {@code addr} in {@code vma}.
     * The caller (arch fault code or GUP) has checked the VMA's permissions.
     *
     * @return 0, or {@code VM_FAULT_*} bits ({@link #VM_FAULT_OOM} when no frame is free)
     */
    int handleMmFault(Vma vma, long addr, int flags) {
        k.path("handle_mm_fault");
        Mm mm = vma.mm();
        long pte = mm.pte(addr);
        if (!Pte.present(pte)) {
            if (vma.file != null) {
                return doFault(vma, addr, flags);
            }
            return vma.isAnonymous() ? doAnonymousPage(vma, addr, flags) : VM_FAULT_SIGBUS;
        }
        if ((flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) != 0) {
            if (!Pte.write(pte)) {
                return doWpPage(vma, addr, pte, flags);
            }
            if ((flags & FAULT_FLAG_WRITE) != 0) {
                pte = Pte.mkDirty(pte);
            }
        }
        mm.setPte(addr, Pte.mkYoung(pte));
        return 0;
    }

    /**
     * {@code do_anonymous_page()}: first touch of an anonymous address. A read maps the shared zero page
     * (special, read-only); a write allocates a zeroed page, mapped dirty and, if the VMA is writable, writable.
     */
    private int doAnonymousPage(Vma vma, long addr, int flags) {
        k.path("do_anonymous_page");
        if ((flags & FAULT_FLAG_WRITE) == 0) {
            vma.mm().setPte(addr, Pte.mkSpecial(Pte.make(PageAlloc.ZERO_PFN, vma.pageProt())));
            return 0;
        }
        k.rmap.anonVmaPrepare(vma);
        int pfn = k.alloc.allocPage(PageAlloc.GFP_HIGHUSER_MOVABLE);
        if (pfn < 0) {
            return VM_FAULT_OOM;
        }
        long entry = Pte.make(pfn, vma.pageProt());
        if (vma.has(VmFlags.VM_WRITE)) {
            entry = Pte.mkWrite(Pte.mkDirty(entry));
        }
        vma.mm().addRssAnon(1);
        k.rmap.pageAddNewAnonRmap(pfn, vma, addr);
        frames.set(pfn, PageFlags.PG_LRU);
        vma.mm().setPte(addr, entry);
        return 0;
    }

    /**
     * {@code do_fault()}: first touch of a file-backed address. Beyond the end of the file is SIGBUS; a read maps
     * the page-cache page ({@code do_read_fault}); a write to a private mapping copies it ({@code do_cow_fault}); a
     * write to a shared mapping dirties it in place ({@code do_shared_fault}).
     */
    private int doFault(Vma vma, long addr, int flags) {
        Inode inode = vma.inode();
        long index = vma.linearPageIndex(addr);
        if (index >= inode.sizePages()) {
            k.path("do_fault");
            return VM_FAULT_SIGBUS;
        }
        if ((flags & FAULT_FLAG_WRITE) == 0) {
            k.path("do_read_fault");
            int pfn = k.filemap.findGetPage(inode, index);
            if (pfn < 0) {
                return VM_FAULT_OOM;
            }
            finishFault(vma, addr, pfn, false);
            return 0;
        }
        if (!vma.has(VmFlags.VM_SHARED)) {
            return doCowFault(vma, addr, inode, index);
        }
        k.path("do_shared_fault");
        int pfn = k.filemap.findGetPage(inode, index);
        if (pfn < 0) {
            return VM_FAULT_OOM;
        }
        doPageMkwrite(vma, pfn);
        finishFault(vma, addr, pfn, true);
        faultDirtySharedPage(pfn);
        return 0;
    }

    /**
     * {@code finish_fault()} → {@code set_pte_range()}: map the page-cache page (whose lookup reference becomes the
     * pte's) with {@code vm_page_prot}; for a write, dirty and, if the VMA allows, writable.
     */
    private void finishFault(Vma vma, long addr, int pfn, boolean write) {
        k.path("finish_fault");
        long entry = Pte.mkYoung(Pte.make(pfn, vma.pageProt()));
        if (write) {
            entry = maybeMkWrite(Pte.mkDirty(entry), vma);
        }
        k.rmap.pageAddFileRmap(pfn);
        vma.mm().addRssFile(vma.isShmem(), 1);
        vma.mm().setPte(addr, entry);
    }

    /**
     * {@code do_cow_fault()}: a write to a not-yet-mapped page of a private file mapping. The page-cache page is
     * read (brought into the cache if needed) and copied into a new anonymous page, which is mapped; the
     * page-cache page itself is never mapped or written.
     */
    private int doCowFault(Vma vma, long addr, Inode inode, long index) {
        k.path("do_cow_fault");
        k.rmap.anonVmaPrepare(vma);
        int pfn = k.alloc.allocPage(PageAlloc.GFP_HIGHUSER_MOVABLE);
        if (pfn < 0) {
            return VM_FAULT_OOM;
        }
        int src = k.filemap.findGetPage(inode, index);
        if (src < 0) {
            k.alloc.putPage(pfn);
            return VM_FAULT_OOM;
        }
        frames.copyData(src, pfn);
        k.alloc.putPage(src);
        long entry = maybeMkWrite(Pte.mkDirty(Pte.mkYoung(Pte.make(pfn, vma.pageProt()))), vma);
        vma.mm().addRssAnon(1);
        k.rmap.pageAddNewAnonRmap(pfn, vma, addr);
        frames.set(pfn, PageFlags.PG_LRU);
        vma.mm().setPte(addr, entry);
        return 0;
    }

    /**
     * {@code do_page_mkwrite()}: tell the filesystem a clean page is about to be written through a shared
     * mapping. ext4 ({@code ext4_page_mkwrite}) reserves blocks, waits for writeback on stable-page devices and
     * marks the page dirty; tmpfs has no such hook.
     */
    private void doPageMkwrite(Vma vma, int pfn) {
        if (vma.inode().fs().hasPageMkwrite()) {
            k.path("do_page_mkwrite");
            k.filemap.folioMarkDirty(pfn);
        }
    }

    /** {@code fault_dirty_shared_page()}: the page is dirty now (and dirty pages are balanced). */
    private void faultDirtySharedPage(int pfn) {
        k.filemap.folioMarkDirty(pfn);
    }

    /**
     * {@code vm_normal_page()}: the page a pte maps, or -1 for "special" ptes (the zero page, raw PFNs) that have
     * no refcounted struct page behind them.
     */
    int vmNormalPage(long pte) {
        return Pte.special(pte) ? -1 : Pte.pfn(pte);
    }

    /**
     * {@code do_wp_page()}: a write (or, 5.19+, an unshare) fault on a present pte that is not writable. For a
     * private anon page decide reuse or copy ({@link #wpCanReuseAnonPage}); everything else is copied.
     */
    int doWpPage(Vma vma, long addr, long orig, int flags) {
        k.path("do_wp_page");
        boolean unshare = (flags & FAULT_FLAG_UNSHARE) != 0;
        int pfn = vmNormalPage(orig);
        if (vma.has(VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE)) {
            if (unshare) {
                return 0;
            }
            return wpPageShared(vma, addr, orig, pfn);
        }
        if (pfn >= 0 && frames.test(pfn, PageFlags.PG_ANON) && wpCanReuseAnonPage(pfn, vma)) {
            if (unshare) {
                return 0;
            }
            wpPageReuse(vma, addr, orig);
            return VM_FAULT_WRITE;
        }
        return wpPageCopy(vma, addr, orig, unshare);
    }

    /**
     * The reuse decision, per profile: {@code reuse_swap_page()} (mapcount, to 5.8), the 5.9 page-count rule,
     * or {@code wp_can_reuse_anon_folio()} (5.19+). On reuse the page is moved to this VMA's anon_vma
     * ({@code page_move_anon_rmap}), which since 5.19 marks it exclusive.
     */
    private boolean wpCanReuseAnonPage(int pfn, Vma vma) {
        CowReuse rule = k.profile.cowReuse();
        if (rule == CowReuse.MAPCOUNT) {
            if (frames.mapcount(pfn) != 1) {
                return false;
            }
        } else {
            if (rule == CowReuse.ANON_EXCLUSIVE && frames.test(pfn, PageFlags.PG_ANON_EXCLUSIVE)) {
                return true;
            }
            if (frames.refcount(pfn) != 1 || frames.mapcount(pfn) != 1) {
                return false;
            }
        }
        k.rmap.pageMoveAnonRmap(pfn, vma);
        return true;
    }

    /**
     * {@code wp_page_shared()}: a write to a clean page of a shared mapping (write-notify): {@code page_mkwrite},
     * then the pte is made writable and dirty in place, and the page is dirty.
     */
    private int wpPageShared(Vma vma, long addr, long orig, int pfn) {
        k.path("wp_page_shared");
        if (pfn >= 0 && vma.file != null) {
            doPageMkwrite(vma, pfn);
        }
        wpPageReuse(vma, addr, orig);
        if (pfn >= 0 && vma.file != null) {
            faultDirtySharedPage(pfn);
        }
        return VM_FAULT_WRITE;
    }

    /** {@code wp_page_reuse()}: keep the page; make the pte young, dirty and, if the VMA allows, writable. */
    private void wpPageReuse(Vma vma, long addr, long orig) {
        k.path("wp_page_reuse");
        long entry = Pte.mkDirty(Pte.mkYoung(orig));
        vma.mm().setPte(addr, maybeMkWrite(entry, vma));
    }

    /** {@code maybe_mkwrite()}: writable only if the VMA has VM_WRITE (a forced write leaves it R/O). */
    static long maybeMkWrite(long pte, Vma vma) {
        return vma.has(VmFlags.VM_WRITE) ? Pte.mkWrite(pte) : pte;
    }

    /**
     * {@code wp_page_copy()}: give this pte a new private copy (zeroed if the old pte mapped the zero page). For
     * an unshare fault the new pte stays read-only and keeps the soft-dirty bit. The old page loses this pte's
     * mapcount and reference; if it was the last, it is freed.
     */
    private int wpPageCopy(Vma vma, long addr, long orig, boolean unshare) {
        k.path("wp_page_copy");
        Mm mm = vma.mm();
        int old = vmNormalPage(orig);
        k.rmap.anonVmaPrepare(vma);
        int pfn = k.alloc.allocPage(PageAlloc.GFP_HIGHUSER_MOVABLE);
        if (pfn < 0) {
            return VM_FAULT_OOM;
        }
        if (old >= 0) {
            frames.copyData(old, pfn);
        }
        long entry = Pte.mkYoung(Pte.make(pfn, vma.pageProt()));
        if (unshare) {
            entry |= orig & Pte.SOFT_DIRTY;
        } else {
            entry = maybeMkWrite(Pte.mkDirty(entry), vma);
        }
        if (old < 0 || !frames.test(old, PageFlags.PG_ANON)) {
            if (old >= 0) {
                mm.addRssFile(frames.test(old, PageFlags.PG_SWAPBACKED), -1);
            }
            mm.addRssAnon(1);
        }
        k.rmap.pageAddNewAnonRmap(pfn, vma, addr);
        frames.set(pfn, PageFlags.PG_LRU);
        mm.setPte(addr, entry);
        if (old >= 0) {
            k.rmap.pageRemoveRmap(old);
            k.alloc.putPage(old);
        }
        return unshare ? 0 : VM_FAULT_WRITE;
    }
}
