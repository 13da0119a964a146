package org.mmsim.kernel.mm.gup;

import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.page.PageFrames;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;

/**
 * {@code gup_fast()} → {@code gup_fast_pte_range()} (mm/gup.c): the lockless walk. It takes no lock at all (only
 * interrupts are off, which keeps page tables from being freed), so every read it makes is a point where any other
 * thread may run, even one inside a PTL section:
 *
 * <pre>
 *   BEGIN:   seq = raw_read_seqcount(&amp;mm->write_protect_seq); if (seq &amp; 1) return 0     (FOLL_PIN, 5.11+)
 *   READ:    pte = ptep_get(ptep); may we take it?      (present, not special, writable for FOLL_WRITE, ...)
 *   GRAB:    try_grab_folio()                           (fails if the page was freed meanwhile)
 *   RECHECK: if (pte_val(pte) != pte_val(ptep_get(ptep))) { gup_put_folio(); stop }
 *            folio_set_referenced(); next pte, or at the end: if (read_seqcount_retry(...)) { unpin all; return 0 }
 * </pre>
 *
 * The recheck catches a pte that changed between READ and GRAB; it cannot catch fork's write-protect that comes after
 * RECHECK but whose {@code page_maybe_dma_pinned()} test came before GRAB. That is the race of commit 57efa1fe5957
 * (5.11), closed by the {@code write_protect_seq} check ({@link Switch#GUP_FAST_FORK_SEQCOUNT}).
 *
 * <p>Returns the number of pages taken from the start, 0 to {@code nr}; never an errno (whatever it cannot take is
 * left to the slow path).
 */
final class GupFast extends KernelCall<Void> {
    private static final int BEGIN = 0;
    private static final int READ = 1;
    private static final int GRAB = 2;
    private static final int RECHECK = 3;

    private final Gup gup;
    private final PageFrames frames;
    private final Mm mm;
    private final long start;
    private final int nr;
    private final int flags;
    private final int[] pages;
    private int walkFlags;
    private boolean seqcount;
    private int seq;
    private int n;
    private long pte;
    private int pfn;

    GupFast(Gup gup, Mm mm, long start, int nr, int flags, int[] pages) {
        super(gup.trace, gup.core.footprint(), "gup_fast");
        this.gup = gup;
        this.frames = gup.core.frames();
        this.mm = mm;
        this.start = start;
        this.nr = nr;
        this.flags = flags;
        this.pages = pages;
    }

    /** Lockless: never blocked. */
    @Override
    public Acquire blockedOn() {
        return null;
    }

    @Override
    protected void advance() {
        switch (pc) {
            case BEGIN -> begin();
            case READ -> read();
            case GRAB -> grab();
            case RECHECK -> recheck();
            default -> throw new IllegalStateException("pc " + pc);
        }
    }

    private long addr() {
        return start + ((long) n << Page.PAGE_SHIFT);
    }

    private void begin() {
        trace.path("gup_fast");
        walkFlags = flags;
        if (gup.core.profile().on(Switch.GUP_FORCE_COW_BREAK) && (flags & Foll.FOLL_FAST_ONLY) == 0) {
            walkFlags |= Foll.FOLL_WRITE;
        }
        seqcount = (flags & Foll.FOLL_PIN) != 0 && gup.core.profile().on(Switch.GUP_FAST_FORK_SEQCOUNT);
        seq = mm.writeProtectSeq().read();
        if (seqcount && (seq & 1) != 0) {
            finish(0);
            return;
        }
        at(READ, "write_protect_seq read: %d", seq);
    }

    private void read() {
        trace.path("gup_fast_pte_range");
        pte = mm.pte(addr());
        if (!Pte.hwAccessible(pte) || Pte.special(pte)
                || ((walkFlags & Foll.FOLL_WRITE) != 0 && !Pte.write(pte)) || gup.mustWaitWriteback(pte, flags)) {
            end();
            return;
        }
        pfn = Pte.pfn(pte);
        if (gup.mustUnshare(null, flags, pfn) || !gup.longtermPinnable(pfn, flags)
                || !gup.gupFastFolioAllowed(pfn, flags)) {
            end();
            return;
        }
        at(GRAB, "read pte %s at %#x", new PteText(pte), addr());
    }

    private void grab() {
        if (pfn != PageAlloc.ZERO_PFN && frames.refcount(pfn) == 0) {
            end();
            return;
        }
        gup.tryGrabPage(pfn, flags);
        at(RECHECK, "try_grab_folio took pfn %d", pfn);
    }

    private void recheck() {
        if (mm.pte(addr()) != pte) {
            gup.gupPutPage(pfn, flags);
            end();
            return;
        }
        frames.set(pfn, PageFlags.PG_REFERENCED);
        pages[n++] = pfn;
        if (n < nr) {
            at(READ, "pte unchanged, pfn %d taken", pfn);
        } else {
            end();
        }
    }

    /** The walk is over: local_irq_restore, then the write_protect_seq retry check. */
    private void end() {
        if (seqcount && mm.writeProtectSeq().retry(seq)) {
            trace.path("gup_fast_unpin_user_pages");
            for (int i = 0; i < n; i++) {
                gup.gupPutPage(pages[i], flags);
            }
            n = 0;
        }
        finish(n);
    }

    /** A pte, printed as {@link Pte#describe} does, when a point's description is formatted. */
    private record PteText(long pte) {
        @Override
        public String toString() {
            return Pte.describe(pte);
        }
    }

    @Override
    protected void locals(StateHasher h) {
        h.add(walkFlags);
        h.add(seqcount ? seq : -1);
        h.add(n);
        h.add(pte);
        h.add(pfn);
        for (int i = 0; i < n; i++) {
            h.add(pages[i]);
        }
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private GupFast(GupFast o, Copier c) {
        super(o, c);
        this.gup = c.copy(o.gup);
        this.frames = c.copy(o.frames);
        this.mm = c.copy(o.mm);
        this.start = o.start;
        this.nr = o.nr;
        this.flags = o.flags;
        this.pages = c.array(o.pages);
        this.walkFlags = o.walkFlags;
        this.seqcount = o.seqcount;
        this.seq = o.seq;
        this.n = o.n;
        this.pte = o.pte;
        this.pfn = o.pfn;
    }

    @Override
    public GupFast copy(Copier c) {
        return new GupFast(this, c);
    }
}
