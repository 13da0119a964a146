package org.mmsim.kernel;

import java.util.TreeSet;
import org.mmsim.kernel.profile.GupWriteRetry;
import org.mmsim.kernel.profile.Switch;

/**
 * get_user_pages and friends (mm/gup.c): the slow path {@code __get_user_pages} (walk, fault, retry), the
 * lockless GUP-fast walk with its fallback, and the FOLL_GET / FOLL_PIN accounting of {@code try_grab_folio}.
 *
 * <p>Design notes. The slow path loops per page: {@code follow_page_pte} either returns the page or says why
 * not; "no page" means {@code faultin_page} and try again, -EMLINK (5.19+) means "unshare first" and fault with
 * FAULT_FLAG_UNSHARE. What happens after a write fault on a VMA without VM_WRITE (a FOLL_FORCE write) is the
 * Dirty COW story, a profile switch ({@link GupWriteRetry}): up to 4.8 GUP drops FOLL_WRITE and the retry may
 * follow whatever page is mapped by then; 4.9 sets FOLL_COW and accepts a R/O pte only if it is dirty; 6.0
 * accepts it only if its page is anon-exclusive.
 *
 * <p>A small page is pinned by adding {@link #GUP_PIN_COUNTING_BIAS} to its refcount, so
 * {@link #maybeDmaPinned} is a refcount test with false positives and no false negatives.
 */
final class Gup {
    static final int FOLL_WRITE = 1;
    static final int FOLL_GET = 1 << 1;
    static final int FOLL_DUMP = 1 << 2;
    static final int FOLL_FORCE = 1 << 3;
    static final int FOLL_NOFAULT = 1 << 5;
    static final int FOLL_LONGTERM = 1 << 8;
    static final int FOLL_TOUCH = 1 << 16;
    static final int FOLL_REMOTE = 1 << 18;
    static final int FOLL_PIN = 1 << 19;
    static final int FOLL_FAST_ONLY = 1 << 20;
    static final int FOLL_POPULATE = 1 << 22;
    /** The 4.9..5.19 internal flag (0x4000 then): "we broke COW here, a dirty R/O pte is ours". */
    static final int FOLL_COW = 1 << 23;

    /** The flags a caller may pass; the others are set by the wrappers. */
    static final int FOLL_PUBLIC = FOLL_WRITE | FOLL_DUMP | FOLL_FORCE | FOLL_NOFAULT | FOLL_LONGTERM | FOLL_REMOTE;

    /** include/linux/mm.h: a pin of a small page adds this much to its refcount. */
    static final int GUP_PIN_COUNTING_BIAS = 1024;

    /** What {@link #followPagePte} returns when a fault is needed. */
    static final int NO_PAGE = -10_000;

    private final Kernel k;
    private final PageFrames frames;

    Gup(Kernel k) {
        this.k = k;
        this.frames = k.frames;
    }

    /** {@code page_maybe_dma_pinned()} for a small page: refcount at least {@link #GUP_PIN_COUNTING_BIAS}. */
    static boolean maybeDmaPinned(PageFrames frames, int pfn) {
        return frames.refcount(pfn) >= GUP_PIN_COUNTING_BIAS;
    }

    /**
     * {@code __get_user_pages()}: look up {@code nr} pages from {@code start}, faulting as needed; with
     * {@code pages} null (populate) only fault them in.
     *
     * @return the number of pages obtained, or -errno if the first failed: -EFAULT (no VMA, VM_IO/VM_PFNMAP, no
     *     permission, FOLL_NOFAULT on a missing page), -ENOMEM (out of memory)
     */
    long getUserPagesInternal(Mm mm, long start, int nr, int flags, int[] pages) {
        return new GetUserPages(k, mm, start, nr, flags, pages).runToEnd();
    }

    /**
     * {@code writable_file_mapping_allowed()} (6.5, Lorenzo Stoakes): a FOLL_PIN|FOLL_LONGTERM write pin may not
     * target a shared mapping whose filesystem tracks dirty pages (page_mkwrite or writeback): the device would
     * write behind the filesystem's back for as long as the pin lives. tmpfs and private mappings are fine.
     */
    private boolean writableFileMappingAllowed(Vma vma, int flags) {
        if (!k.profile.on(Switch.REFUSE_LONGTERM_FILE_WRITE)
                || (flags & (FOLL_PIN | FOLL_LONGTERM)) != (FOLL_PIN | FOLL_LONGTERM)) {
            return true;
        }
        return !vma.needsDirtyTracking();
    }

    /** {@code should_force_cow_break()} (5.8 only): a reference or pin on a COW mapping breaks COW first. */
    boolean shouldForceCowBreak(Vma vma, int flags) {
        return k.profile.on(Switch.GUP_FORCE_COW_BREAK) && VmFlags.isCowMapping(vma.flags)
                && (flags & (FOLL_GET | FOLL_PIN)) != 0;
    }

    /**
     * {@code check_vma_flags()}: may this GUP touch the VMA at all? 0 or -EFAULT. Since 6.5 a writable long-term
     * pin of a file mapping that needs dirty tracking is refused ({@link #writableFileMappingAllowed}).
     */
    int checkVmaFlags(Vma vma, int flags) {
        if (vma.has(VmFlags.VM_IO | VmFlags.VM_PFNMAP)) {
            return -Errno.EFAULT;
        }
        if ((flags & FOLL_WRITE) != 0) {
            if (!vma.isAnonymous() && !writableFileMappingAllowed(vma, flags)) {
                return -Errno.EFAULT;
            }
            if (!vma.has(VmFlags.VM_WRITE)) {
                if ((flags & FOLL_FORCE) == 0 || !VmFlags.isCowMapping(vma.flags)) {
                    return -Errno.EFAULT;
                }
            }
        } else if (!vma.has(VmFlags.VM_READ)) {
            if ((flags & FOLL_FORCE) == 0 || !vma.has(VmFlags.VM_MAYREAD)) {
                return -Errno.EFAULT;
            }
        }
        return 0;
    }

    /**
     * {@code follow_page_pte()}: the mapped page, grabbed; {@link #NO_PAGE} if a fault is needed (not present,
     * or not writable for FOLL_WRITE); -EMLINK if it must be unshared first; -EFAULT for a raw PFN.
     */
    int followPagePte(Vma vma, long addr, int flags) {
        k.path("follow_page_pte");
        long pte = vma.mm().pte(addr);
        if (!Pte.present(pte) || (!Pte.hwAccessible(pte) && !gupCanFollowProtnone(flags))) {
            return NO_PAGE;
        }
        int page = k.memory.vmNormalPage(pte);
        if ((flags & FOLL_WRITE) != 0 && !canFollowWritePte(pte, page, vma, flags)) {
            return NO_PAGE;
        }
        if (page < 0) {
            if ((flags & FOLL_DUMP) != 0 || Pte.pfn(pte) != PageAlloc.ZERO_PFN) {
                return -Errno.EFAULT;
            }
            page = PageAlloc.ZERO_PFN;
        }
        if (mustUnshare(vma, flags, page)) {
            return -Errno.EMLINK;
        }
        tryGrabPage(page, flags);
        if ((flags & FOLL_TOUCH) != 0 && page != PageAlloc.ZERO_PFN) {
            if ((flags & FOLL_WRITE) != 0 && !Pte.dirty(pte)) {
                frames.set(page, PageFlags.PG_DIRTY);
            }
            frames.set(page, PageFlags.PG_REFERENCED);
        }
        return page;
    }

    /**
     * {@code gup_can_follow_protnone()}: a PROT_NONE pte in a VMA GUP was allowed into (FOLL_FORCE, ptrace) is
     * followed; only NUMA-hinting protnone ptes make ordinary GUP fault first (the old FOLL_NUMA rule).
     */
    private static boolean gupCanFollowProtnone(int flags) {
        return (flags & FOLL_FORCE) != 0;
    }

    /** {@code can_follow_write_pte()}: may a FOLL_WRITE lookup use this R/O pte? Per profile. */
    private boolean canFollowWritePte(long pte, int page, Vma vma, int flags) {
        if (Pte.write(pte)) {
            return true;
        }
        return switch (k.profile.gupWriteRetry()) {
            case DROP_FOLL_WRITE -> false;
            case FOLL_COW -> (flags & FOLL_COW) != 0 && Pte.dirty(pte)
                    && ((flags & FOLL_FORCE) != 0 || k.profile.on(Switch.GUP_FORCE_COW_BREAK));
            case ANON_EXCLUSIVE -> (flags & FOLL_FORCE) != 0 && !vma.has(VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE)
                    && vma.has(VmFlags.VM_MAYWRITE) && !vma.has(VmFlags.VM_WRITE) && page >= 0
                    && frames.test(page, PageFlags.PG_ANON) && frames.test(page, PageFlags.PG_ANON_EXCLUSIVE)
                    && !(vma.softDirtyEnabled() && !Pte.softDirty(pte));
        };
    }

    /**
     * {@code gup_must_unshare()} (5.19+): a R/O pin (FOLL_PIN without FOLL_WRITE) of an anon page that is not
     * exclusive must unshare it first, so the pin ends up on the page later writes go to. Since 6.2 a R/O
     * long-term pin of anything else in a COW mapping (the zero page here) must be replaced by an anon copy too;
     * GUP-fast, which cannot see the VMA, assumes a COW mapping.
     */
    boolean mustUnshare(Vma vma, int flags, int page) {
        if (!k.profile.on(Switch.UNSHARE_RO_PINS) || (flags & (FOLL_WRITE | FOLL_PIN)) != FOLL_PIN) {
            return false;
        }
        if (page == PageAlloc.ZERO_PFN || !frames.test(page, PageFlags.PG_ANON)) {
            return k.profile.on(Switch.UNSHARE_LONGTERM_COW) && (flags & FOLL_LONGTERM) != 0
                    && (vma == null || VmFlags.isCowMapping(vma.flags));
        }
        return !frames.test(page, PageFlags.PG_ANON_EXCLUSIVE);
    }

    /**
     * {@code faultin_page()}: fault for this lookup; returns the (possibly changed) lookup flags, or -errno.
     * After a write fault that broke COW in a VMA without VM_WRITE, 4.8 drops FOLL_WRITE and 4.9..5.19 set FOLL_COW.
     */
    int faultinPage(Vma vma, long addr, int flags, boolean unshare) {
        k.path("faultin_page");
        if ((flags & FOLL_NOFAULT) != 0) {
            return -Errno.EFAULT;
        }
        int faultFlags = 0;
        if ((flags & FOLL_WRITE) != 0) {
            faultFlags |= Memory.FAULT_FLAG_WRITE;
        }
        if ((flags & FOLL_REMOTE) != 0) {
            faultFlags |= Memory.FAULT_FLAG_REMOTE;
        }
        if (unshare) {
            faultFlags |= Memory.FAULT_FLAG_UNSHARE;
        }
        int ret = k.memory.handleMmFault(vma, addr, faultFlags);
        if ((ret & Memory.VM_FAULT_OOM) != 0) {
            return -Errno.ENOMEM;
        }
        if ((ret & Memory.VM_FAULT_ERROR) != 0) {
            return -Errno.EFAULT;
        }
        if ((ret & Memory.VM_FAULT_WRITE) != 0 && !vma.has(VmFlags.VM_WRITE)) {
            GupWriteRetry rule = k.profile.gupWriteRetry();
            if (rule == GupWriteRetry.DROP_FOLL_WRITE) {
                flags &= ~FOLL_WRITE;
            } else if (rule == GupWriteRetry.FOLL_COW) {
                flags |= FOLL_COW;
            }
        }
        return flags;
    }

    /**
     * {@code try_grab_folio()}: FOLL_GET takes one reference, FOLL_PIN on a small page
     * {@link #GUP_PIN_COUNTING_BIAS}. The shared zero page is never counted.
     */
    void tryGrabPage(int pfn, int flags) {
        if ((flags & FOLL_GET) != 0) {
            k.alloc.getPage(pfn);
        } else if ((flags & FOLL_PIN) != 0) {
            k.alloc.pageRefAdd(pfn, GUP_PIN_COUNTING_BIAS);
            k.nrFollPinAcquired++;
        }
    }

    /** {@code gup_put_folio()}: undo {@link #tryGrabPage}; a pin released with put_page would unbalance it. */
    void gupPutPage(int pfn, int flags) {
        if ((flags & FOLL_PIN) != 0) {
            k.alloc.pageRefSub(pfn, GUP_PIN_COUNTING_BIAS);
            k.nrFollPinReleased++;
        } else {
            k.alloc.putPage(pfn);
        }
    }

    /**
     * {@code folio_is_longterm_pinnable()} as {@code try_grab_folio_fast()} applies it: GUP-fast may not take a
     * long-term pin of a page in ZONE_MOVABLE (the slow path migrates it first).
     */
    boolean longtermPinnable(int pfn, int flags) {
        return (flags & FOLL_LONGTERM) == 0 || !k.profile.on(Switch.LONGTERM_MIGRATE_MOVABLE)
                || pfn == PageAlloc.ZERO_PFN || k.alloc.zoneOf(pfn) != Zone.MOVABLE;
    }

    /**
     * {@code gup_fast_folio_allowed()} (6.5): without the VMA, GUP-fast refuses a writable long-term pin of any
     * page-cache page that is not shmem, and lets the slow path decide.
     */
    boolean gupFastFolioAllowed(int pfn, int flags) {
        if (!k.profile.on(Switch.REFUSE_LONGTERM_FILE_WRITE)
                || (flags & (FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE)) != (FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE)) {
            return true;
        }
        return pfn == PageAlloc.ZERO_PFN || frames.test(pfn, PageFlags.PG_ANON)
                || frames.test(pfn, PageFlags.PG_SWAPBACKED);
    }

    /**
     * {@code __gup_longterm_locked()}: a FOLL_LONGTERM GUP runs with {@code memalloc_pin_save()} (its faults
     * allocate outside ZONE_MOVABLE) and, where the kernel has it, loops: take the pages, then
     * {@link #checkAndMigrateMovablePages}; -EAGAIN means pages were migrated, so take them again.
     */
    long getUserPagesLocked(Mm mm, long start, int nr, int flags, int[] pages) {
        if ((flags & FOLL_LONGTERM) == 0 || !k.profile.on(Switch.LONGTERM_MIGRATE_MOVABLE)) {
            return getUserPagesInternal(mm, start, nr, flags, pages);
        }
        boolean saved = k.alloc.memallocPin;
        k.alloc.memallocPin = true;
        try {
            for (int attempt = 0; ; attempt++) {
                KernelBug.bugOn(attempt == 8, "gup_loop", "long-term GUP keeps migrating at " + Long.toHexString(start));
                long rc = getUserPagesInternal(mm, start, nr, flags, pages);
                if (rc <= 0) {
                    return rc;
                }
                int r = checkAndMigrateMovablePages((int) rc, pages, flags);
                if (r != -Errno.EAGAIN) {
                    return r < 0 ? r : rc;
                }
            }
        } finally {
            k.alloc.memallocPin = saved;
        }
    }

    /**
     * {@code check_and_migrate_movable_pages()}: if any page taken is not long-term pinnable (it is in
     * ZONE_MOVABLE), give every page back and migrate those; -EAGAIN asks the caller to take them again. A page
     * that cannot be migrated (another reference holds it) fails the whole pin with -ENOMEM.
     *
     * @return 0 (all pinnable, pages kept), -EAGAIN (migrated, retry) or -ENOMEM
     */
    private int checkAndMigrateMovablePages(int nr, int[] pages, int flags) {
        TreeSet<Integer> movable = new TreeSet<>();
        for (int i = 0; i < nr; i++) {
            if (pages[i] != PageAlloc.ZERO_PFN && k.alloc.zoneOf(pages[i]) == Zone.MOVABLE) {
                movable.add(pages[i]);
            }
        }
        if (movable.isEmpty()) {
            return 0;
        }
        k.path("migrate_longterm_unpinnable_folios");
        for (int i = 0; i < nr; i++) {
            gupPutPage(pages[i], flags);
        }
        for (int pfn : movable) {
            if (k.migrate.migratePage(pfn) < 0) {
                return -Errno.ENOMEM;
            }
        }
        return -Errno.EAGAIN;
    }

    /**
     * {@code gup_fast_fallback()}: the lockless walk first, then the slow path for whatever it could not do
     * (unless FOLL_FAST_ONLY).
     */
    long getUserPagesFast(Mm mm, long start, int nr, int flags, int[] pages) {
        k.path("gup_fast_fallback");
        if ((flags & FOLL_PIN) != 0 && k.profile.on(Switch.FORK_COPY_PINNED)) {
            mm.setFlag(Mm.MMF_HAS_PINNED, "MMF_HAS_PINNED");
        }
        int n = gupFast(mm, start, nr, flags, pages);
        if (n == nr || (flags & FOLL_FAST_ONLY) != 0) {
            return n;
        }
        int[] rest = new int[nr - n];
        long r = getUserPagesLocked(mm, start + ((long) n << PageTable.PAGE_SHIFT), nr - n, flags, rest);
        if (r < 0) {
            return n > 0 ? n : r;
        }
        System.arraycopy(rest, 0, pages, n, (int) r);
        return n + r;
    }

    /** {@code gup_fast()}: the lockless walk ({@link GupFast}), run without interruption. */
    int gupFast(Mm mm, long start, int nr, int flags, int[] pages) {
        return (int) new GupFast(k, mm, start, nr, flags, pages).runToEnd();
    }
}
