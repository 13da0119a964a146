package org.mmsim.kernel;

import java.util.List;

/**
 * {@code madvise()} (mm/madvise.c) for MADV_DONTNEED, MADV_DONTFORK and MADV_DOFORK.
 */
final class Madvise {
    private final Kernel k;

    Madvise(Kernel k) {
        this.k = k;
    }

    /**
     * {@code do_madvise()}.
     *
     * @return 0; -EINVAL for an unaligned start, a length that wraps, an unknown advice, DONTNEED on VM_LOCKED/VM_PFNMAP
     *     ({@code madvise_dontneed_free_valid_vma}) or DOFORK on VM_IO; -ENOMEM if part of the range is unmapped
     *     (the mapped parts are still advised, as in the kernel)
     */
    long madvise(Mm mm, long start, long len, int advice) {
        k.path("do_madvise");
        long v = validate(start, len, advice);
        if (v != 1) {
            return v;
        }
        long end = start + Mmap.pageAlign(len);
        boolean holes = !Mprotect.fullyMapped(mm, start, end);
        List<Vma> vmas = mm.vmasIn(start, end);
        for (Vma vma : vmas) {
            long r = advise(vma, advice);
            if (r != 0) {
                return r;
            }
        }
        return holes ? -Errno.ENOMEM : 0;
    }

    /** The argument checks of {@code do_madvise()}: 1 to go on, else what to return (0 or -EINVAL). */
    long validate(long start, long len, int advice) {
        if ((start & (PageTable.PAGE_SIZE - 1)) != 0) {
            return -Errno.EINVAL;
        }
        if (advice != Mman.MADV_DONTNEED && advice != Mman.MADV_DONTFORK && advice != Mman.MADV_DOFORK) {
            return -Errno.EINVAL;
        }
        if (len == 0) {
            return 0;
        }
        long end = start + Mmap.pageAlign(len);
        return len < 0 || end < start ? -Errno.EINVAL : 1;
    }

    private long advise(Vma vma, int advice) {
        switch (advice) {
            case Mman.MADV_DONTNEED -> {
                if (vma.has(VmFlags.VM_LOCKED | VmFlags.VM_PFNMAP)) {
                    return -Errno.EINVAL;
                }
                k.path("madvise_dontneed_single_vma");
                k.unmap.zapRange(vma, vma.start, vma.end);
            }
            case Mman.MADV_DONTFORK -> setFlags(vma, vma.flags | VmFlags.VM_DONTCOPY);
            case Mman.MADV_DOFORK -> {
                if (vma.has(VmFlags.VM_IO)) {
                    return -Errno.EINVAL;
                }
                setFlags(vma, vma.flags & ~VmFlags.VM_DONTCOPY);
            }
            default -> throw new IllegalArgumentException("advice " + advice);
        }
        return 0;
    }

    private void setFlags(Vma vma, long flags) {
        if (flags != vma.flags) {
            vma.flags = flags;
            k.note("mm " + vma.mm().id() + ": vma " + vma);
        }
    }
}
