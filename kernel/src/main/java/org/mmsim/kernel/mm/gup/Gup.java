package org.mmsim.kernel.mm.gup;

import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.locking.WaitEvent;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.VmFault;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.memory.Memory;
import org.mmsim.kernel.mm.migrate.Migrate;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.page.PageFrames;
import org.mmsim.kernel.mm.page.Zone;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.mm.rmap.Rmap;
import org.mmsim.kernel.profile.GupWriteRetry;
import org.mmsim.kernel.profile.PinTracking;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.uapi.Errno;

/**
 * get_user_pages and friends (mm/gup.c): one entry point per kernel function ({@link #getUserPages},
 * {@link #getUserPagesFast}, {@link #pinUserPages}, {@link #pinUserPagesFast}, {@link #unpinUserPages},
 * {@link #unpinUserPagesDirtyLock}, {@link #putPages}), each a {@link GupCall} the explorer can suspend, and the
 * pieces its steps are made of: {@code check_vma_flags}, {@code follow_page_pte}, {@code faultin_page}, the FOLL_GET /
 * FOLL_PIN accounting of {@code try_grab_folio}, and the long-term migration loop.
 *
 * <p>Design notes. The slow path loops per page ({@link GetUserPages}): {@code follow_page_pte} either returns the
 * page or says why not; "no page" means {@code faultin_page} and try again, -EMLINK (5.19+) means "unshare first" and
 * fault with FAULT_FLAG_UNSHARE. What happens after a write fault on a VMA without VM_WRITE (a FOLL_FORCE write) is the
 * Dirty COW story, a profile switch ({@link GupWriteRetry}): up to 4.8 GUP drops FOLL_WRITE and the retry may follow
 * whatever page is mapped by then; 4.9 sets FOLL_COW and accepts a R/O pte only if it is dirty; 6.0 accepts it only
 * if its page is anon-exclusive.
 *
 * <p>A small page is pinned by adding {@link Rmap#GUP_PIN_COUNTING_BIAS} to its refcount, so
 * {@link Rmap#maybeDmaPinned} is a refcount test with false positives and no false negatives.
 */
public final class Gup {
    /** What {@link #followPagePte} returns when a fault is needed. */
    static final int NO_PAGE = -10_000;
    /** What {@link GetUserPages} notes when it backs off to wait for writeback (pin_tracking=mapcount-v2). */
    static final int WAIT_WRITEBACK = -10_001;

    final MmCore core;
    final Tracer trace;
    private final PageFrames frames;
    private final PageAlloc alloc;
    private final Memory memory;
    private final GupHolders holders;
    final LongtermGup longterm;

    public Gup(MmCore core, Memory memory, Migrate migrate, GupHolders holders) {
        this.core = core;
        this.trace = core.trace();
        this.frames = core.frames();
        this.alloc = core.alloc();
        this.memory = memory;
        this.holders = holders;
        this.longterm = new LongtermGup(this, migrate);
    }

    public GupHolders holders() {
        return holders;
    }

    // ---- entry points -------------------------------------------------------------------------------------

    /**
     * {@code get_user_pages()}: FOLL_GET references to {@code nr} pages of {@code mm} from {@code start}, on the slow
     * path under {@code mmap_lock}. The call's result is the {@link GupPages} the caller holds; its return value the
     * number of pages, or -errno as {@link GupCall} lists.
     */
    public GupCall getUserPages(Mm mm, long start, int nr, int gupFlags) {
        return new GupCall(this, GupCall.Kind.GET_USER_PAGES, mm, start, nr, gupFlags, holders);
    }

    /** {@code get_user_pages_fast()}: GUP-fast first, then the slow path for the rest ({@code gup_fast_fallback}). */
    public GupCall getUserPagesFast(Mm mm, long start, int nr, int gupFlags) {
        return new GupCall(this, GupCall.Kind.GET_USER_PAGES_FAST, mm, start, nr, gupFlags, holders);
    }

    /** {@code pin_user_pages()}: FOLL_PIN pins, on the slow path. */
    public GupCall pinUserPages(Mm mm, long start, int nr, int gupFlags) {
        return new GupCall(this, GupCall.Kind.PIN_USER_PAGES, mm, start, nr, gupFlags, holders);
    }

    /** {@code pin_user_pages_fast()}: FOLL_PIN pins, GUP-fast first. */
    public GupCall pinUserPagesFast(Mm mm, long start, int nr, int gupFlags) {
        return new GupCall(this, GupCall.Kind.PIN_USER_PAGES_FAST, mm, start, nr, gupFlags, holders);
    }

    /**
     * {@code get_user_pages_fast()} for a kernel user that keeps the references itself ({@code iov_iter_get_pages2}
     * for vmsplice): the pages are not registered with a holder.
     */
    public GupCall getUserPagesFastUnheld(Mm mm, long start, int nr, int gupFlags) {
        return new GupCall(this, GupCall.Kind.GET_USER_PAGES_FAST, mm, start, nr, gupFlags, null);
    }

    /**
     * {@code pin_user_pages_remote()} (FOLL_PIN, where the profile has it) or {@code get_user_pages_remote()}
     * (FOLL_GET, before 5.6) on the slow path, for a kernel user that copies through the pages and releases them in
     * the step the GUP ends ({@code process_vm_rw_single_vec}): the pages are not registered with a holder.
     */
    public GupCall userPagesRemoteUnheld(Mm mm, long start, int nr, int gupFlags) {
        GupCall.Kind kind = core.profile().on(Switch.FOLL_PIN) ? GupCall.Kind.PIN_USER_PAGES
                : GupCall.Kind.GET_USER_PAGES;
        return new GupCall(this, kind, mm, start, nr, gupFlags | Foll.FOLL_REMOTE, null);
    }

    /**
     * {@code access_remote_vm(mm, addr, &value, 8, FOLL_FORCE [| FOLL_WRITE])}: read or write one word of another
     * address space, as {@code /proc/PID/mem} and ptrace do.
     */
    public AccessRemoteVm accessRemoteVm(Mm mm, long addr, long value, boolean write) {
        return new AccessRemoteVm(this, mm, addr, value, write);
    }

    /** {@code unpin_user_pages()}: 0, or -EINVAL if already released or not pins. */
    public long unpinUserPages(GupPages g) {
        return g.pinned() ? release(g, false, "unpin_user_pages") : -Errno.EINVAL;
    }

    /**
     * {@code unpin_user_pages_dirty_lock(pages, npages, make_dirty)} (mm/gup.c): for each page, if
     * {@code makeDirty}, first the documented unlocked test {@code if (!folio_test_dirty(folio))} (a page already
     * dirty is left as it is, "the page is already dirty, it will be written back"), then
     * {@code folio_lock(); folio_mark_dirty(); folio_unlock()} (the page lock keeps truncation away); then unpin.
     * {@code folio_mark_dirty()} of a page-cache page goes through the mapping's {@code ->dirty_folio}: ext4's
     * ({@code block_dirty_folio}) dirties the buffers if there are any and the folio in any case, so a page whose
     * buffers reclaim stripped becomes dirty without buffers. 0, or -EINVAL if already released or not pins. The
     * caller waits while a page it would lock is locked ({@link #dirtyLockWait}).
     */
    public long unpinUserPagesDirtyLock(GupPages g, boolean makeDirty) {
        return g.pinned() ? release(g, makeDirty, "unpin_user_pages_dirty_lock") : -Errno.EINVAL;
    }

    /**
     * What {@code unpin_user_pages_dirty_lock(g, true)} would sleep on: the PG_locked of a page it would lock (one
     * not dirty yet: its unlocked {@code folio_test_dirty} skips the others), as a wait; null if none.
     */
    public Acquire dirtyLockWait(GupPages g) {
        return dirtyLockWait(g, false);
    }

    /**
     * What {@code set_page_dirty_lock()} on each page would sleep on ({@code everyPage}: it always takes the page
     * lock, dirty or not), or {@link #dirtyLockWait(GupPages)}'s.
     */
    public Acquire dirtyLockWait(GupPages g, boolean everyPage) {
        if (g.released) {
            return null;
        }
        for (int i = 0; i < g.nr; i++) {
            int pfn = g.pfns[i];
            if (pfn != PageAlloc.ZERO_PFN && (everyPage || !frames.test(pfn, PageFlags.PG_DIRTY))
                    && frames.test(pfn, PageFlags.PG_LOCKED)) {
                return new WaitEvent("PG_locked of pfn " + pfn, g.mm().id(),
                        () -> !frames.test(pfn, PageFlags.PG_LOCKED));
            }
        }
        return null;
    }

    /** What the fault GUP is about to take at {@code addr} would sleep on first ({@code Memory#faultWait}), or null. */
    Acquire faultWait(Mm mm, long addr, boolean write) {
        return memory.faultWait(mm, addr, write);
    }

    /** {@code put_page()} of one FOLL_GET reference a kernel user took with an unheld GUP and keeps no more. */
    public void putPage(int pfn) {
        gupPutPage(pfn, Foll.FOLL_GET);
    }

    /** {@code put_page()} on each page of a FOLL_GET array. 0, or -EINVAL if already released or not references. */
    public long putPages(GupPages g) {
        return g.pinned() ? -Errno.EINVAL : release(g, false, "put_page");
    }

    /**
     * {@code set_page_dirty_lock()} then {@code put_page()} on each page of a FOLL_GET array, as drivers did before
     * FOLL_PIN (and bio_release_pages still does for FOLL_GET bios): the same unlocked "already dirty?" test. 0, or
     * -EINVAL if already released or pins.
     */
    public long putPagesDirtyLock(GupPages g) {
        return g.pinned() ? -Errno.EINVAL : release(g, true, "put_page");
    }

    private long release(GupPages g, boolean makeDirty, String function) {
        if (g.released) {
            return -Errno.EINVAL;
        }
        trace.path(function);
        for (int i = 0; i < g.nr; i++) {
            if (makeDirty && g.pfns[i] != PageAlloc.ZERO_PFN && !frames.test(g.pfns[i], PageFlags.PG_DIRTY)) {
                trace.path("set_page_dirty_lock");
                frames.set(g.pfns[i], PageFlags.PG_DIRTY);
            }
            gupPutPage(g.pfns[i], g.gupFlags());
        }
        g.released = true;
        return 0;
    }

    /** {@code populate_vma_page_range()}: fault [start, start + nr pages) in through GUP, keeping no page. */
    public long populate(Mm mm, long start, int nr, int gupFlags) {
        return new GetUserPages(this, mm, start, nr, gupFlags | Foll.FOLL_POPULATE, null).run();
    }

    // ---- the pieces of the walk ---------------------------------------------------------------------------

    /** {@code mm_set_has_pinned_flag()}: the one place MMF_HAS_PINNED is set, where the kernel has it (5.9+). */
    void mmSetHasPinnedFlag(Mm mm, int flags) {
        if ((flags & Foll.FOLL_PIN) != 0 && core.profile().on(Switch.FORK_COPY_PINNED)) {
            mm.setFlag(Mm.MMF_HAS_PINNED, "MMF_HAS_PINNED");
        }
    }

    /**
     * {@code writable_file_mapping_allowed()} (6.5, Lorenzo Stoakes): a FOLL_PIN|FOLL_LONGTERM write pin may not
     * target a shared mapping whose filesystem tracks dirty pages (page_mkwrite or writeback): the device would write
     * behind the filesystem's back for as long as the pin lives. tmpfs and private mappings are fine.
     */
    private boolean writableFileMappingAllowed(Vma vma, int flags) {
        if (!core.profile().on(Switch.REFUSE_LONGTERM_FILE_WRITE)
                || (flags & (Foll.FOLL_PIN | Foll.FOLL_LONGTERM)) != (Foll.FOLL_PIN | Foll.FOLL_LONGTERM)) {
            return true;
        }
        return !vma.needsDirtyTracking();
    }

    /** {@code should_force_cow_break()} (5.8 only): a reference or pin on a COW mapping breaks COW first. */
    boolean shouldForceCowBreak(Vma vma, int flags) {
        return core.profile().on(Switch.GUP_FORCE_COW_BREAK) && VmFlags.isCowMapping(vma.flags())
                && (flags & (Foll.FOLL_GET | Foll.FOLL_PIN)) != 0;
    }

    /**
     * {@code check_vma_flags()}: may this GUP touch the VMA at all? 0 or -EFAULT. Since 6.5 a writable long-term pin
     * of a file mapping that needs dirty tracking is refused ({@link #writableFileMappingAllowed}).
     */
    int checkVmaFlags(Vma vma, int flags) {
        if (vma.has(VmFlags.VM_IO | VmFlags.VM_PFNMAP)) {
            return -Errno.EFAULT;
        }
        if ((flags & Foll.FOLL_WRITE) != 0) {
            if (!vma.isAnonymous() && !writableFileMappingAllowed(vma, flags)) {
                return -Errno.EFAULT;
            }
            if (!vma.has(VmFlags.VM_WRITE)) {
                if ((flags & Foll.FOLL_FORCE) == 0 || !VmFlags.isCowMapping(vma.flags())) {
                    return -Errno.EFAULT;
                }
            }
        } else if (!vma.has(VmFlags.VM_READ)) {
            if ((flags & Foll.FOLL_FORCE) == 0 || !vma.has(VmFlags.VM_MAYREAD)) {
                return -Errno.EFAULT;
            }
        }
        return 0;
    }

    /**
     * {@code follow_page_pte()}: the mapped page, grabbed; {@link #NO_PAGE} if a fault is needed (not present, or not
     * writable for FOLL_WRITE); -EMLINK if it must be unshared first; -EFAULT for a raw PFN.
     */
    int followPagePte(Vma vma, long addr, int flags) {
        trace.path("follow_page_pte");
        long pte = vma.mm().pte(addr);
        if (!Pte.present(pte) || (!Pte.hwAccessible(pte) && !gupCanFollowProtnone(flags))) {
            return NO_PAGE;
        }
        int page = Memory.vmNormalPage(pte);
        if ((flags & Foll.FOLL_WRITE) != 0 && !canFollowWritePte(pte, page, vma, flags)) {
            return NO_PAGE;
        }
        if (page < 0) {
            if ((flags & Foll.FOLL_DUMP) != 0 || Pte.pfn(pte) != PageAlloc.ZERO_PFN) {
                return -Errno.EFAULT;
            }
            page = PageAlloc.ZERO_PFN;
        }
        if (mustUnshare(vma, flags, page)) {
            return -Errno.EMLINK;
        }
        tryGrabPage(page, flags);
        if ((flags & Foll.FOLL_TOUCH) != 0 && page != PageAlloc.ZERO_PFN) {
            if ((flags & Foll.FOLL_WRITE) != 0 && !Pte.dirty(pte)) {
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
        return (flags & Foll.FOLL_FORCE) != 0;
    }

    /** {@code can_follow_write_pte()}: may a FOLL_WRITE lookup use this R/O pte? Per profile. */
    private boolean canFollowWritePte(long pte, int page, Vma vma, int flags) {
        if (Pte.write(pte)) {
            return true;
        }
        return switch (core.profile().gupWriteRetry()) {
            case DROP_FOLL_WRITE -> false;
            case FOLL_COW -> (flags & Foll.FOLL_COW) != 0 && Pte.dirty(pte)
                    && ((flags & Foll.FOLL_FORCE) != 0 || core.profile().on(Switch.GUP_FORCE_COW_BREAK));
            case ANON_EXCLUSIVE -> (flags & Foll.FOLL_FORCE) != 0 && !vma.has(VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE)
                    && vma.has(VmFlags.VM_MAYWRITE) && !vma.has(VmFlags.VM_WRITE) && page >= 0
                    && frames.test(page, PageFlags.PG_ANON) && frames.test(page, PageFlags.PG_ANON_EXCLUSIVE)
                    && !(vma.softDirtyEnabled() && !Pte.softDirty(pte));
        };
    }

    /**
     * {@code gup_must_unshare()} (5.19+): a R/O pin (FOLL_PIN without FOLL_WRITE) of an anon page that is not
     * exclusive must unshare it first, so the pin ends up on the page later writes go to. Since 6.2 a R/O long-term pin
     * of anything else in a COW mapping (the zero page here) must be replaced by an anon copy too; GUP-fast, which
     * cannot see the VMA, assumes a COW mapping.
     */
    boolean mustUnshare(Vma vma, int flags, int page) {
        if (!core.profile().on(Switch.UNSHARE_RO_PINS)
                || (flags & (Foll.FOLL_WRITE | Foll.FOLL_PIN)) != Foll.FOLL_PIN) {
            return false;
        }
        if (page == PageAlloc.ZERO_PFN || !frames.test(page, PageFlags.PG_ANON)) {
            return core.profile().on(Switch.UNSHARE_LONGTERM_COW) && (flags & Foll.FOLL_LONGTERM) != 0
                    && (vma == null || VmFlags.isCowMapping(vma.flags()));
        }
        return !frames.test(page, PageFlags.PG_ANON_EXCLUSIVE);
    }

    /**
     * {@code faultin_page()}: fault for this lookup; returns the (possibly changed) lookup flags, or -errno. After a
     * write fault that broke COW in a VMA without VM_WRITE, 4.8 drops FOLL_WRITE and 4.9..5.19 set FOLL_COW.
     */
    int faultinPage(Vma vma, long addr, int flags, boolean unshare) {
        trace.path("faultin_page");
        if ((flags & Foll.FOLL_NOFAULT) != 0) {
            return -Errno.EFAULT;
        }
        int faultFlags = 0;
        if ((flags & Foll.FOLL_WRITE) != 0) {
            faultFlags |= VmFault.FAULT_FLAG_WRITE;
        }
        if ((flags & Foll.FOLL_REMOTE) != 0) {
            faultFlags |= VmFault.FAULT_FLAG_REMOTE;
        }
        if (unshare) {
            faultFlags |= VmFault.FAULT_FLAG_UNSHARE;
        }
        int ret = memory.handleMmFault(vma, addr, faultFlags);
        if ((ret & VmFault.VM_FAULT_OOM) != 0) {
            return -Errno.ENOMEM;
        }
        if ((ret & VmFault.VM_FAULT_ERROR) != 0) {
            return -Errno.EFAULT;
        }
        if ((ret & VmFault.VM_FAULT_WRITE) != 0 && !vma.has(VmFlags.VM_WRITE)) {
            GupWriteRetry rule = core.profile().gupWriteRetry();
            if (rule == GupWriteRetry.DROP_FOLL_WRITE) {
                flags &= ~Foll.FOLL_WRITE;
            } else if (rule == GupWriteRetry.FOLL_COW) {
                flags |= Foll.FOLL_COW;
            }
        }
        return flags;
    }

    /**
     * {@code try_grab_folio()}: FOLL_GET takes one reference, FOLL_PIN on a small page
     * {@link Rmap#GUP_PIN_COUNTING_BIAS}. The shared zero page is never counted.
     */
    void tryGrabPage(int pfn, int flags) {
        if ((flags & Foll.FOLL_GET) != 0) {
            alloc.getPage(pfn);
        } else if ((flags & Foll.FOLL_PIN) != 0) {
            alloc.pageRefAdd(pfn, Rmap.GUP_PIN_COUNTING_BIAS);
            holders.pinAcquired();
            if (pinInMapcount(pfn)) {
                trace.path("atomic_inc(&page->_mapcount)");
                frames.addMapcount(pfn, 1, Integer.MIN_VALUE);
                if (core.profile().pinTracking() == PinTracking.MAPCOUNT_V2) {
                    frames.set(pfn, PageFlags.PG_DMA_PINNED);
                }
            }
        }
    }

    /**
     * Seed 003's designs (pin_tracking=mapcount-v1, -v2): GUP on a non-anon page also adds its pin to
     * {@code _mapcount} ({@code if (!PageAnon) atomic_inc(page->_mapcount)} in {@code __get_user_pages}, under the pte
     * lock for the slow path), and {@code put_user_page()} takes it away. The pins are FOLL_PIN's, the descendants of
     * the thread's {@code put_user_page()}: FOLL_GET references released by {@code put_page()} are not counted.
     */
    boolean pinInMapcount(int pfn) {
        return core.profile().pinTracking().mapcount() && pfn != PageAlloc.ZERO_PFN
                && !frames.test(pfn, PageFlags.PG_ANON);
    }

    /**
     * pin_tracking=mapcount-v2, Jérôme Glisse (seed 003): "If GUP see a valid write-able PTE and the page has write
     * back flag set then it must back of as if the PTE was not valid to force fault" ({@code wait_on_page_writeback},
     * then fault again). True if a FOLL_PIN lookup of this pte must wait for the page's writeback first.
     */
    boolean mustWaitWriteback(long pte, int flags) {
        if (core.profile().pinTracking() != PinTracking.MAPCOUNT_V2 || (flags & Foll.FOLL_PIN) == 0
                || !Pte.present(pte) || !Pte.write(pte)) {
            return false;
        }
        int pfn = Memory.vmNormalPage(pte);
        return pfn >= 0 && pinInMapcount(pfn) && frames.test(pfn, PageFlags.PG_WRITEBACK);
    }

    /** {@code gup_put_folio()}: undo {@link #tryGrabPage}; a pin released with put_page would unbalance it. */
    void gupPutPage(int pfn, int flags) {
        if ((flags & Foll.FOLL_PIN) != 0) {
            if (pinInMapcount(pfn)) {
                trace.path("atomic_dec(&page->_mapcount)");
                frames.addMapcount(pfn, -1, Integer.MIN_VALUE);
            }
            alloc.pageRefSub(pfn, Rmap.GUP_PIN_COUNTING_BIAS);
            holders.pinReleased();
        } else {
            alloc.putPage(pfn);
        }
    }

    /**
     * {@code folio_is_longterm_pinnable()} as {@code try_grab_folio_fast()} applies it: GUP-fast may not take a
     * long-term pin of a page in ZONE_MOVABLE or of device-coherent memory ("Coherent device memory must always allow
     * eviction", 6.0; the slow path migrates it first). Only a pin: "Can't do FOLL_LONGTERM +
     * FOLL_PIN gup fast path if not in a right zone" comes after {@code if (flags & FOLL_GET) return
     * try_get_folio()}, so a FOLL_GET|FOLL_LONGTERM reference GUP-fast takes stays where it is (5.13 to 6.2; from
     * 6.3 that combination is -EINVAL).
     */
    boolean longtermPinnable(int pfn, int flags) {
        return (flags & (Foll.FOLL_LONGTERM | Foll.FOLL_PIN)) != (Foll.FOLL_LONGTERM | Foll.FOLL_PIN)
                || !core.profile().on(Switch.LONGTERM_MIGRATE_MOVABLE)
                || pfn == PageAlloc.ZERO_PFN || alloc.zoneOf(pfn) != Zone.MOVABLE && !alloc.isDeviceCoherent(pfn);
    }

    /**
     * {@code gup_fast_folio_allowed()} (6.5): without the VMA, GUP-fast refuses a writable long-term pin of any
     * page-cache page that is not shmem, and lets the slow path decide.
     */
    boolean gupFastFolioAllowed(int pfn, int flags) {
        if (!core.profile().on(Switch.REFUSE_LONGTERM_FILE_WRITE)
                || (flags & (Foll.FOLL_PIN | Foll.FOLL_LONGTERM | Foll.FOLL_WRITE))
                        != (Foll.FOLL_PIN | Foll.FOLL_LONGTERM | Foll.FOLL_WRITE)) {
            return true;
        }
        return pfn == PageAlloc.ZERO_PFN || frames.test(pfn, PageFlags.PG_ANON)
                || frames.test(pfn, PageFlags.PG_SWAPBACKED);
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    /** This GUP, built by a copy of {@code o}'s machine, stands for {@code o}, and its long-term path for o's. */
    public void pairWith(Gup o, Copier c) {
        c.pair(o.longterm, longterm);
    }
}
