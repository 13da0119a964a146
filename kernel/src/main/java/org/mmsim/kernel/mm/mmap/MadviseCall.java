package org.mmsim.kernel.mm.mmap;

import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.memory.ZapWalk;
import org.mmsim.kernel.mm.notifier.MmuNotifierEvent;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Mman;

/**
 * {@code do_madvise()} as a call the explorer can suspend. MADV_DONTNEED takes {@code mmap_lock} for read
 * ({@code madvise_need_mmap_write()} is false for it; before 2.6.22, for write:
 * {@link org.mmsim.kernel.profile.Switch#MADVISE_DONTNEED_READ_LOCK}) and zaps pte by pte ({@link ZapWalk}), holding
 * the PTL across the ptes of one page table as {@code zap_pte_range} does:
 *
 * <pre>
 *   LOCK:  mmap_read_lock(mm); find the VMAs (no split: DONTNEED does not change VMAs), zap the first pte
 *   ZAP:   (PTL taken at the first pte of a table) ptep_get_and_clear(); page_remove_rmap(); put_page()
 *          ← point after each pte; the PTL is dropped after the last pte of a table
 *          after the last pte: mmap_read_unlock(mm)
 * </pre>
 *
 * A GUP that holds {@code mmap_lock} for read too runs between these steps (Dirty COW), but its own steps need the
 * PTL, so it never runs between two ptes of the same table. MADV_FREE and MADV_POPULATE_* take {@code mmap_lock}
 * for read and run as one step ({@link Madvise#adviseUnderReadLock}); the VMA-flag advices take it for write and run
 * as one step ({@link Madvise#adviseVmaFlags}).
 *
 * <p>Returns 0; -EINVAL for an unaligned start, a wrapping length, an unknown advice, or DONTNEED on a
 * VM_LOCKED/VM_PFNMAP VMA ({@code madvise_dontneed_free_valid_vma}, after the VMAs before it were zapped); -ENOMEM if
 * part of the range is unmapped (the mapped parts are still zapped).
 */
final class MadviseCall extends KernelCall<Void> {
    private static final int LOCK = 0;
    private static final int ZAP = 1;

    private final Madvise madvise;
    private final Mm mm;
    private final long start;
    private final long len;
    private final int advice;
    private boolean holes;
    private ZapWalk walk;

    MadviseCall(Madvise madvise, Mm mm, long start, long len, int advice) {
        super(madvise.trace, madvise.core.footprint(), "do_madvise");
        this.madvise = madvise;
        this.mm = mm;
        this.start = start;
        this.len = len;
        this.advice = advice;
        touchesOnlyItsMm();
    }

    @Override
    public Acquire blockedOn() {
        if (pc == LOCK) {
            // the LOCK step also zaps the first pte, so DONTNEED needs the PTL free as well
            // MADV_FREE and MADV_POPULATE_* take the PTL within their one step too
            if (zaps()) {
                return Acquire.first(writeLocked() ? mm.mmapLock().write() : mm.mmapLock().read(),
                        mm.ptl().acquire());
            }
            return Madvise.needMmapWrite(madvise.core.profile(), advice) ? mm.mmapLock().write().blocked()
                    : Acquire.first(mm.mmapLock().read(), mm.ptl().acquire());
        }
        return walk.holdsPtl() ? null : mm.ptl().acquire().blocked();
    }

    @Override
    protected void advance() {
        if (pc == ZAP) {
            zapNext();
            return;
        }
        if (!zaps() && !Madvise.needMmapWrite(madvise.core.profile(), advice)) {
            mm.mmapLock().downRead();
            try {
                finish(madvise.adviseUnderReadLock(mm, start, len, advice));
            } finally {
                mm.mmapLock().upRead();
            }
            return;
        }
        if (!zaps()) {
            mm.mmapLock().downWrite();
            try {
                finish(madvise.adviseVmaFlags(mm, start, len, advice));
            } finally {
                mm.mmapLock().upWrite();
            }
            return;
        }
        trace.path("do_madvise");
        long r = Madvise.validate(madvise.core.profile(), start, len, advice);
        if (r != 1) {
            finish(r);
            return;
        }
        if (writeLocked()) {
            mm.mmapWriteLock();
        } else {
            mm.mmapReadLock();
        }
        long end = start + Page.align(len);
        holes = !mm.fullyMapped(start, end);
        walk = madvise.zap.walk(mm, mm.vmasOverlapping(start, end), start, end,
                VmFlags.VM_LOCKED | VmFlags.VM_PFNMAP, "madvise_dontneed_single_vma", MmuNotifierEvent.CLEAR,
                "madvise");
        zapNext();
    }

    /**
     * Whether this advice zaps the range pte by pte: MADV_DONTNEED, and MADV_FREE on a kernel from 4.5 to 4.11, where
     * {@code madvise_vma} lets it fall through to MADV_DONTNEED when there is no swap ("XXX: In this implementation,
     * MADV_FREE works like MADV_DONTNEED on swapless system or full swap"), and the model's machines have none.
     */
    private boolean zaps() {
        return advice == Mman.MADV_DONTNEED
                || advice == Mman.MADV_FREE && !madvise.core.profile().on(Switch.MADV_FREE_SWAPLESS);
    }

    /** Whether the zap runs under {@code mmap_lock} held for write (every madvise before 2.6.22). */
    private boolean writeLocked() {
        return Madvise.needMmapWrite(madvise.core.profile(), Mman.MADV_DONTNEED);
    }

    /** Zap the next pte that maps something; stop after it, or finish when there is none. */
    private void zapNext() {
        if (walk.step()) {
            at(ZAP, "pte %#x zapped", walk.lastZapped());
            return;
        }
        if (writeLocked()) {
            mm.mmapWriteUnlock();
        } else {
            mm.mmapReadUnlock();
        }
        finish(walk.refused() ? -Errno.EINVAL : holes ? -Errno.ENOMEM : 0);
    }

    @Override
    protected void locals(StateHasher h) {
        if (walk == null) {
            h.add(0).add(0).add(0);
        } else {
            walk.hashInto(h);
        }
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private MadviseCall(MadviseCall o, Copier c) {
        super(o, c);
        this.madvise = c.copy(o.madvise);
        this.mm = c.copy(o.mm);
        this.start = o.start;
        this.len = o.len;
        this.advice = o.advice;
        this.holes = o.holes;
        this.walk = c.copy(o.walk);
    }

    @Override
    public MadviseCall copy(Copier c) {
        return new MadviseCall(this, c);
    }
}
