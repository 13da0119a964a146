package org.mmsim.kernel.mm.mmap;

import java.util.List;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.VmaMerge;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.mm.gup.Gup;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.sched.Syscall;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Mman;

/**
 * {@code mlock()} and {@code munlock()} (mm/mlock.c), and the RLIMIT_MEMLOCK checks {@code mmap(MAP_LOCKED)} shares
 * with them ({@code can_do_mlock}, {@code mlock_future_ok} in mm/mmap.c).
 *
 * <p>{@code do_mlock()}: {@code can_do_mlock()} (-EPERM when RLIMIT_MEMLOCK is 0: the model's processes lack
 * CAP_IPC_LOCK); the range is widened to pages; under {@code mmap_write_lock} the pages asked for plus
 * {@code mm->locked_vm}, less those already locked in the range ({@code count_mm_mlocked_page_nr}, from 4.9:
 * {@link Switch#MLOCK_LIMIT_EXCLUDES_LOCKED}), must fit the limit, else -ENOMEM; {@code apply_vma_lock_flags()} sets
 * VM_LOCKED VMA by VMA ({@code mlock_fixup}: split at the edges as mprotect does, {@code mm->locked_vm += pages}); the
 * write lock is dropped and {@code __mm_populate()} faults the range in under {@code mmap_read_lock}
 * ({@code populate_vma_page_range}: FOLL_TOUCH|FOLL_POPULATE, FOLL_WRITE for a private writable VMA, FOLL_FORCE for an
 * accessible one), its errors turned POSIX by {@code __mlock_posix_error_return} (-EFAULT is -ENOMEM, -ENOMEM is
 * -EAGAIN). {@code munlock()} clears VM_LOCKED and VM_LOCKONFAULT and subtracts, with no limit and no populate.
 *
 * <p>Not modelled: PG_mlocked and the unevictable LRU ({@code mlock_folio}, {@code munlock_folio}): the model's
 * reclaim looks at page-cache pages only, and {@code try_to_unmap_one} keeps a page that a VM_LOCKED VMA maps
 * ({@code ReclaimCall}). {@code mlockall} and {@code munlockall} are {@link Mlockall}'s. The syscall is one step
 * ({@link Syscall}): the kernel drops the write lock before taking the read lock for the populate, and another thread
 * could run between; the model does not cut there.
 */
public final class Mlock {
    /** {@code VM_SPECIAL}: VMAs {@code mlock_fixup} leaves alone (no VM_LOCKED, not counted). */
    static final long VM_SPECIAL = VmFlags.VM_IO | VmFlags.VM_DONTEXPAND | VmFlags.VM_PFNMAP | VmFlags.VM_MIXEDMAP;

    private final MmCore core;
    private final Tracer trace;
    private final Gup gup;

    public Mlock(MmCore core, Gup gup) {
        this.core = core;
        this.trace = core.trace();
        this.gup = gup;
    }

    /**
     * {@code mlock(start, len)} as one step: {@code mmap_write_lock}, {@link #doMlock}, unlock, then
     * {@code __mm_populate} under {@code mmap_read_lock}.
     *
     * @return 0; -EPERM when RLIMIT_MEMLOCK is 0; -ENOMEM beyond the limit or for an unmapped part (the VMAs before
     *     the hole are locked, as in the kernel); -EINVAL for a length that wraps (reached only under RLIM_INFINITY,
     *     which the model's setrlimit cannot set: a wrapping length fails the limit check first); -EAGAIN/-ENOMEM if faulting in failed
     */
    public KernelCall<Void> mlock(Mm mm, long start, long len) {
        return doMlock("mlock", mm, start, len, VmFlags.VM_LOCKED);
    }

    /**
     * {@code mlock2(start, len, flags)} (4.4, a8ca5d0ecbdd and b0f205c2a308, Eric B Munson; -ENOSYS before,
     * {@link Switch#MLOCK_ONFAULT}): -EINVAL for a flag other than MLOCK_ONFAULT, which locks the range with
     * VM_LOCKED|VM_LOCKONFAULT and faults nothing in ({@code populate_vma_page_range} returns at once for such a VMA:
     * the pages are locked as they are faulted); else as {@link #mlock}.
     */
    public KernelCall<Void> mlock2(Mm mm, long start, long len, int flags) {
        if (!core.profile().on(Switch.MLOCK_ONFAULT)) {
            return new Syscall<Void>(trace, core.footprint(), "mlock2", Syscall.NO_LOCKS, c -> -Errno.ENOSYS);
        }
        if ((flags & ~Mman.MLOCK_ONFAULT) != 0) {
            return new Syscall<Void>(trace, core.footprint(), "mlock2", Syscall.NO_LOCKS, c -> -Errno.EINVAL);
        }
        long lockFlags = VmFlags.VM_LOCKED | ((flags & Mman.MLOCK_ONFAULT) != 0 ? VmFlags.VM_LOCKONFAULT : 0);
        return doMlock("mlock2", mm, start, len, lockFlags);
    }

    /** {@code do_mlock(start, len, flags)} as one step. */
    private KernelCall<Void> doMlock(String name, Mm mm, long start, long len, long lockFlags) {
        return new Syscall<Void>(trace, core.footprint(), name, () -> mm.mmapLock().write().blocked(), c -> {
            trace.path("do_mlock");
            if (!canDoMlock(mm)) {
                return -Errno.EPERM;
            }
            long off = start & (Page.PAGE_SIZE - 1);
            long alen = Page.align(len + off);
            long astart = start - off;
            long lockLimit = mm.rlimitMemlock() >>> Page.PAGE_SHIFT;
            long r = -Errno.ENOMEM;
            mm.mmapLock().downWrite();
            try {
                long locked = (alen >>> Page.PAGE_SHIFT) + mm.lockedVm();
                if (Long.compareUnsigned(locked, lockLimit) > 0
                        && core.profile().on(Switch.MLOCK_LIMIT_EXCLUDES_LOCKED)) {
                    locked -= countMmMlockedPageNr(mm, astart, alen);
                }
                if (Long.compareUnsigned(locked, lockLimit) <= 0) {
                    r = applyVmaLockFlags(mm, astart, alen, lockFlags);
                }
            } finally {
                mm.mmapLock().upWrite();
            }
            if (r != 0) {
                return r;
            }
            mm.mmapLock().downRead();
            try {
                return mmPopulate(mm, astart, alen, false);
            } finally {
                mm.mmapLock().upRead();
            }
        }).confined();
    }

    /** {@code munlock(start, len)}: {@code mmap_write_lock}, {@code apply_vma_lock_flags(start, len, 0)}, unlock. */
    public KernelCall<Void> munlock(Mm mm, long start, long len) {
        return new Syscall<Void>(trace, core.footprint(), "munlock", () -> mm.mmapLock().write().blocked(), c -> {
            trace.path("munlock");
            long off = start & (Page.PAGE_SIZE - 1);
            mm.mmapLock().downWrite();
            try {
                return applyVmaLockFlags(mm, start - off, Page.align(len + off), 0);
            } finally {
                mm.mmapLock().upWrite();
            }
        }).confined();
    }

    /** {@code can_do_mlock()}: a process without CAP_IPC_LOCK may lock memory only under a non-zero limit. */
    static boolean canDoMlock(Mm mm) {
        return mm.rlimitMemlock() != 0;
    }

    /**
     * {@code mlock_future_ok()} (mm/mmap.c; {@code mlock_future_check} before 6.4): may {@code bytes} more be locked
     * under RLIMIT_MEMLOCK if {@code vmFlags} has VM_LOCKED?
     */
    static boolean mlockFutureOk(Mm mm, long vmFlags, long bytes) {
        if ((vmFlags & VmFlags.VM_LOCKED) == 0) {
            return true;
        }
        long lockedPages = (bytes >>> Page.PAGE_SHIFT) + mm.lockedVm();
        return Long.compareUnsigned(lockedPages, mm.rlimitMemlock() >>> Page.PAGE_SHIFT) <= 0;
    }

    /** {@code count_mm_mlocked_page_nr()}: pages of [start, start+len) already in VM_LOCKED VMAs. */
    private static long countMmMlockedPageNr(Mm mm, long start, long len) {
        long end = start + len;
        if (Long.compareUnsigned(end, start) < 0) {
            end = -1L >>> 1;
        }
        long count = 0;
        for (Vma vma : mm.vmasOverlapping(start, end)) {
            if (vma.has(VmFlags.VM_LOCKED)) {
                count += Mm.pages(Math.max(start, vma.start()), Math.min(end, vma.end()));
            }
        }
        return count;
    }

    /**
     * {@code apply_vma_lock_flags()}: VMA by VMA from {@code start}, {@code mlock_fixup} each to its flags without
     * VM_LOCKED and VM_LOCKONFAULT, plus {@code lockFlags}; the caller holds {@code mmap_lock} for write.
     *
     * @return 0; -EINVAL if the range wraps; -ENOMEM if {@code start} or a later part is unmapped (the VMAs before a
     *     hole keep their new flags)
     */
    long applyVmaLockFlags(Mm mm, long start, long len, long lockFlags) {
        long end = start + len;
        if (Long.compareUnsigned(end, start) < 0) {
            return -Errno.EINVAL;
        }
        if (end == start) {
            return 0;
        }
        List<Vma> vmas = mm.vmasOverlapping(start, end);
        long tmp = start;
        for (Vma vma : vmas) {
            if (vma.start() > tmp) {
                return -Errno.ENOMEM;
            }
            long newFlags = (vma.flags() & ~VmFlags.VM_LOCKED_MASK) | lockFlags;
            long vend = Math.min(vma.end(), end);
            mlockFixup(mm, vma, tmp, vend, newFlags);
            tmp = vend;
        }
        return tmp < end ? -Errno.ENOMEM : 0;
    }

    /**
     * {@code mlock_fixup()}: nothing for a VMA whose flags do not change or that is special (VM_IO, VM_PFNMAP,
     * VM_MIXEDMAP, VM_DONTEXPAND) or hugetlb; else split it at {@code start} and {@code end}, count the pages into or
     * out of {@code mm->locked_vm} (from 4.9 not when it stays locked and only VM_LOCKONFAULT changes,
     * {@link Switch#MLOCK_COUNT_ONCE}), set the flags, and merge
     * the range with its neighbours where it may ({@link VmaMerge}).
     */
    void mlockFixup(Mm mm, Vma vma, long start, long end, long newFlags) {
        long oldFlags = vma.flags();
        if (newFlags == oldFlags || vma.has(VM_SPECIAL | VmFlags.VM_HUGETLB)) {
            return;
        }
        trace.path("mlock_fixup");
        if (start > vma.start()) {
            mm.splitAt(start);
        }
        if (end < mm.vmaAt(start).end()) {
            mm.splitAt(end);
        }
        Vma v = mm.vmaAt(start);
        long pages = Mm.pages(start, end);
        if ((newFlags & VmFlags.VM_LOCKED) == 0) {
            mm.addLockedVm(-pages);
        } else if ((oldFlags & VmFlags.VM_LOCKED) == 0 || !core.profile().on(Switch.MLOCK_COUNT_ONCE)) {
            mm.addLockedVm(pages); // from 4.9 not when locked already (only VM_LOCKONFAULT changes): counted already
        }
        v.setFlags(newFlags);
        VmaMerge.merge(v);
    }

    /**
     * {@code __mm_populate(start, len, 0)} under {@code mmap_read_lock}: {@code populate_vma_page_range} on every VMA
     * part in the range, skipping VM_IO and VM_PFNMAP ones and, without faulting, VM_LOCKONFAULT ones. GUP returns how
     * many pages it faulted in when it stopped part way ({@code __get_user_pages}: the error only if it got none), and
     * {@code __mm_populate} goes on from the page it stopped at ({@code nend = nstart + ret * PAGE_SIZE}), where the
     * same fault now fails at once: the first error ends it, turned POSIX by {@code __mlock_posix_error_return}; with
     * {@code ignoreErrors} ({@code mm_populate}, mlockall's) it goes on at the next VMA and returns 0.
     */
    long mmPopulate(Mm mm, long start, long len, boolean ignoreErrors) {
        long end = start + len;
        for (Vma vma : mm.vmasOverlapping(start, end)) {
            if (vma.has(VmFlags.VM_IO | VmFlags.VM_PFNMAP) || vma.has(VmFlags.VM_LOCKONFAULT)) {
                continue; // populate_vma_page_range: a VM_LOCKONFAULT VMA is locked as it faults
            }
            long e = Math.min(end, vma.end());
            int flags = Foll.FOLL_TOUCH;
            if ((vma.flags() & (VmFlags.VM_WRITE | VmFlags.VM_SHARED)) == VmFlags.VM_WRITE) {
                flags |= Foll.FOLL_WRITE;
            }
            if (vma.has(VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_EXEC)) {
                flags |= Foll.FOLL_FORCE;
            }
            for (long s = Math.max(start, vma.start()); s < e; ) {
                long r = gup.populate(mm, s, Mm.pages(s, e), flags);
                if (r < 0 && ignoreErrors) {
                    break;
                }
                if (r < 0) {
                    return r == -Errno.EFAULT ? -Errno.ENOMEM : r == -Errno.ENOMEM ? -Errno.EAGAIN : r;
                }
                if (r == 0) {
                    break; // no progress and no error: nothing the model's GUP returns, and no endless loop
                }
                s += r * Page.PAGE_SIZE;
            }
        }
        return 0;
    }
}
