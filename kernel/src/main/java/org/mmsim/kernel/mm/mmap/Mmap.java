package org.mmsim.kernel.mm.mmap;

import java.util.List;
import java.util.function.Supplier;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.fs.Vfs;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.mm.gup.Gup;
import org.mmsim.kernel.mm.memory.Zap;
import org.mmsim.kernel.mm.notifier.MmuNotifierEvent;
import org.mmsim.kernel.mm.notifier.MmuNotifierRange;
import org.mmsim.kernel.mm.notifier.MmuNotifiers;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.pgtable.PageTable;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.sched.Syscall;
import org.mmsim.kernel.trace.Change;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Mman;

/**
 * Creating and removing mappings (mm/mmap.c, mm/vma.c, mm/util.c): {@code vm_mmap_pgoff} → {@code do_mmap} with
 * {@code get_unmapped_area} and the file's {@code ->mmap}, {@code do_munmap}, {@code exit_mmap}, and
 * {@code __mm_populate} for MAP_POPULATE/MAP_LOCKED.
 *
 * <p>Anonymous private mappings, file mappings (shared or private, of a regular file or a device) and shared
 * anonymous memory, which is a tmpfs object of its own ({@code shmem_zero_setup}). VMAs are never merged
 * ({@code vma_merge}), which changes no page state, only how many VMAs a listing shows.
 */
public final class Mmap {
    private final MmCore core;
    private final Tracer trace;
    private final Zap zap;
    private final Gup gup;
    private final Vfs vfs;
    private final MmuNotifiers notifiers;

    public Mmap(MmCore core, Zap zap, Gup gup, Vfs vfs, MmuNotifiers notifiers) {
        this.notifiers = notifiers;
        this.core = core;
        this.trace = core.trace();
        this.zap = zap;
        this.gup = gup;
        this.vfs = vfs;
    }

    /**
     * {@code mmap(addr, len, prot, flags, fd, off)} as a call ({@code vm_mmap_pgoff}): {@code mmap_write_lock},
     * {@link #doMmap}, unlock, then (MAP_POPULATE, MAP_LOCKED) {@code __mm_populate} under {@code mmap_read_lock}.
     * {@code fd} finds the file when the call runs ({@code fget}); it is not asked for an anonymous mapping.
     */
    public KernelCall<Void> mmap(Mm mm, long addr, long len, int prot, int flags, Supplier<File> fd, long off) {
        return new Syscall<Void>(trace, core.footprint(), "mmap", () -> mm.mmapLock().write().blocked(), c -> {
                    File file = (flags & Mman.MAP_ANONYMOUS) != 0 ? null : fd.get();
                    mm.mmapLock().downWrite();
                    long[] populate = new long[1];
                    long r;
                    try {
                        r = doMmap(mm, addr, len, prot, flags, file, off, populate);
                    } finally {
                        mm.mmapLock().upWrite();
                    }
                    if (r >= 0 && populate[0] != 0) {
                        mm.mmapLock().downRead();
                        try {
                            gup.populate(mm, r, Mm.pages(r, r + Page.align(len)), (int) populate[0]);
                        } finally {
                            mm.mmapLock().upRead();
                        }
                    }
                    return r;
                });
    }

    /**
     * {@code do_mmap()}: {@code mmap(addr, len, prot, flags, file, off)}. {@code file} is ignored with MAP_ANONYMOUS.
     * A shared mapping of a file opened read-only loses VM_MAYWRITE and VM_SHARED (it can never become writable); a
     * private one keeps VM_MAYWRITE, which is what lets FOLL_FORCE write to it (COW). The caller holds mmap_lock for
     * write.
     *
     * @param populate receives the FOLL_* flags {@code __mm_populate} must fault the range in with, or 0
     * @return the start address, or -EINVAL (bad length, alignment or flags), -EBADF (no file), -EACCES (the file's
     *     open mode forbids the mapping), -ENODEV (the file cannot be mapped), -ENOMEM (no room, no memory), -EPERM
     *     (MAP_LOCKED under a zero RLIMIT_MEMLOCK: {@code can_do_mlock}), -EAGAIN (MAP_LOCKED beyond RLIMIT_MEMLOCK:
     *     {@code mlock_future_ok}, checked before a MAP_FIXED mapping unmaps what it replaces)
     */
    long doMmap(Mm mm, long addr, long len, int prot, int flags, File file, long off, long[] populate) {
        trace.path("do_mmap");
        if (len <= 0) {
            return -Errno.EINVAL;
        }
        len = Page.align(len);
        int type = flags & (Mman.MAP_SHARED | Mman.MAP_PRIVATE);
        if (type != Mman.MAP_SHARED && type != Mman.MAP_PRIVATE) {
            return -Errno.EINVAL;
        }
        boolean anon = (flags & Mman.MAP_ANONYMOUS) != 0;
        if (anon) {
            file = null;
            off = 0;
        } else if (file == null) {
            return -Errno.EBADF;
        } else if (!Page.aligned(off) || off < 0) {
            return -Errno.EINVAL;
        }
        long fileFlags = 0;
        if (file != null) {
            if (type == Mman.MAP_SHARED) {
                if ((prot & Mman.PROT_WRITE) != 0 && !file.writable()) {
                    return -Errno.EACCES;
                }
                fileFlags = VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE;
            }
            if (!file.readable()) {
                return -Errno.EACCES;
            }
        }
        if ((flags & Mman.MAP_LOCKED) != 0 && !Mlock.canDoMlock(mm)) {
            return -Errno.EPERM;
        }
        boolean fixed = (flags & Mman.MAP_FIXED) != 0;
        if (fixed) {
            if (!Page.aligned(addr) || addr + len > PageTable.TASK_SIZE || addr <= 0) {
                return -Errno.EINVAL;
            }
        } else {
            addr = getUnmappedArea(mm, addr, len);
            if (addr < 0) {
                return addr;
            }
        }
        if (!Mlock.mlockFutureOk(mm, (flags & Mman.MAP_LOCKED) != 0 ? VmFlags.VM_LOCKED : 0, len)) {
            return -Errno.EAGAIN;
        }
        if (fixed) {
            doMunmap(mm, addr, len);
        }
        long vmFlags = VmFlags.fromProt(prot) | VmFlags.VM_MAYREAD | VmFlags.VM_MAYWRITE | VmFlags.VM_MAYEXEC
                | VmFlags.VM_SOFTDIRTY | fileFlags;
        if (file != null && type == Mman.MAP_SHARED && !file.writable()) {
            vmFlags &= ~(VmFlags.VM_MAYWRITE | VmFlags.VM_SHARED);
        }
        if ((flags & Mman.MAP_NORESERVE) == 0 && (file == null || type == Mman.MAP_PRIVATE)) {
            vmFlags |= VmFlags.VM_ACCOUNT;
        }
        if ((flags & Mman.MAP_LOCKED) != 0) {
            vmFlags |= VmFlags.VM_LOCKED;
        }
        long pgoff = addr >>> Page.PAGE_SHIFT;
        Vma vma;
        if (file != null) {
            file.get();
            vma = new Vma(mm, addr, addr + len, vmFlags, off >>> Page.PAGE_SHIFT, file);
            int r = file.fops().mmap(file, vma);
            if (r < 0) {
                file.put();
                return r;
            }
        } else if (type == Mman.MAP_SHARED) {
            File shmem = vfs.shmemZeroSetup(len);
            vma = new Vma(mm, addr, addr + len, vmFlags | VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE, 0, shmem);
            shmem.fops().mmap(shmem, vma);
        } else {
            vma = new Vma(mm, addr, addr + len, vmFlags, pgoff, null);
        }
        if (vma.has(VmFlags.VM_LOCKED)) {
            // mmap_region(): a special or hugetlb VMA never stays VM_LOCKED; any other is counted
            if (vma.has(Mlock.VM_SPECIAL | VmFlags.VM_HUGETLB)) {
                vma.setFlags(vma.flags() & ~VmFlags.VM_LOCKED);
            } else {
                mm.addLockedVm(Mm.pages(addr, addr + len));
            }
        }
        mm.linkNewVma(vma);
        if ((flags & (Mman.MAP_POPULATE | Mman.MAP_LOCKED)) != 0) {
            populate[0] = populateFlags(vma);
        }
        return addr;
    }

    /**
     * The flags {@code populate_vma_page_range()} faults with: writable private mappings are touched with a write
     * fault to break COW, as the kernel does.
     */
    private static long populateFlags(Vma vma) {
        int gupFlags = Foll.FOLL_TOUCH;
        if ((vma.flags() & (VmFlags.VM_WRITE | VmFlags.VM_SHARED)) == VmFlags.VM_WRITE) {
            gupFlags |= Foll.FOLL_WRITE;
        }
        return gupFlags;
    }

    /**
     * {@code get_unmapped_area()} top-down ({@code unmapped_area_topdown}): the hint if it is free, else the highest
     * gap below {@code mmap_base} that fits.
     */
    long getUnmappedArea(Mm mm, long hint, long len) {
        if (hint > 0 && Page.aligned(hint) && hint + len <= PageTable.TASK_SIZE && mm.isFree(hint, hint + len)) {
            return hint;
        }
        long top = mm.mmapBase();
        for (Vma vma : mm.vmasDescending()) {
            if (vma.start() >= top) {
                continue;
            }
            if (vma.end() <= top - len) {
                return top - len;
            }
            top = vma.start();
        }
        return top - len >= Page.PAGE_SIZE * 16 ? top - len : -Errno.ENOMEM;
    }

    /** {@code munmap(addr, len)} as a call: {@code mmap_write_lock}, {@link #doMunmap}, unlock. */
    public KernelCall<Void> munmap(Mm mm, long addr, long len) {
        return new Syscall<Void>(trace, core.footprint(), "munmap", () -> mm.mmapLock().write().blocked(), c -> {
            mm.mmapLock().downWrite();
            try {
                return doMunmap(mm, addr, len);
            } finally {
                mm.mmapLock().upWrite();
            }
        }).confined();
    }

    /**
     * {@code do_munmap()}: remove [addr, addr+len) from the address space, splitting VMAs at the edges. The caller
     * holds mmap_lock for write.
     *
     * @return 0, or -EINVAL for an unaligned or empty range
     */
    long doMunmap(Mm mm, long addr, long len) {
        trace.path("do_munmap");
        if (!Page.aligned(addr) || len <= 0 || addr < 0 || addr > PageTable.TASK_SIZE
                || len > PageTable.TASK_SIZE - addr) {
            return -Errno.EINVAL;
        }
        long end = addr + Page.align(len);
        List<Vma> vmas = mm.vmasIn(addr, end);
        MmuNotifierRange range = MmuNotifierRange.of(MmuNotifierEvent.UNMAP, mm, addr, end);
        if (!vmas.isEmpty()) {
            notifiers.invalidateRangeStart(range);
        }
        for (Vma vma : vmas) {
            zap.zapRange(vma, vma.start(), vma.end());
            if (vma.has(VmFlags.VM_LOCKED)) {
                mm.addLockedVm(-Mm.pages(vma.start(), vma.end())); // vms_gather_munmap_vmas
            }
            mm.removeVma(vma);
            if (trace.on()) {
                trace.record(new Change.Vma(mm.id(), Change.VmaEvent.REMOVED, vma.start(), vma.end(), vma.flags(), 0));
            }
        }
        if (!vmas.isEmpty()) {
            notifiers.invalidateRangeEnd(range);
        }
        mm.pageTable().freeTables(addr, end);
        return 0;
    }

    /**
     * {@code exit_mmap()}: {@code mmu_notifier_release} first (every subscriber stops its secondary access), then
     * unmap everything ({@code unmap_vmas}: an MMU_NOTIFY_UNMAP range over the whole address space, which only
     * interval notifiers still hear) and free the page tables; the mm is dead afterwards.
     */
    public void exitMmap(Mm mm) {
        trace.path("exit_mmap");
        notifiers.release(mm);
        List<Vma> vmas = mm.vmas();
        MmuNotifierRange range = MmuNotifierRange.of(MmuNotifierEvent.UNMAP, mm, 0, PageTable.TASK_SIZE);
        if (!vmas.isEmpty()) {
            notifiers.invalidateRangeStart(range);
        }
        for (Vma vma : vmas) {
            zap.zapRange(vma, vma.start(), vma.end());
            mm.removeVma(vma);
        }
        if (!vmas.isEmpty()) {
            notifiers.invalidateRangeEnd(range);
        }
        mm.pageTable().freeTables(0, PageTable.TASK_SIZE);
        mm.markDead();
    }
}
