package org.mmsim.kernel.mm.gup;

import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code get_user_pages()}, {@code pin_user_pages()} and their {@code _fast} variants as calls the explorer can
 * suspend. The fast variants run the lockless walk ({@link GupFast}) and fall back to the slow path for the rest
 * ({@code gup_fast_fallback}, the one fallback every fast caller uses); the slow path takes {@code mmap_lock} for read
 * around {@link GetUserPages} ({@code __get_user_pages_locked}).
 *
 * <pre>
 *   FAST:  the GUP-fast steps                                    (no lock)
 *   LOCK:  mmap_read_lock()                                      (waits for a writer, e.g. fork)
 *   SLOW:  the __get_user_pages steps; at the end mmap_read_unlock()
 * </pre>
 *
 * A long-term GUP that may migrate pages out of ZONE_MOVABLE ({@code __gup_longterm_locked}) runs its slow path as one
 * step after LOCK: it sets the task's PF_MEMALLOC_PIN, which the model keeps machine-wide.
 *
 * <p>Returns the number of pages taken (0 for no pages, as {@code __get_user_pages} does), or -errno: -EINVAL (flags a
 * caller may not pass, FOLL_LONGTERM where
 * the profile has none or without FOLL_PIN from 6.3, {@code is_valid_gup_args}), -ENOSYS (FOLL_PIN before 5.6), else
 * the slow path's -EFAULT or -ENOMEM ({@link GetUserPages}), or from {@code check_and_migrate_movable_pages} -ENOMEM.
 * Its result is the {@link GupPages} the caller holds (registered with the holders, unless the caller keeps the pages
 * itself, as vmsplice does).
 */
public final class GupCall extends KernelCall<GupPages> {
    /** The four entry points. */
    enum Kind {
        GET_USER_PAGES("get_user_pages", false, false),
        GET_USER_PAGES_FAST("get_user_pages_fast", false, true),
        PIN_USER_PAGES("pin_user_pages", true, false),
        PIN_USER_PAGES_FAST("pin_user_pages_fast", true, true);

        final String function;
        final boolean pin;
        final boolean fast;

        Kind(String function, boolean pin, boolean fast) {
            this.function = function;
            this.pin = pin;
            this.fast = fast;
        }
    }

    private static final int BEGIN = 0;
    private static final int FAST = 1;
    private static final int LOCK = 2;
    private static final int SLOW = 3;

    private final Gup gup;
    private final Kind kind;
    private final GupHolders holders;
    private final Mm mm;
    private final long start;
    private final int nrPages;
    /** The FOLL_* flags the caller passed. */
    private final int callerFlags;
    /** The flags of the walk: the caller's, FOLL_GET or FOLL_PIN, FOLL_TOUCH. */
    private final int flags;
    private GupPages g;
    private GupFast fast;
    private GetUserPages slow;
    /** Pages GUP-fast took before falling back. */
    private int fastPages;
    private int[] rest;

    GupCall(Gup gup, Kind kind, Mm mm, long start, int nrPages, int gupFlags, GupHolders holders) {
        super(gup.trace, gup.core.footprint(), kind.function);
        this.gup = gup;
        this.kind = kind;
        this.holders = holders;
        this.mm = mm;
        this.start = start;
        this.nrPages = nrPages;
        this.callerFlags = gupFlags;
        this.flags = gupFlags | (kind.pin ? Foll.FOLL_PIN : Foll.FOLL_GET) | Foll.FOLL_TOUCH;
    }

    @Override
    public Acquire blockedOn() {
        return switch (pc) {
            case LOCK -> Acquire.first(mm.mmapLock().read(),
                    gup.longterm.migratesMovable(flags) ? mm.ptl().acquire() : null);
            case FAST -> fast.blockedOn();
            case SLOW -> slow.blockedOn();
            default -> null;
        };
    }

    @Override
    protected void advance() {
        switch (pc) {
            case BEGIN -> begin();
            case FAST -> fast();
            case LOCK -> lock();
            case SLOW -> slow();
            default -> throw new IllegalStateException("pc " + pc);
        }
    }

    private void begin() {
        trace.path(name());
        g = holders == null ? new GupPages(0, mm, start, nrPages, flags) : holders.newPages(mm, start, nrPages, flags);
        if ((callerFlags & ~Foll.PUBLIC) != 0
                || ((flags & Foll.FOLL_LONGTERM) != 0 && !gup.core.profile().on(Switch.FOLL_LONGTERM))
                || ((flags & Foll.FOLL_LONGTERM) != 0 && !kind.pin
                        && gup.core.profile().on(Switch.LONGTERM_NEEDS_PIN))) {
            complete(-Errno.EINVAL);
            return;
        }
        if (kind.pin && !gup.core.profile().on(Switch.FOLL_PIN)) {
            complete(-Errno.ENOSYS);
            return;
        }
        if (g.pfns.length == 0) {
            // is_valid_gup_args() does not look at nr_pages: gup_fast_fallback() and __get_user_pages_locked() set
            // MMF_HAS_PINNED for a pin, then gup_fast() takes nothing (nr_pinned == nr_pages) and
            // __get_user_pages() returns 0 for nr_pages 0.
            gup.mmSetHasPinnedFlag(mm, flags);
            complete(0);
            return;
        }
        if (!kind.fast) {
            at(LOCK, "entry");
            return;
        }
        trace.path("gup_fast_fallback");
        gup.mmSetHasPinnedFlag(mm, flags);
        fast = new GupFast(gup, mm, start, g.pfns.length, flags, g.pfns);
        fast();
    }

    private void fast() {
        fast.advance();
        if (!fast.done()) {
            at(FAST, "gup_fast: %s", new SubPoint(fast));
            return;
        }
        fastPages = (int) fast.ret();
        if (fastPages == g.pfns.length || (flags & Foll.FOLL_FAST_ONLY) != 0) {
            complete(fastPages);
        } else {
            at(LOCK, "gup_fast took %d of %d pages; falling back", fastPages, g.pfns.length);
        }
    }

    private void lock() {
        mm.mmapReadLock();
        int nr = g.pfns.length - fastPages;
        long from = g.address(fastPages);
        rest = new int[nr];
        if (gup.longterm.migratesMovable(flags)) {
            long r = gup.longterm.getUserPagesLocked(mm, from, nr, flags, rest);
            mm.mmapReadUnlock();
            slowDone(r);
            return;
        }
        slow = new GetUserPages(gup, mm, from, nr, flags, rest);
        at(SLOW, "mmap_read_lock taken");
    }

    private void slow() {
        slow.advance();
        if (!slow.done()) {
            at(SLOW, "%s", new SubPoint(slow));
            return;
        }
        mm.mmapReadUnlock();
        slowDone(slow.ret());
    }

    private void slowDone(long r) {
        if (r < 0) {
            complete(fastPages > 0 ? fastPages : r);
            return;
        }
        System.arraycopy(rest, 0, g.pfns, fastPages, (int) r);
        complete(fastPages + r);
    }

    private void complete(long r) {
        g.ret = r;
        g.nr = (int) Math.max(r, 0);
        finish(r, g);
    }

    @Override
    protected void locals(StateHasher h) {
        h.add(fastPages);
        KernelCall<Void> sub = slow != null ? slow : fast;
        h.add(sub == null ? 0 : sub.fingerprint());
        if (g != null) {
            // which array the call fills, not only what it holds: two calls of one shape started in either order hold
            // arrays of the same contents, and the id is what the program's name for the array is bound to when the
            // call returns, so two states that differ only in it have different futures
            h.add(g.id());
            for (int pfn : g.pfns) {
                h.add(pfn);
            }
        }
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private GupCall(GupCall o, Copier c) {
        super(o, c);
        this.gup = c.copy(o.gup);
        this.kind = o.kind;
        this.holders = c.copy(o.holders);
        this.mm = c.copy(o.mm);
        this.start = o.start;
        this.nrPages = o.nrPages;
        this.callerFlags = o.callerFlags;
        this.flags = o.flags;
        this.g = c.copy(o.g);
        this.fast = c.copy(o.fast);
        this.slow = c.copy(o.slow);
        this.fastPages = o.fastPages;
        this.rest = c.array(o.rest);
    }

    @Override
    public GupCall copy(Copier c) {
        return new GupCall(this, c);
    }
}
