package org.mmsim.kernel;

import org.mmsim.kernel.profile.Switch;

/**
 * {@code __get_user_pages()} (mm/gup.c) as a call the explorer can suspend: the caller holds {@code mmap_lock}
 * for read; each page is looked up by {@code follow_page_pte} and, when that finds nothing usable, faulted in by
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
 * Between FAULT and the next FOLLOW another thread holding {@code mmap_lock} for read (MADV_DONTNEED) may zap
 * what the fault mapped: that window is Dirty COW's. Both points need the PTL free.
 *
 * <p>Returns ({@link #ret}) the number of pages taken, or -errno if the first failed: -EFAULT (no VMA, VM_IO
 * or VM_PFNMAP, no permission ({@code check_vma_flags}), FOLL_NOFAULT on a missing page, a fault that failed),
 * -ENOMEM (out of memory in the fault). More than 8 fault rounds on one page is a {@code gup_loop} oops.
 */
final class GetUserPages extends KernelCall {
    static final int FOLLOW = 0;
    static final int FAULT = 1;
    private static final int MAX_ATTEMPTS = 8;

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

    GetUserPages(Kernel k, Mm mm, long start, int nr, int flags, int[] pages) {
        super(k, "__get_user_pages");
        this.mm = mm;
        this.start = start;
        this.nr = nr;
        this.flags = flags;
        this.pages = pages;
    }

    @Override
    public boolean runnable() {
        return !mm.ptlHeld;
    }

    @Override
    void advance() {
        switch (pc) {
            case FOLLOW -> follow();
            case FAULT -> fault();
            default -> throw new IllegalStateException("pc " + pc);
        }
    }

    private void follow() {
        if (i == 0 && attempt == 0) {
            k.path("__get_user_pages");
            if ((flags & Gup.FOLL_PIN) != 0 && k.profile.on(Switch.FORK_COPY_PINNED)) {
                mm.setFlag(Mm.MMF_HAS_PINNED, "MMF_HAS_PINNED");
            }
        }
        long addr = start + ((long) i << PageTable.PAGE_SHIFT);
        if (attempt == 0) {
            if (vma == null || !vma.contains(addr)) {
                vma = mm.vmaAt(addr);
                int r = vma == null ? -Errno.EFAULT : k.gup.checkVmaFlags(vma, flags);
                if (r != 0) {
                    finish(i > 0 ? i : r);
                    return;
                }
            }
            follFlags = flags;
            if (k.gup.shouldForceCowBreak(vma, follFlags)) {
                follFlags |= Gup.FOLL_WRITE;
            }
        }
        int page = k.gup.followPagePte(vma, addr, follFlags);
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
        long addr = start + ((long) i << PageTable.PAGE_SHIFT);
        int before = follFlags;
        int r = k.gup.faultinPage(vma, addr, follFlags, followed == -Errno.EMLINK);
        if (r < 0) {
            finish(i > 0 ? i : r);
            return;
        }
        follFlags = r;
        attempt++;
        KernelBug.bugOn(attempt == MAX_ATTEMPTS, "gup_loop",
                "__get_user_pages made no progress at " + Long.toHexString(addr));
        at(FOLLOW, (before & Gup.FOLL_WRITE) != 0 && (r & Gup.FOLL_WRITE) == 0
                ? "faultin_page done, FOLL_WRITE dropped; cond_resched, retry"
                : (r & Gup.FOLL_COW) != (before & Gup.FOLL_COW) ? "faultin_page done, FOLL_COW set; cond_resched, retry"
                : "faultin_page done; cond_resched, retry");
    }

    @Override
    void locals(StateHasher h) {
        h.add(i);
        h.add(vma == null ? 0 : vma.start);
        h.add(follFlags);
        h.add(attempt);
        h.add(followed);
        for (int j = 0; pages != null && j < i; j++) {
            h.add(pages[j]);
        }
    }
}
