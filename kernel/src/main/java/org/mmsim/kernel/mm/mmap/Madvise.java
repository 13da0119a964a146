package org.mmsim.kernel.mm.mmap;

import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.memory.Zap;
import org.mmsim.kernel.mm.notifier.MmuNotifiers;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Mman;

/**
 * {@code madvise()} (mm/madvise.c) for MADV_DONTNEED, MADV_DONTFORK and MADV_DOFORK. Every advice runs as a
 * {@link MadviseCall}: MADV_DONTNEED under {@code mmap_lock} for read, zapping pte by pte; the others under
 * {@code mmap_lock} for write, in one step, here.
 */
public final class Madvise {
    final MmCore core;
    final Tracer trace;
    final Zap zap;
    final MmuNotifiers notifiers;

    public Madvise(MmCore core, Zap zap, MmuNotifiers notifiers) {
        this.notifiers = notifiers;
        this.core = core;
        this.trace = core.trace();
        this.zap = zap;
    }

    /** {@code madvise(start, len, advice)} as a call (see {@link MadviseCall}). */
    public KernelCall<Void> call(Mm mm, long start, long len, int advice) {
        return new MadviseCall(this, mm, start, len, advice);
    }

    /** The argument checks of {@code do_madvise()}: 1 to go on, else what to return (0 or -EINVAL). */
    static long validate(long start, long len, int advice) {
        if (!Page.aligned(start)) {
            return -Errno.EINVAL;
        }
        if (advice != Mman.MADV_DONTNEED && advice != Mman.MADV_DONTFORK && advice != Mman.MADV_DOFORK) {
            return -Errno.EINVAL;
        }
        if (len == 0) {
            return 0;
        }
        long end = start + Page.align(len);
        return len < 0 || end < start ? -Errno.EINVAL : 1;
    }

    /**
     * {@code do_madvise()} for MADV_DONTFORK and MADV_DOFORK; the caller holds {@code mmap_lock} for write.
     *
     * @return 0; -EINVAL for an unaligned start, a length that wraps, an unknown advice, or DOFORK on VM_IO; -ENOMEM
     *     if part of the range is unmapped (the mapped parts are still advised, as in the kernel)
     */
    long adviseVmaFlags(Mm mm, long start, long len, int advice) {
        trace.path("do_madvise");
        long v = validate(start, len, advice);
        if (v != 1) {
            return v;
        }
        long end = start + Page.align(len);
        boolean holes = !mm.fullyMapped(start, end);
        for (Vma vma : mm.vmasIn(start, end)) {
            if (advice == Mman.MADV_DONTFORK) {
                vma.setFlags(vma.flags() | VmFlags.VM_DONTCOPY);
            } else {
                if (vma.has(VmFlags.VM_IO)) {
                    return -Errno.EINVAL;
                }
                vma.setFlags(vma.flags() & ~VmFlags.VM_DONTCOPY);
            }
        }
        return holes ? -Errno.ENOMEM : 0;
    }
}
