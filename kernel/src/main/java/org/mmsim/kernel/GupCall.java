package org.mmsim.kernel;

import org.mmsim.kernel.profile.Switch;

/**
 * {@code get_user_pages()}, {@code pin_user_pages()} and their {@code _fast} variants as calls the explorer can
 * suspend. The fast variants run the lockless walk ({@link GupFast}) and fall back to the slow path for the rest
 * ({@code gup_fast_fallback}); the slow path takes {@code mmap_lock} for read around {@link GetUserPages}
 * ({@code __get_user_pages_locked}).
 *
 * <pre>
 *   FAST:  the GUP-fast steps                                    (no lock)
 *   LOCK:  mmap_read_lock()                                      (waits for a writer, e.g. fork)
 *   SLOW:  the __get_user_pages steps; at the end mmap_read_unlock()
 * </pre>
 *
 * A long-term GUP that may migrate pages out of ZONE_MOVABLE ({@code __gup_longterm_locked}) runs its slow path
 * as one step after LOCK: it sets the task's PF_MEMALLOC_PIN, which the model keeps machine-wide.
 *
 * <p>Returns the number of pages taken, or -errno: -EINVAL (flags a caller may not pass, no pages, FOLL_LONGTERM
 * where the profile has none or without FOLL_PIN from 6.3), -ENOSYS (FOLL_PIN before 5.7), else the slow path's
 * -EFAULT or -ENOMEM ({@link GetUserPages}), or from {@code check_and_migrate_movable_pages} -ENOMEM.
 */
final class GupCall extends KernelCall {
    private static final int BEGIN = 0;
    private static final int FAST = 1;
    private static final int LOCK = 2;
    private static final int SLOW = 3;

    private final Mm mm;
    private final boolean fast;
    /** The FOLL_* flags the caller passed. */
    private final int callerFlags;
    final GupPages g;
    private KernelCall sub;
    /** Pages GUP-fast took before falling back. */
    private int fastPages;
    private int[] rest;

    GupCall(Kernel k, Mm mm, long start, int nrPages, int gupFlags, boolean pin, boolean fast) {
        super(k, (pin ? "pin_user_pages" : "get_user_pages") + (fast ? "_fast" : ""));
        this.mm = mm;
        this.fast = fast;
        this.callerFlags = gupFlags;
        this.g = new GupPages(mm, start, nrPages, gupFlags | (pin ? Gup.FOLL_PIN : Gup.FOLL_GET) | Gup.FOLL_TOUCH);
    }

    @Override
    public boolean runnable() {
        return switch (pc) {
            case LOCK -> mmapReadFree(mm) && (!migratesInOneStep() || !mm.ptlHeld);
            case FAST, SLOW -> sub.runnable();
            default -> true;
        };
    }

    @Override
    void advance() {
        switch (pc) {
            case BEGIN -> begin();
            case FAST -> fast();
            case LOCK -> lock();
            case SLOW -> slow();
            default -> throw new IllegalStateException("pc " + pc);
        }
    }

    private void begin() {
        k.path(name());
        int flags = g.gupFlags();
        boolean pin = g.pinned();
        if ((callerFlags & ~Gup.FOLL_PUBLIC) != 0 || g.pfns.length == 0
                || ((flags & Gup.FOLL_LONGTERM) != 0 && !k.profile.on(Switch.FOLL_LONGTERM))
                || ((flags & Gup.FOLL_LONGTERM) != 0 && !pin && k.profile.on(Switch.LONGTERM_NEEDS_PIN))) {
            complete(-Errno.EINVAL);
            return;
        }
        if (pin && !k.profile.on(Switch.FOLL_PIN)) {
            complete(-Errno.ENOSYS);
            return;
        }
        if (!fast) {
            at(LOCK, "entry");
            return;
        }
        k.path("gup_fast_fallback");
        if (pin && k.profile.on(Switch.FORK_COPY_PINNED)) {
            mm.setFlag(Mm.MMF_HAS_PINNED, "MMF_HAS_PINNED");
        }
        sub = new GupFast(k, mm, g.address(0), g.pfns.length, flags, g.pfns);
        fast();
    }

    private void fast() {
        sub.advance();
        if (!sub.done()) {
            at(FAST, "gup_fast: %s", new SubPoint(sub));
            return;
        }
        fastPages = (int) sub.ret();
        if (fastPages == g.pfns.length || (g.gupFlags() & Gup.FOLL_FAST_ONLY) != 0) {
            complete(fastPages);
        } else {
            at(LOCK, "gup_fast took %d of %d pages; falling back", fastPages, g.pfns.length);
        }
    }

    private void lock() {
        mmapReadLock(mm);
        int flags = g.gupFlags();
        int nr = g.pfns.length - fastPages;
        long start = g.address(fastPages);
        rest = new int[nr];
        if (migratesInOneStep()) {
            long r = k.gup.getUserPagesLocked(mm, start, nr, flags, rest);
            mmapReadUnlock(mm);
            slowDone(r);
            return;
        }
        sub = new GetUserPages(k, mm, start, nr, flags, rest);
        at(SLOW, "mmap_read_lock taken");
    }

    /** A long-term GUP that may migrate runs its whole slow path in the LOCK step, so that step needs the PTL. */
    private boolean migratesInOneStep() {
        return (g.gupFlags() & Gup.FOLL_LONGTERM) != 0 && k.profile.on(Switch.LONGTERM_MIGRATE_MOVABLE);
    }

    private void slow() {
        sub.advance();
        if (!sub.done()) {
            at(SLOW, "%s", new SubPoint(sub));
            return;
        }
        mmapReadUnlock(mm);
        slowDone(sub.ret());
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
        if (g.nr > 0) {
            k.addGupHolder(g);
        }
        finish(r);
    }

    @Override
    void locals(StateHasher h) {
        h.add(fastPages);
        h.add(sub == null ? 0 : sub.fingerprint());
        for (int pfn : g.pfns) {
            h.add(pfn);
        }
    }
}
