package org.mmsim.kernel.mm.mmap;

import java.util.List;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.pgtable.PageTable;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.sched.Syscall;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Mman;

/**
 * {@code mlockall()} and {@code munlockall()} (mm/mlock.c): every VMA of the mm locked or unlocked by
 * {@code mlock_fixup}, and {@code mm->def_flags}, which {@code do_mmap} gives every later VMA (MCL_FUTURE).
 *
 * <p>{@code mlockall(flags)}: -EINVAL for no flag, an unknown one (MCL_ONFAULT from 4.4,
 * {@link Switch#MLOCK_ONFAULT}; before, any flag but MCL_CURRENT and MCL_FUTURE), or from 5.2 MCL_ONFAULT alone
 * ({@link Switch#MLOCKALL_ONFAULT_EINVAL}; before, that unlocks everything as munlockall does);
 * {@code can_do_mlock()} (-EPERM under a zero RLIMIT_MEMLOCK); under {@code mmap_write_lock}, with MCL_CURRENT, every
 * mapped page ({@code total_vm}) must fit the limit, else -ENOMEM; {@code apply_mlockall_flags()} sets
 * {@code def_flags} (VM_LOCKED, with VM_LOCKONFAULT for MCL_ONFAULT, for MCL_FUTURE) and, for MCL_CURRENT, fixes every
 * VMA's lock flags (VM_LOCKED, VM_LOCKONFAULT with MCL_ONFAULT), ignoring their errors; then
 * {@code mm_populate(0, TASK_SIZE)}, which skips VM_LOCKONFAULT VMAs and ignores errors. {@code munlockall()} is
 * {@code apply_mlockall_flags(0)}: {@code def_flags} cleared and every VMA unlocked. One step each, as {@link Mlock}'s
 * calls.
 */
public final class Mlockall {
    private final MmCore core;
    private final Tracer trace;
    private final Mlock mlock;

    public Mlockall(MmCore core, Mlock mlock) {
        this.core = core;
        this.trace = core.trace();
        this.mlock = mlock;
    }

    /** {@code mlockall(flags)}: 0, -EINVAL, -EPERM or -ENOMEM. */
    public KernelCall<Void> mlockall(Mm mm, int flags) {
        return new Syscall<Void>(trace, core.footprint(), "mlockall", () -> mm.mmapLock().write().blocked(), c -> {
            trace.path("mlockall");
            int known = Mman.MCL_CURRENT | Mman.MCL_FUTURE
                    | (core.profile().on(Switch.MLOCK_ONFAULT) ? Mman.MCL_ONFAULT : 0);
            if (flags == 0 || (flags & ~known) != 0
                    || flags == Mman.MCL_ONFAULT && core.profile().on(Switch.MLOCKALL_ONFAULT_EINVAL)) {
                return -Errno.EINVAL;
            }
            if (!Mlock.canDoMlock(mm)) {
                return -Errno.EPERM;
            }
            long lockLimit = mm.rlimitMemlock() >>> Page.PAGE_SHIFT;
            mm.mmapLock().downWrite();
            try {
                if ((flags & Mman.MCL_CURRENT) != 0 && Long.compareUnsigned(totalVm(mm), lockLimit) > 0) {
                    return -Errno.ENOMEM;
                }
                applyMlockallFlags(mm, flags);
            } finally {
                mm.mmapLock().upWrite();
            }
            if ((flags & Mman.MCL_CURRENT) != 0) {
                mm.mmapLock().downRead();
                try {
                    mlock.mmPopulate(mm, 0, PageTable.TASK_SIZE, true);
                } finally {
                    mm.mmapLock().upRead();
                }
            }
            return 0;
        }).confined();
    }

    /** {@code munlockall()}: 0. */
    public KernelCall<Void> munlockall(Mm mm) {
        return new Syscall<Void>(trace, core.footprint(), "munlockall", () -> mm.mmapLock().write().blocked(), c -> {
            trace.path("munlockall");
            mm.mmapLock().downWrite();
            try {
                applyMlockallFlags(mm, 0);
            } finally {
                mm.mmapLock().upWrite();
            }
            return 0;
        }).confined();
    }

    /** {@code apply_mlockall_flags()}; the caller holds {@code mmap_lock} for write. */
    private void applyMlockallFlags(Mm mm, int flags) {
        long defFlags = mm.defFlags() & ~VmFlags.VM_LOCKED_MASK;
        long onFault = (flags & Mman.MCL_ONFAULT) != 0 ? VmFlags.VM_LOCKONFAULT : 0;
        if ((flags & Mman.MCL_FUTURE) != 0) {
            defFlags |= VmFlags.VM_LOCKED | onFault;
        }
        mm.setDefFlags(defFlags);
        if ((flags & Mman.MCL_FUTURE) != 0 && (flags & Mman.MCL_CURRENT) == 0) {
            return;
        }
        long toAdd = (flags & Mman.MCL_CURRENT) != 0 ? VmFlags.VM_LOCKED | onFault : 0;
        List<Vma> vmas = mm.vmas();
        for (Vma vma : vmas) {
            if (mm.vmaAt(vma.start()) != vma) {
                continue; // merged into the one before it by the previous fixup
            }
            mlock.mlockFixup(mm, vma, vma.start(), vma.end(), (vma.flags() & ~VmFlags.VM_LOCKED_MASK) | toAdd);
        }
    }

    /** {@code mm->total_vm}: the pages of every VMA. */
    private static long totalVm(Mm mm) {
        long pages = 0;
        for (Vma vma : mm.vmas()) {
            pages += Mm.pages(vma.start(), vma.end());
        }
        return pages;
    }
}
