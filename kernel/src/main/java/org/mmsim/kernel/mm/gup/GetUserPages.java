package org.mmsim.kernel.mm.gup;

import org.mmsim.kernel.bug.KernelBug;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.locking.WaitEvent;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code __get_user_pages()} (mm/gup.c) as a call the explorer can suspend: the caller holds {@code mmap_lock} for
 * read; each page is looked up by {@code follow_page_pte} and, when that finds nothing usable, faulted in by
 * {@code faultin_page} and looked up again.
 *
 * <pre>
 *   FOLLOW:  vma = find_vma(); check_vma_flags()               (once per VMA)
 *            page = follow_page_pte()                          (takes and drops the PTL)
 *            if page: pages[i++] = page; goto FOLLOW or return
 *   FAULT:   faultin_page() → handle_mm_fault()                (takes and drops the PTL)
 *            cond_resched(); goto FOLLOW                        (the retry: nothing is held but mmap_lock)
 * </pre>
 *
 * Between FAULT and the next FOLLOW another thread holding {@code mmap_lock} for read (MADV_DONTNEED) may zap what
 * the fault mapped: that window is Dirty COW's. Both points need the PTL free. The first FOLLOW of a FOLL_PIN walk
 * sets MMF_HAS_PINNED ({@code __get_user_pages_locked}).
 *
 * <p>Returns ({@link #ret}) the number of pages taken, or -errno if the first failed: -EFAULT (no VMA, VM_IO or
 * VM_PFNMAP, no permission ({@code check_vma_flags}), FOLL_NOFAULT on a missing page, a fault that failed), -ENOMEM
 * (out of memory in the fault). More than 8 fault rounds on one page is a {@code gup_loop} oops.
 */
final class GetUserPages extends KernelCall<Void> {
    static final int FOLLOW = 0;
    static final int FAULT = 1;
    private static final int MAX_ATTEMPTS = 8;

    private final Gup gup;
    private final Mm mm;
    private final long start;
    private final int nr;
    private final int flags;
    final int[] pages;
    private int i;
    private Vma vma;
    private int follFlags;
    private int attempt;
    /** What the last follow_page_pte said: NO_PAGE or -EMLINK (unshare first). */
    private int followed;

    GetUserPages(Gup gup, Mm mm, long start, int nr, int flags, int[] pages) {
        super(gup.trace, gup.core.footprint(), "__get_user_pages");
        this.gup = gup;
        this.mm = mm;
        this.start = start;
        this.nr = nr;
        this.flags = flags;
        this.pages = pages;
    }

    @Override
    public Acquire blockedOn() {
        if (pc == FAULT && followed == Gup.WAIT_WRITEBACK) {
            long addr = start + ((long) i << Page.PAGE_SHIFT);
            long pte = mm.pte(addr);
            if (Pte.present(pte)) {
                int pfn = Pte.pfn(pte);
                if (gup.mustWaitWriteback(pte, follFlags)) {
                    return new WaitEvent("PG_writeback of pfn " + pfn, mm.id(),
                            () -> !gup.core.frames().test(pfn, PageFlags.PG_WRITEBACK));
                }
            }
            return null;
        }
        if (pc == FAULT) {
            // faultin_page → handle_mm_fault: filemap_fault's page lock, ->page_mkwrite's waits (Memory#faultWait)
            Acquire page = gup.faultWait(mm, start + ((long) i << Page.PAGE_SHIFT), (follFlags & Foll.FOLL_WRITE) != 0);
            if (page != null) {
                return page;
            }
        }
        return mm.ptl().acquire().blocked();
    }

    @Override
    protected void advance() {
        switch (pc) {
            case FOLLOW -> follow();
            case FAULT -> fault();
            default -> throw new IllegalStateException("pc " + pc);
        }
    }

    private void follow() {
        if (i == 0 && attempt == 0) {
            trace.path("__get_user_pages");
            gup.mmSetHasPinnedFlag(mm, flags);
        }
        long addr = start + ((long) i << Page.PAGE_SHIFT);
        if (attempt == 0) {
            if (vma == null || !vma.contains(addr)) {
                vma = mm.vmaAt(addr);
                int r = vma == null ? -Errno.EFAULT : gup.checkVmaFlags(vma, flags);
                if (r != 0) {
                    finish(i > 0 ? i : r);
                    return;
                }
            }
            follFlags = flags;
            if (gup.shouldForceCowBreak(vma, follFlags)) {
                follFlags |= Foll.FOLL_WRITE;
            }
        }
        if (gup.mustWaitWriteback(mm.pte(addr), follFlags)) {
            trace.path("wait_on_page_writeback");
            followed = Gup.WAIT_WRITEBACK;
            at(FAULT, "page at %#x under writeback: back off, wait_on_page_writeback", addr);
            return;
        }
        int page = gup.followPagePte(vma, addr, follFlags);
        if (page == Gup.NO_PAGE || page == -Errno.EMLINK) {
            followed = page;
            at(FAULT, "follow_page_pte found no usable page at %#x", addr);
            return;
        }
        if (page < 0) {
            finish(i > 0 ? i : page);
            return;
        }
        if (pages != null) {
            pages[i] = page;
        }
        i++;
        attempt = 0;
        if (i == nr) {
            finish(i);
        } else {
            at(FOLLOW, "follow_page_pte took pfn %d", page);
        }
    }

    private void fault() {
        long addr = start + ((long) i << Page.PAGE_SHIFT);
        if (followed == Gup.WAIT_WRITEBACK) {
            followed = 0;
            follow();
            return;
        }
        int before = follFlags;
        int r = gup.faultinPage(vma, addr, follFlags, followed == -Errno.EMLINK);
        if (r < 0) {
            finish(i > 0 ? i : r);
            return;
        }
        follFlags = r;
        attempt++;
        if (attempt == MAX_ATTEMPTS) {
            throw new KernelBug("gup_loop", "__get_user_pages made no progress at " + Long.toHexString(addr));
        }
        at(FOLLOW, (before & Foll.FOLL_WRITE) != 0 && (r & Foll.FOLL_WRITE) == 0
                ? "faultin_page done, FOLL_WRITE dropped; cond_resched, retry"
                : (r & Foll.FOLL_COW) != (before & Foll.FOLL_COW) ? "faultin_page done, FOLL_COW set; cond_resched, retry"
                : "faultin_page done; cond_resched, retry");
    }

    @Override
    protected void locals(StateHasher h) {
        h.add(i);
        h.add(vma == null ? 0 : vma.start());
        h.add(follFlags);
        h.add(attempt);
        h.add(followed);
        for (int j = 0; pages != null && j < i; j++) {
            h.add(pages[j]);
        }
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private GetUserPages(GetUserPages o, Copier c) {
        super(o, c);
        this.gup = c.copy(o.gup);
        this.mm = c.copy(o.mm);
        this.start = o.start;
        this.nr = o.nr;
        this.flags = o.flags;
        this.pages = c.array(o.pages);
        this.i = o.i;
        this.vma = c.copy(o.vma);
        this.follFlags = o.follFlags;
        this.attempt = o.attempt;
        this.followed = o.followed;
    }

    @Override
    public GetUserPages copy(Copier c) {
        return new GetUserPages(this, c);
    }
}
