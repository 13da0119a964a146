package org.mmsim.kernel.mm.mmap;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.fs.Vfs;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.locking.WaitEvent;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.page.PageFrames;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.sched.Syscall;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code msync()} (mm/msync.c). The argument checks first (-EINVAL: a flag outside MS_ASYNC|MS_INVALIDATE|MS_SYNC,
 * an unaligned start, MS_ASYNC with MS_SYNC; -ENOMEM: a range that wraps; 0 for an empty one), then under
 * {@code mmap_read_lock} VMA by VMA: a hole is -ENOMEM at once under plain MS_ASYNC, else remembered
 * ({@code unmapped_error}) and skipped; MS_INVALIDATE on a VM_LOCKED VMA is -EBUSY; MS_SYNC on a shared file mapping
 * drops the lock and runs {@code vfs_fsync_range()} (the file's {@code ->fsync}: ext4 writes its dirty pages back
 * through the model's writeback, tmpfs has {@code noop_fsync}, a device without {@code ->fsync} is -EINVAL), whose
 * error ends the call. MS_ASYNC is a no-op since 2.6.19 (dirty pages are tracked by the fault path), and
 * MS_INVALIDATE has nothing else to do: the page cache is coherent with every mapping.
 *
 * <p>One step: it waits, as {@code fsync} does, for the pte lock of every mm mapping a file it will sync and for every
 * page of that file locked or under writeback. {@code vfs_fsync_range} syncs the part of the file the VMA maps; the
 * model's {@code ->fsync} writes back the whole file.
 */
public final class Msync {
    public static final int MS_ASYNC = 1;
    public static final int MS_INVALIDATE = 2;
    public static final int MS_SYNC = 4;

    private final MmCore core;
    private final Tracer trace;
    private final Vfs vfs;

    public Msync(MmCore core, Vfs vfs) {
        this.core = core;
        this.trace = core.trace();
        this.vfs = vfs;
    }

    /** {@code msync(start, len, flags)} as a call. */
    public KernelCall<Void> msync(Mm mm, long start, long len, int flags) {
        return new Syscall<Void>(trace, core.footprint(), "msync", () -> blockedOn(mm, start, len, flags),
                c -> doMsync(mm, start, len, flags));
    }

    private Acquire blockedOn(Mm mm, long start, long len, int flags) {
        Acquire a = mm.mmapLock().read().blocked();
        if (a != null || (flags & MS_SYNC) == 0) {
            return a;
        }
        PageFrames frames = core.frames();
        for (File f : filesToSync(mm, start, len)) {
            AddressSpace mapping = f.mapping();
            for (Map.Entry<Long, Integer> e : mapping.pages().entrySet()) {
                int pfn = e.getValue();
                if (frames.test(pfn, PageFlags.PG_LOCKED) || frames.test(pfn, PageFlags.PG_WRITEBACK)) {
                    return new WaitEvent("page " + e.getKey() + " (pfn " + pfn + ") of inode " + mapping.id(), 0,
                            () -> !frames.test(pfn, PageFlags.PG_LOCKED)
                                    && !frames.test(pfn, PageFlags.PG_WRITEBACK));
                }
            }
            for (Vma vma : mapping.iMmap()) {
                Acquire p = vma.mm().ptl().acquire().blocked();
                if (p != null) {
                    return p;
                }
            }
        }
        return null;
    }

    /** The files of the shared file mappings in the range (what MS_SYNC would fsync), if the arguments are valid. */
    private static List<File> filesToSync(Mm mm, long start, long len) {
        List<File> out = new ArrayList<>();
        long end = start + Page.align(len);
        if (!Page.aligned(start) || Long.compareUnsigned(end, start) <= 0) {
            return out;
        }
        for (Vma vma : mm.vmasOverlapping(start, end)) {
            if (vma.file() instanceof File f && vma.has(VmFlags.VM_SHARED) && f.mapping() != null
                    && !out.contains(f)) {
                out.add(f);
            }
        }
        return out;
    }

    /** A file and the bytes [start, end] of it that MS_SYNC writes back ({@code vfs_fsync_range}). */
    private record SyncRange(File file, long start, long end) {}

    /** {@code SYSCALL_DEFINE3(msync)}. */
    long doMsync(Mm mm, long start, long len, int flags) {
        trace.path("msync");
        if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) != 0 || !Page.aligned(start)
                || ((flags & MS_ASYNC) != 0 && (flags & MS_SYNC) != 0)) {
            return -Errno.EINVAL;
        }
        long end = start + Page.align(len);
        if (Long.compareUnsigned(end, start) < 0) {
            return -Errno.ENOMEM;
        }
        if (end == start) {
            return 0;
        }
        long unmappedError = 0;
        List<SyncRange> toSync = new ArrayList<>();
        long error = 0;
        mm.mmapLock().downRead();
        try {
            long addr = start;
            for (Vma vma : mm.vmasOverlapping(start, end)) {
                if (addr < vma.start()) {
                    if (flags == MS_ASYNC) {
                        return -Errno.ENOMEM;
                    }
                    addr = vma.start();
                    unmappedError = -Errno.ENOMEM;
                }
                if ((flags & MS_INVALIDATE) != 0 && vma.has(VmFlags.VM_LOCKED)) {
                    error = -Errno.EBUSY;
                    break;
                }
                if ((flags & MS_SYNC) != 0 && vma.file() instanceof File f && vma.has(VmFlags.VM_SHARED)) {
                    // fstart = (start - vma->vm_start) + (vma->vm_pgoff << PAGE_SHIFT): the file bytes this VMA's
                    // part of the range maps (3.16, 7fc34a62ca44); before it, do_fsync of the whole file
                    long fstart = (addr - vma.start()) + (vma.pgoff() << Page.PAGE_SHIFT);
                    toSync.add(core.profile().on(Switch.MSYNC_RANGE)
                            ? new SyncRange(f, fstart, fstart + (Math.min(end, vma.end()) - addr) - 1)
                            : new SyncRange(f, 0, Long.MAX_VALUE));
                }
                addr = vma.end();
            }
            if (error == 0 && addr < end) {
                error = -Errno.ENOMEM; // find_vma found no VMA at or after addr
            }
        } finally {
            mm.mmapLock().upRead();
        }
        // the kernel drops mmap_lock around each vfs_fsync_range and stops at its first error; the EBUSY or ENOMEM
        // that ended the walk came after the files before it were synced
        for (SyncRange r0 : toSync) {
            long r = vfs.fsync(r0.file(), r0.start(), r0.end());
            if (r != 0) {
                return r;
            }
        }
        return error != 0 ? error : unmappedError;
    }
}
