package org.mmsim.kernel.mm.mmap;

import java.util.List;
import java.util.function.Supplier;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.fs.Vfs;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.VmaMerge;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.mm.gup.Gup;
import org.mmsim.kernel.mm.memory.Zap;
import org.mmsim.kernel.mm.notifier.MmuNotifierEvent;
import org.mmsim.kernel.mm.notifier.MmuNotifierRange;
import org.mmsim.kernel.mm.notifier.MmuNotifiers;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.pgtable.PageTable;
import org.mmsim.kernel.profile.Switch;
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
 * anonymous memory, which is a tmpfs object of its own ({@code shmem_zero_setup}). A new mapping merges with the
 * VMAs it touches when it may ({@link VmaMerge}; {@code vma_merge_new_range}), and the merged VMA is VM_SOFTDIRTY
 * as a whole. The kernel tries the merge before the file's {@code ->mmap}, which it then does not call; the model
 * calls it and merges after, the same for every file of the model (a device's {@code ->mmap} sets VM_IO or
 * VM_PFNMAP, which never merge).
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
     * {@link #doMmap}, unlock, then (MAP_POPULATE, or VM_LOCKED from MAP_LOCKED or {@code mm->def_flags}, unless
     * VM_LOCKONFAULT) {@code __mm_populate} under {@code mmap_read_lock}.
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
     * {@code mmap()} from the system call down: {@code sys_mmap} (arch/x86/kernel/sys_x86_64.c) refuses an unaligned
     * offset (-EINVAL), {@code ksys_mmap_pgoff} a missing file (-EBADF), then {@code do_mmap()} in its order: a zero
     * length (-EINVAL); MAP_FIXED_NOREPLACE implies MAP_FIXED; a hint is {@code round_hint_to_min}'d (rounded DOWN to
     * its page, {@code hint &= PAGE_MASK}, and raised to {@code mmap_min_addr}); a length whose {@code PAGE_ALIGN}
     * wraps to 0 (-ENOMEM); an offset past the largest file (-EOVERFLOW); more than {@code Mm.MAX_MAP_COUNT} VMAs
     * already (-ENOMEM, "Too many mappings?"); {@link #getUnmappedArea}; MAP_FIXED_NOREPLACE
     * over a mapping (-EEXIST); then the mapping type ({@code flags & MAP_TYPE}). For a file: MAP_SHARED drops every
     * flag outside {@code LEGACY_MAP_MASK}, MAP_SHARED_VALIDATE fails them with -EOPNOTSUPP (no model file has
     * {@code FOP_MMAP_SYNC}); a shared writable mapping of a file not open for writing is -EACCES, any mapping of a
     * file not open for reading -EACCES. Anonymous: only MAP_SHARED and MAP_PRIVATE (MAP_SHARED_VALIDATE is -EINVAL
     * there; unknown flags are ignored). Anything else is -EINVAL. Only then does MAP_FIXED unmap what was there.
     *
     * <p>A shared mapping of a file opened read-only loses VM_MAYWRITE and VM_SHARED (it can never become writable); a
     * private one keeps VM_MAYWRITE, which is what lets FOLL_FORCE write to it (COW). The caller holds mmap_lock for
     * write. MAP_SHARED_VALIDATE (4.15) and MAP_FIXED_NOREPLACE (4.17) exist where their switches are on: before,
     * the map type 3 is -EINVAL and MAP_FIXED_NOREPLACE an unknown bit, ignored.
     *
     * @param populate receives the FOLL_* flags {@code __mm_populate} must fault the range in with, or 0
     * @return the start address, or -EINVAL (bad length, alignment or type), -EBADF (no file), -EACCES (the file's
     *     open mode forbids the mapping), -EOPNOTSUPP, -EEXIST, -EOVERFLOW, -EPERM (MAP_FIXED below
     *     {@code mmap_min_addr}; MAP_LOCKED under a zero RLIMIT_MEMLOCK: {@code can_do_mlock}), -EAGAIN (MAP_LOCKED,
     *     or VM_LOCKED in {@code mm->def_flags}, beyond RLIMIT_MEMLOCK: {@code mlock_future_ok}, checked before a
     *     MAP_FIXED mapping unmaps what it replaces), -ENODEV (the file cannot be mapped), -ENOMEM (no room, too long,
     *     no memory)
     */
    long doMmap(Mm mm, long addr, long len, int prot, int flags, File file, long off, long[] populate) {
        trace.path("do_mmap");
        if (!Page.aligned(off)) {
            return -Errno.EINVAL; // sys_mmap: off & ~PAGE_MASK
        }
        boolean anon = (flags & Mman.MAP_ANONYMOUS) != 0;
        if (anon) {
            file = null;
        } else if (file == null) {
            return -Errno.EBADF; // ksys_mmap_pgoff: fget
        }
        if (len == 0) {
            return -Errno.EINVAL;
        }
        if (!core.profile().on(Switch.MAP_FIXED_NOREPLACE)) {
            flags &= ~Mman.MAP_FIXED_NOREPLACE; // an unknown bit before 4.17: ignored, the address a hint
        }
        if ((flags & Mman.MAP_FIXED_NOREPLACE) != 0) {
            flags |= Mman.MAP_FIXED;
        }
        if ((flags & Mman.MAP_FIXED) == 0) {
            addr = roundHintToMin(addr);
        }
        len = Page.align(len);
        if (len == 0) {
            return -Errno.ENOMEM; // PAGE_ALIGN wrapped
        }
        if (file != null && off < 0) {
            return -Errno.EOVERFLOW; // file_mmap_ok: beyond MAX_LFS_FILESIZE
        }
        if (mm.mapCount() > Mm.MAX_MAP_COUNT) {
            return -Errno.ENOMEM; // "Too many mappings?"
        }
        addr = getUnmappedArea(mm, addr, len, flags);
        if (addr < 0) {
            return addr;
        }
        if ((flags & Mman.MAP_FIXED_NOREPLACE) != 0 && !mm.isFree(addr, addr + len)) {
            return -Errno.EEXIST;
        }
        int type = flags & Mman.MAP_TYPE;
        if (type == Mman.MAP_SHARED_VALIDATE && !core.profile().on(Switch.MAP_SHARED_VALIDATE)) {
            return -Errno.EINVAL; // the map type switch's default before 4.15
        }
        long fileFlags = 0;
        if (file != null) {
            switch (type) {
                case Mman.MAP_SHARED, Mman.MAP_SHARED_VALIDATE -> {
                    if (type == Mman.MAP_SHARED) {
                        flags &= LEGACY_MAP_MASK;
                    }
                    if ((flags & ~LEGACY_MAP_MASK) != 0) {
                        return -Errno.EOPNOTSUPP;
                    }
                    if ((prot & Mman.PROT_WRITE) != 0 && !file.writable()) {
                        return -Errno.EACCES;
                    }
                    fileFlags = VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE;
                    if (!file.readable()) {
                        return -Errno.EACCES;
                    }
                }
                case Mman.MAP_PRIVATE -> {
                    if (!file.readable()) {
                        return -Errno.EACCES;
                    }
                }
                default -> {
                    return -Errno.EINVAL;
                }
            }
        } else if (type != Mman.MAP_SHARED && type != Mman.MAP_PRIVATE) {
            return -Errno.EINVAL;
        }
        boolean shared = type != Mman.MAP_PRIVATE;
        if ((flags & Mman.MAP_LOCKED) != 0 && !Mlock.canDoMlock(mm)) {
            return -Errno.EPERM;
        }
        boolean fixed = (flags & Mman.MAP_FIXED) != 0;
        if (!Mlock.mlockFutureOk(mm, ((flags & Mman.MAP_LOCKED) != 0 ? VmFlags.VM_LOCKED : 0) | mm.defFlags(), len)) {
            return -Errno.EAGAIN;
        }
        if (fixed) {
            long r = doMunmap(mm, addr, len, "mmap");
            if (r != 0) {
                return r; // mmap_region: do_vmi_munmap failed, -ENOMEM
            }
        }
        long vmFlags = VmFlags.fromProt(prot) | VmFlags.VM_MAYREAD | VmFlags.VM_MAYWRITE | VmFlags.VM_MAYEXEC
                | VmFlags.VM_SOFTDIRTY | fileFlags | mm.defFlags();
        if (file != null && shared && !file.writable()) {
            vmFlags &= ~(VmFlags.VM_MAYWRITE | VmFlags.VM_SHARED);
        }
        // accountable_mapping(): only a private writable mapping is charged to the commit (shmem charges its own)
        if ((flags & Mman.MAP_NORESERVE) == 0 && !shared && (vmFlags & VmFlags.VM_WRITE) != 0) {
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
        } else if (shared) {
            File shmem = vfs.shmemZeroSetup(len);
            vma = new Vma(mm, addr, addr + len, vmFlags | VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE, 0, shmem);
            shmem.fops().mmap(shmem, vma);
        } else {
            vma = new Vma(mm, addr, addr + len, vmFlags, pgoff, null);
        }
        if (vma.has(VmFlags.VM_LOCKED)) {
            // mmap_region(): a special or hugetlb VMA never stays VM_LOCKED; any other is counted
            if (vma.has(Mlock.VM_SPECIAL | VmFlags.VM_HUGETLB)) {
                vma.setFlags(vma.flags() & ~VmFlags.VM_LOCKED_MASK);
            } else {
                mm.addLockedVm(Mm.pages(addr, addr + len));
            }
        }
        mm.linkNewVma(vma);
        vma = VmaMerge.merge(vma);
        // do_mmap: *populate for VM_LOCKED (MAP_LOCKED or mm->def_flags) or MAP_POPULATE; __mm_populate's
        // populate_vma_page_range faults nothing into a VM_LOCKONFAULT VMA
        if (((flags & (Mman.MAP_POPULATE | Mman.MAP_LOCKED)) != 0 || (vmFlags & VmFlags.VM_LOCKED) != 0)
                && !vma.has(VmFlags.VM_LOCKONFAULT)) {
            populate[0] = populateFlags(vma);
        }
        return addr;
    }

    /**
     * {@code LEGACY_MAP_MASK} (include/linux/mman.h): MAP_SHARED, MAP_PRIVATE, MAP_FIXED, MAP_ANONYMOUS, MAP_DENYWRITE,
     * MAP_EXECUTABLE, MAP_UNINITIALIZED, MAP_GROWSDOWN, MAP_LOCKED, MAP_NORESERVE, MAP_POPULATE, MAP_NONBLOCK,
     * MAP_STACK, MAP_HUGETLB, MAP_32BIT, MAP_HUGE_2MB, MAP_HUGE_1GB (x86-64 values). MAP_FIXED_NOREPLACE is not in it.
     */
    static final int LEGACY_MAP_MASK = Mman.MAP_SHARED | Mman.MAP_PRIVATE | Mman.MAP_FIXED | Mman.MAP_ANONYMOUS
            | 0x0800 | 0x1000 | 0x4000000 | 0x0100 | Mman.MAP_LOCKED | Mman.MAP_NORESERVE | Mman.MAP_POPULATE
            | Mman.MAP_NONBLOCK | Mman.MAP_STACK | Mman.MAP_HUGETLB | 0x40 | (21 << 26) | (30 << 26);

    /**
     * {@code mmap_min_addr} (CONFIG_DEFAULT_MMAP_MIN_ADDR as distributions set it, 65536): the lowest address an
     * unprivileged task may map; the model's top-down search also stops there.
     */
    static final long MMAP_MIN_ADDR = 16 * Page.PAGE_SIZE;

    /**
     * {@code round_hint_to_min()} (mm/mmap.c): {@code hint &= PAGE_MASK} (an unaligned hint is rounded down to its
     * page, not ignored), and a nonzero hint below {@code mmap_min_addr} becomes {@code PAGE_ALIGN(mmap_min_addr)}.
     */
    static long roundHintToMin(long hint) {
        hint &= -Page.PAGE_SIZE;
        if (hint != 0 && Long.compareUnsigned(hint, MMAP_MIN_ADDR) < 0) {
            return MMAP_MIN_ADDR;
        }
        return hint;
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
     * {@code __get_unmapped_area()}: -ENOMEM for a length beyond TASK_SIZE; MAP_FIXED takes {@code addr} as it is,
     * otherwise {@code arch_get_unmapped_area_topdown} (arch/x86/kernel/sys_x86_64.c) takes the (already rounded)
     * hint if it is valid ({@code mmap_address_hint_valid}) and free, else the highest gap below {@code mmap_base}
     * that fits. Then -ENOMEM if the range ends beyond TASK_SIZE, -EINVAL if the address is not page aligned (only a
     * MAP_FIXED one can be), and {@code security_mmap_addr} ({@code cap_mmap_addr}): -EPERM below
     * {@code mmap_min_addr} for a task without CAP_SYS_RAWIO.
     */
    /** {@link #getUnmappedArea(Mm, long, long, int)} for a mapping that is not MAP_FIXED (mremap's move). */
    long getUnmappedArea(Mm mm, long hint, long len) {
        return getUnmappedArea(mm, hint, len, 0);
    }

    private long getUnmappedArea(Mm mm, long addr, long len, int flags) {
        if (Long.compareUnsigned(len, PageTable.TASK_SIZE) > 0) {
            return -Errno.ENOMEM;
        }
        if ((flags & Mman.MAP_FIXED) == 0) {
            addr = topDown(mm, addr, len);
            if (addr < 0) {
                return addr;
            }
        }
        if (Long.compareUnsigned(addr, PageTable.TASK_SIZE - len) > 0) {
            return -Errno.ENOMEM;
        }
        if (!Page.aligned(addr)) {
            return -Errno.EINVAL;
        }
        if (addr < MMAP_MIN_ADDR) {
            return -Errno.EPERM;
        }
        return addr;
    }

    /**
     * {@code arch_get_unmapped_area_topdown()}: the hint if it is free, else {@code unmapped_area_topdown}: the highest
     * gap of at least {@code len} below {@code mmap_base}. The kernel finds it in O(log n) through the gaps its maple
     * tree keeps; the model starts below the stretch under {@code mmap_base} that it last found covered without a
     * hole ({@code Mm.coveredFrom}), so that mapping after mapping below one another costs one step each, not a walk
     * over all of them.
     */
    private static long topDown(Mm mm, long hint, long len) {
        if (hint != 0 && Long.compareUnsigned(hint, PageTable.TASK_SIZE - len) <= 0 && mm.isFree(hint, hint + len)) {
            return hint;
        }
        long top = mm.coveredFrom() >= 0 ? mm.coveredFrom() : mm.mmapBase();
        boolean covered = true;
        for (Vma vma = mm.vmaBelow(top); vma != null; vma = mm.vmaBelow(top)) {
            if (vma.end() <= top - len) {
                if (covered) {
                    mm.coveredFrom(top);
                }
                return top - len;
            }
            if (vma.end() < top) {
                covered = false; // a hole too small for len: the covered stretch ends above it
            }
            if (covered) {
                mm.coveredFrom(vma.start());
            }
            top = vma.start();
        }
        return top - len >= MMAP_MIN_ADDR ? top - len : -Errno.ENOMEM;
    }

    /** {@code munmap(addr, len)} as a call: {@code mmap_write_lock}, {@link #doMunmap}, unlock. */
    public KernelCall<Void> munmap(Mm mm, long addr, long len) {
        return new Syscall<Void>(trace, core.footprint(), "munmap", () -> mm.mmapLock().write().blocked(), c -> {
            mm.mmapLock().downWrite();
            try {
                return doMunmap(mm, addr, len, "munmap");
            } finally {
                mm.mmapLock().upWrite();
            }
        }).confined();
    }

    /**
     * {@code do_munmap()}: remove [addr, addr+len) from the address space, splitting VMAs at the edges. The caller
     * holds mmap_lock for write.
     *
     * <p>{@code cause} names the program's call (munmap, mmap's MAP_FIXED, mremap) for the pages a pin or a device
     * keeps ({@link org.mmsim.kernel.mm.Detachments}).
     *
     * @return 0, or -EINVAL for an unaligned or empty range
     */
    long doMunmap(Mm mm, long addr, long len, String cause) {
        trace.path("do_munmap");
        if (!Page.aligned(addr) || len <= 0 || addr < 0 || addr > PageTable.TASK_SIZE
                || len > PageTable.TASK_SIZE - addr) {
            return -Errno.EINVAL;
        }
        long end = addr + Page.align(len);
        List<Vma> vmas = mm.vmasToUnmap(addr, end);
        if (vmas == null) {
            return -Errno.ENOMEM; // vms_gather_munmap_vmas: a split with map_count at sysctl_max_map_count
        }
        MmuNotifierRange range = MmuNotifierRange.of(MmuNotifierEvent.UNMAP, mm, addr, end);
        if (!vmas.isEmpty()) {
            notifiers.invalidateRangeStart(range);
        }
        for (Vma vma : vmas) {
            zap.zapRange(vma, vma.start(), vma.end(), cause);
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
        core.frames().ledger().giveUp(); // a dead mm makes the next accounting check a full one: record nothing
        notifiers.release(mm);
        // every pte goes and every table with it: the next fingerprint sums what is left (nothing) instead
        mm.pageTable().dropHash();
        List<Vma> vmas = mm.vmas();
        MmuNotifierRange range = MmuNotifierRange.of(MmuNotifierEvent.UNMAP, mm, 0, PageTable.TASK_SIZE);
        if (!vmas.isEmpty()) {
            notifiers.invalidateRangeStart(range);
        }
        for (Vma vma : vmas) {
            zap.zapForExit(vma);
            mm.removeVma(vma);
        }
        if (!vmas.isEmpty()) {
            notifiers.invalidateRangeEnd(range);
        }
        mm.pageTable().freeAll();
        mm.markDead();
    }
}
