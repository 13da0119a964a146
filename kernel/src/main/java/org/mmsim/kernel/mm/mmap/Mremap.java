package org.mmsim.kernel.mm.mmap;

import java.util.List;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.VmaMerge;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.mm.gup.Gup;
import org.mmsim.kernel.mm.memory.Memory;
import org.mmsim.kernel.mm.notifier.MmuNotifierEvent;
import org.mmsim.kernel.mm.notifier.MmuNotifierRange;
import org.mmsim.kernel.mm.notifier.MmuNotifiers;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.pgtable.PageTable;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.profile.MremapDontunmap;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.sched.Syscall;
import org.mmsim.kernel.trace.Change;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code mremap()} (mm/mremap.c), under {@code mmap_lock} held for write, in one step.
 *
 * <ul>
 *   <li>Checks: flags beyond MREMAP_MAYMOVE|MREMAP_FIXED (and MREMAP_DONTUNMAP from 5.7), MREMAP_FIXED without
 *       MREMAP_MAYMOVE, an unaligned address, a zero new length: -EINVAL. An old length of 0 (which duplicates a
 *       shared mapping) is not modelled: -EINVAL.
 *   <li>{@code vma_to_resize()}: no VMA at the address, or the old range runs past its VMA: -EFAULT; growing a
 *       VM_DONTEXPAND or VM_PFNMAP VMA: -EFAULT; growing a VM_LOCKED one beyond RLIMIT_MEMLOCK
 *       ({@code mlock_future_ok}): -EAGAIN.
 *   <li>Shrinking unmaps the tail and returns the address; growing a VMA at its end into free space
 *       ({@code vma_expandable}) extends the whole VMA in place, however far into it the range starts;
 *       otherwise MREMAP_MAYMOVE moves it ({@code get_unmapped_area}), MREMAP_FIXED moves it to NEWADDR
 *       (unmapping what is there; -EINVAL if unaligned, beyond TASK_SIZE or overlapping the old range), and without
 *       either it is -ENOMEM.
 *   <li>{@code move_vma()}: {@code copy_vma} (same flags, pgoff, anon_vma, file; a never-faulted anonymous VMA takes
 *       its new address's pgoff, and the copy merges with its new neighbours where it may), {@code move_page_tables}
 *       inside an MMU_NOTIFY_UNMAP range over the old addresses: every pte moves as it is
 *       ({@code move_soft_dirty_pte} marks it soft-dirty where the kernel tracks it), page state untouched: same
 *       mapcount, same anon index; then the old range is unmapped ({@code do_munmap}, which finds no ptes left),
 *       except with MREMAP_DONTUNMAP. A VM_LOCKED VMA counts its new length in {@code locked_vm} and has its new
 *       part faulted in, unless it is VM_LOCKONFAULT.
 * </ul>
 *
 * MREMAP_DONTUNMAP (5.7; {@link Switch#MREMAP_DONTUNMAP}) needs MREMAP_MAYMOVE and equal lengths (-EINVAL), moves
 * to NEWADDR with MREMAP_FIXED or else where {@code get_unmapped_area} finds room, and leaves the old VMA in place,
 * empty ({@link #moveVma}); from 6.17 a fixed one may span several VMAs as any fixed move of the same length may.
 * Not modelled: 6.17's earlier checks ("mm/mremap: check remap conditions earlier"), which compare the lengths after
 * page alignment and look the VMA up before a fixed move unmaps its target.
 *
 * <p>Not modelled: the pte-lock-free PMD moves, and the special entries of the mapcount-v2 design (seed 003), which
 * stay behind at the old address.
 */
public final class Mremap {
    public static final int MREMAP_MAYMOVE = 1;
    public static final int MREMAP_FIXED = 2;
    /** Move the ptes and keep the old VMA, empty (5.7; {@link Switch#MREMAP_DONTUNMAP}). */
    public static final int MREMAP_DONTUNMAP = 4;

    private final MmCore core;
    private final Tracer trace;
    private final Mmap mmap;
    private final MmuNotifiers notifiers;
    private final Gup gup;

    public Mremap(MmCore core, Mmap mmap, MmuNotifiers notifiers, Gup gup) {
        this.core = core;
        this.trace = core.trace();
        this.mmap = mmap;
        this.notifiers = notifiers;
        this.gup = gup;
    }

    /** {@code mremap(addr, oldLen, newLen, flags, newAddr)} as a call: the new address, or -errno. */
    public KernelCall<Void> call(Mm mm, long addr, long oldLen, long newLen, int flags, long newAddr) {
        return new Syscall<Void>(trace, core.footprint(), "mremap", () -> mm.mmapLock().write().blocked(), c -> {
            mm.mmapLock().downWrite();
            long[] populate = {0, 0};
            long r;
            try {
                r = mremap(mm, addr, oldLen, newLen, flags, newAddr, populate);
            } finally {
                mm.mmapLock().upWrite();
            }
            if (r >= 0 && populate[1] > 0) {
                mm.mmapLock().downRead(); // mm_populate of a grown VM_LOCKED mapping, after the write lock
                try {
                    gup.populate(mm, populate[0], (int) populate[1], Foll.FOLL_TOUCH);
                } finally {
                    mm.mmapLock().upRead();
                }
            }
            return r;
        });
    }

    /** {@code SYSCALL_DEFINE5(mremap)}; the caller holds {@code mmap_lock} for write. */
    long mremap(Mm mm, long addr, long oldLen, long newLen, int flags, long newAddr, long[] populate) {
        trace.path("mremap");
        int known = MREMAP_MAYMOVE | MREMAP_FIXED
                | (core.profile().mremapDontunmap() != MremapDontunmap.OFF ? MREMAP_DONTUNMAP : 0);
        boolean dontunmap = (flags & MREMAP_DONTUNMAP) != 0;
        // "MREMAP_DONTUNMAP is always a move and it does not allow resizing in the process": the lengths as given
        if ((flags & ~known) != 0 || ((flags & MREMAP_FIXED) != 0 && (flags & MREMAP_MAYMOVE) == 0)
                || dontunmap && ((flags & MREMAP_MAYMOVE) == 0 || oldLen != newLen) || !Page.aligned(addr)) {
            return -Errno.EINVAL;
        }
        oldLen = Page.align(oldLen);
        newLen = Page.align(newLen);
        if (newLen <= 0 || oldLen <= 0 || newLen > PageTable.TASK_SIZE || oldLen > PageTable.TASK_SIZE) {
            return -Errno.EINVAL;
        }
        if ((flags & MREMAP_FIXED) != 0) {
            return oldLen == newLen && core.profile().on(Switch.MREMAP_MULTI_VMA)
                    ? remapMove(mm, addr, oldLen, newAddr, populate, flags)
                    : mremapTo(mm, addr, oldLen, newAddr, newLen, populate, flags);
        }
        if (dontunmap) {
            return mremapTo(mm, addr, oldLen, newAddr, newLen, populate, flags);
        }
        if (oldLen >= newLen) {
            if (oldLen > newLen) {
                mmap.doMunmap(mm, addr + newLen, oldLen - newLen, "mremap");
            }
            return addr;
        }
        Vma vma = mm.vmaAt(addr);
        long r = vmaToResize(mm, vma, addr, oldLen, newLen, flags);
        if (r != 0) {
            return r;
        }
        if (oldLen == vma.end() - addr && vma.end() + (newLen - oldLen) <= PageTable.TASK_SIZE
                && mm.isFree(vma.end(), vma.end() + (newLen - oldLen))) {
            // the whole VMA grows (vma_merge_extend; vma_adjust before 6.1): a range that starts inside it splits
            // nothing off; from 6.1 it merges with the VMA it now touches
            trace.path("vma_expand");
            long oldEnd = vma.end();
            vma.expandTo(addr + newLen);
            if (trace.on()) {
                trace.record(new Change.Vma(mm.id(), Change.VmaEvent.REMOVED, vma.start(), oldEnd, vma.flags(), 0));
                trace.record(new Change.Vma(mm.id(), Change.VmaEvent.CREATED, vma.start(), vma.end(), 0, vma.flags()));
            }
            if (core.profile().on(Switch.MREMAP_EXPAND_MERGE)) {
                VmaMerge.mergeNext(vma);
            }
            if (vma.has(VmFlags.VM_LOCKED)) {
                mm.addLockedVm(Mm.pages(oldEnd, addr + newLen));
                if (!vma.has(VmFlags.VM_LOCKONFAULT)) { // mm_populate skips a lock-on-fault VMA
                    populate[0] = oldEnd;
                    populate[1] = Mm.pages(oldEnd, addr + newLen);
                }
            }
            return addr;
        }
        if ((flags & MREMAP_MAYMOVE) == 0) {
            return -Errno.ENOMEM;
        }
        long to = mmap.getUnmappedArea(mm, 0, newLen);
        if (to < 0) {
            return to;
        }
        return moveVma(mm, vma, addr, oldLen, newLen, to, populate, flags);
    }

    /**
     * {@code mremap_to()}: MREMAP_FIXED, or MREMAP_DONTUNMAP, which moves to NEWADDR only with MREMAP_FIXED and
     * otherwise to where {@code get_unmapped_area} puts it, NEWADDR a hint.
     */
    private long mremapTo(Mm mm, long addr, long oldLen, long newAddr, long newLen, long[] populate, int flags) {
        boolean fixed = (flags & MREMAP_FIXED) != 0;
        if (!Page.aligned(newAddr) || fixed && newAddr <= 0 || newAddr > PageTable.TASK_SIZE - newLen) {
            return -Errno.EINVAL;
        }
        if (addr + oldLen > newAddr && newAddr + newLen > addr) {
            return -Errno.EINVAL; // the ranges overlap
        }
        if (fixed) {
            mmap.doMunmap(mm, newAddr, newLen, "mremap");
        }
        if (oldLen > newLen) {
            mmap.doMunmap(mm, addr + newLen, oldLen - newLen, "mremap");
            oldLen = newLen;
        }
        Vma vma = mm.vmaAt(addr);
        long r = vmaToResize(mm, vma, addr, oldLen, newLen, flags);
        if (r != 0) {
            return r;
        }
        if (!fixed) {
            newAddr = mmap.getUnmappedArea(mm, newAddr, newLen);
            if (newAddr < 0) {
                return newAddr;
            }
        }
        return moveVma(mm, vma, addr, oldLen, newLen, newAddr, populate, flags);
    }

    /**
     * {@code remap_move()} (6.17): a move to a fixed address at the same length, VMA by VMA over
     * {@code [addr, addr + len)}, each part of a VMA in the range moved by {@link #mremapTo} to where it lies relative
     * to the first, so the gaps between the source VMAs stay gaps at the target. -EFAULT if the range starts in a gap
     * or holds no VMA (before anything moved); the first error of a later VMA stops there, what moved before stays
     * moved. The model's VMAs all allow it ({@code vma_multi_allowed}: no userfaultfd, no driver's own
     * {@code ->get_unmapped_area}).
     *
     * @return the address the first VMA went to, or -errno
     */
    private long remapMove(Mm mm, long addr, long len, long newAddr, long[] populate, int flags) {
        if (!Page.aligned(newAddr) || newAddr <= 0 || newAddr > PageTable.TASK_SIZE - len) {
            return -Errno.EINVAL;
        }
        if (addr + len > newAddr && newAddr + len > addr) {
            return -Errno.EINVAL; // the ranges overlap
        }
        long end = addr + len;
        List<Vma> vmas = mm.vmasOverlapping(addr, end);
        long[] starts = new long[vmas.size()];
        long[] ends = new long[vmas.size()];
        for (int i = 0; i < vmas.size(); i++) {
            starts[i] = vmas.get(i).start();
            ends[i] = vmas.get(i).end();
        }
        if (starts.length == 0 || addr < starts[0]) {
            return -Errno.EFAULT; // "No gap permitted at the start of the range."
        }
        trace.path("remap_move");
        long res = -Errno.EFAULT;
        long target = newAddr;
        for (int i = 0; i < starts.length; i++) {
            long from = Math.max(starts[i], addr);
            long partLen = Math.min(end, ends[i]) - from;
            target += i == 0 ? 0 : starts[i] - ends[i - 1];
            long r = mremapTo(mm, from, partLen, target, partLen, populate, flags);
            if (r < 0) {
                return r;
            }
            if (i == 0) {
                res = r;
            }
            target = r + partLen;
        }
        return res;
    }

    /**
     * {@code vma_to_resize()}: 0 if the VMA may become {@code newLen} long, else -EFAULT or -EAGAIN; -EINVAL for
     * MREMAP_DONTUNMAP of a VMA it does not take (5.7: any but a private anonymous one; 5.13: VM_DONTEXPAND or
     * VM_PFNMAP).
     */
    private long vmaToResize(Mm mm, Vma vma, long addr, long oldLen, long newLen, int flags) {
        if (vma == null) {
            return -Errno.EFAULT;
        }
        if ((flags & MREMAP_DONTUNMAP) != 0 && (core.profile().mremapDontunmap() == MremapDontunmap.ANON
                ? !vma.isAnonymous() || vma.has(VmFlags.VM_SHARED)
                : vma.has(VmFlags.VM_DONTEXPAND | VmFlags.VM_PFNMAP))) {
            return -Errno.EINVAL;
        }
        if (oldLen > vma.end() - addr) {
            return -Errno.EFAULT;
        }
        if (newLen == oldLen) {
            return 0;
        }
        if (vma.has(VmFlags.VM_DONTEXPAND | VmFlags.VM_PFNMAP)) {
            return -Errno.EFAULT;
        }
        if (!Mlock.mlockFutureOk(mm, vma.flags(), newLen - oldLen)) {
            return -Errno.EAGAIN;
        }
        return 0;
    }

    /**
     * {@code move_vma()}: copy the VMA to {@code newAddr} ({@code copy_vma}: an anonymous VMA never faulted takes the
     * page offset of its new address, and the copy merges with the VMAs it touches there where it may,
     * {@link VmaMerge}), move the ptes, unmap the old range. With MREMAP_DONTUNMAP the old VMA stays, whole and empty
     * where the range was ({@code dontunmap_complete}): it loses VM_LOCKED and VM_LOCKONFAULT, and from 5.12 its
     * anon_vma if the range was all of it ({@code unlink_anon_vmas}, {@link Switch#DONTUNMAP_UNLINK_ANON});
     * {@code locked_vm} is not touched (from 6.16 the refactored {@code move_vma} adds the new length while the old
     * VMA is still VM_LOCKED: not modelled).
     */
    private long moveVma(Mm mm, Vma vma, long oldAddr, long oldLen, long newLen, long newAddr, long[] populate,
            int flags) {
        trace.path("move_vma");
        boolean dontunmap = (flags & MREMAP_DONTUNMAP) != 0;
        if (!dontunmap) {
            mm.splitAt(oldAddr);
            mm.splitAt(oldAddr + oldLen);
        }
        Vma old = mm.vmaAt(oldAddr);
        Vma moved = old.copyTo(oldAddr, newAddr, newAddr + newLen);
        if (moved.anonVma() != null) {
            moved.anonVma().link(moved);
        }
        mm.linkNewVma(moved);
        moved = VmaMerge.mergeCopied(moved);
        movePageTables(mm, oldAddr, newAddr, oldLen);
        if (dontunmap) {
            trace.path("dontunmap_complete");
            old.setFlags(old.flags() & ~VmFlags.VM_LOCKED_MASK);
            if (old.start() == oldAddr && old.end() == oldAddr + oldLen && old.anonVma() != null
                    && core.profile().on(Switch.DONTUNMAP_UNLINK_ANON)) {
                old.unlinkAnonVma();
            }
            return newAddr;
        }
        if (moved.has(VmFlags.VM_LOCKED)) {
            mm.addLockedVm(Mm.pages(newAddr, newAddr + newLen));
            if (newLen > oldLen && !moved.has(VmFlags.VM_LOCKONFAULT)) {
                populate[0] = newAddr + oldLen;
                populate[1] = Mm.pages(newAddr + oldLen, newAddr + newLen);
            }
        }
        mmap.doMunmap(mm, oldAddr, oldLen, "mremap");
        return newAddr;
    }

    /** {@code move_page_tables()} → {@code move_ptes()}: each pte to its new address, under the PTL. */
    private void movePageTables(Mm mm, long oldAddr, long newAddr, long len) {
        trace.path("move_page_tables");
        MmuNotifierRange range = MmuNotifierRange.of(MmuNotifierEvent.UNMAP, mm, oldAddr, oldAddr + len);
        notifiers.invalidateRangeStart(range);
        boolean softDirty = core.profile().on(Switch.MEM_SOFT_DIRTY);
        mm.ptl().lock();
        try {
            for (long off = 0; off < len; off += Page.PAGE_SIZE) {
                long pte = mm.pte(oldAddr + off);
                if (Pte.none(pte)) {
                    continue;
                }
                if (Pte.present(pte) && Memory.vmNormalPage(pte) >= 0) {
                    core.detachments().unmapped(mm, oldAddr + off, Memory.vmNormalPage(pte), "mremap");
                }
                mm.setPte(oldAddr + off, 0);
                mm.setPte(newAddr + off, Pte.present(pte) && softDirty ? pte | Pte.SOFT_DIRTY : pte);
            }
        } finally {
            mm.ptl().unlock();
        }
        notifiers.invalidateRangeEnd(range);
    }
}
