package org.mmsim.kernel.syscall;

import java.util.Map;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.mmsim.kernel.fs.FdTable;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.fs.Vfs;
import org.mmsim.kernel.iouring.IoRing;
import org.mmsim.kernel.iouring.IoUring;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.locking.WaitEvent;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.WordRead;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.page.PageFrames;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.sched.Syscall;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Errno;

/**
 * The system calls on file descriptors (fs/open.c, fs/read_write.c, fs/sync.c, fs/namei.c, fs/pipe.c, fs/splice.c,
 * mm/memfd.c, io_uring/io_uring.c): each resolves its fds in the calling task's table when it runs ({@code fdget}),
 * and a fd that is not open is -EBADF, decided here, not by the caller. A file call takes no lock a suspended kernel
 * call could hold, except vmsplice (GUP: {@code mmap_lock} for read and the pte lock), fsync (the pte lock of every mm
 * that maps the file, for {@code folio_mkclean}) and io_uring's buffer registration (GUP).
 */
public final class FileSyscalls {
    private static final String PROC_SELF_FD = "/proc/self/fd/";

    private final MmCore core;
    private final Vfs vfs;
    private final IoUring ioUring;

    public FileSyscalls(MmCore core, Vfs vfs, IoUring ioUring) {
        this.core = core;
        this.vfs = vfs;
        this.ioUring = ioUring;
    }

    private <R> KernelCall<R> call(Task t, String name, Syscall.Needs needs, Syscall.Body<R> body) {
        return new Syscall<>(core.trace(), core.footprint(), name, needs, body).current(Syscalls.mmOf(t).id());
    }

    /** A call on the open file behind {@code fd}: -EBADF if there is none when it runs. */
    private KernelCall<Void> onFd(Task t, String name, int fd, ToLongFunction<File> body) {
        return call(t, name, Syscall.NO_LOCKS, c -> {
            File f = t.files().get(fd);
            return f == null ? -Errno.EBADF : body.applyAsLong(f);
        });
    }

    /** Install {@code f} (null: the open failed with {@code failure}) in {@code t}'s table: the fd, or -errno. */
    private static long install(Task t, File f, int failure) {
        return f == null ? failure : t.files().install(f);
    }

    /** {@code open(/FS/NAME, O_CREAT|O_RDWR)} then {@code ftruncate(size)}: the fd, or -EMFILE. */
    public KernelCall<Void> creat(Task t, FsType fs, String name, long size) {
        return call(t, "creat", Syscall.NO_LOCKS, c -> install(t, vfs.creat(fs, name, size), 0));
    }

    /** {@code memfd_create(name)} then {@code ftruncate(size)}: the fd, or -EMFILE; -ENOSYS before 3.17. */
    public KernelCall<Void> memfdCreate(Task t, String name, long size) {
        return call(t, "memfd_create", Syscall.NO_LOCKS, c -> core.profile().on(Switch.MEMFD_CREATE)
                ? install(t, vfs.memfdCreate(name, size), 0) : -Errno.ENOSYS);
    }

    /**
     * {@code open(path, flags)}: a named file ({@code /ext4/NAME}, {@code /tmpfs/NAME}), a device ({@code /dev/NAME}),
     * or {@code /proc/self/fd/N}, which opens the inode fd {@code N} is open on again (an unlinked one too). The fd, or
     * -ENOENT, -EMFILE, or the errno of a device's {@code ->open}.
     */
    public KernelCall<Void> open(Task t, String path, int flags) {
        return call(t, "open", () -> vfs.openBlockedOn(path, Syscalls.mmOf(t)), c -> {
            if (path.startsWith(PROC_SELF_FD)) {
                File f = t.files().get(parseFd(path.substring(PROC_SELF_FD.length())));
                return install(t, f == null ? null : vfs.reopen(f, flags), -Errno.ENOENT);
            }
            Vfs.Opened o = vfs.open(path, flags, Syscalls.mmOf(t));
            return o.file() == null ? o.err() : t.files().install(o.file());
        });
    }

    private static int parseFd(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** {@code close(fd)}: 0, or -EBADF. The file is released with its last reference. */
    public KernelCall<Void> close(Task t, int fd) {
        return call(t, "close", Syscall.NO_LOCKS, c -> {
            File f = t.files().remove(fd);
            if (f == null) {
                return -Errno.EBADF;
            }
            f.put();
            return 0;
        });
    }

    /**
     * {@code ioctl(fd, cmd, arg)} with the fields of the argument structure in {@code args}: see {@link IoctlCall}.
     * What the driver returns, or -EBADF, -ENOTTY.
     */
    public KernelCall<Void> ioctl(Task t, int fd, int cmd, long... args) {
        return new IoctlCall(core.trace(), core.footprint(), t, fd, cmd, args).current(Syscalls.mmOf(t).id());
    }

    /**
     * {@code read(fd, buf, count)} of a device that returns records ({@code FileOperations#readCall}), which may sleep
     * until one is there: see {@link RecordReadCall}. The bytes read, or -EBADF, -EINVAL, or the driver's -errno;
     * {@link RecordReadCall#buffer} holds what was read.
     */
    public RecordReadCall readRecords(Task t, int fd, long count, boolean nonblock) {
        RecordReadCall c = new RecordReadCall(core.trace(), core.footprint(), t, fd, count, nonblock);
        c.current(Syscalls.mmOf(t).id());
        return c;
    }

    /**
     * {@code poll(&(struct pollfd){fd, POLLIN|POLLOUT}, 1, 0)}: the events {@code ->poll} reports ready now
     * ({@code vfs_poll}; {@code DEFAULT_POLLMASK} for a file without the hook); -EBADF for a bad fd (where poll(2)
     * would report POLLNVAL).
     */
    public KernelCall<Void> poll(Task t, int fd) {
        return onFd(t, "poll", fd, f -> f.fops().poll(f));
    }

    /** {@code unlink(path)}: 0, or -ENOENT. */
    public KernelCall<Void> unlink(Task t, String path) {
        return call(t, "unlink", Syscall.NO_LOCKS, c -> vfs.unlink(path));
    }

    /** {@code read(fd, &word, 8)} at {@code offset} (for a pipe: within the buffer read); the result is the word. */
    public KernelCall<WordRead> read(Task t, int fd, long offset) {
        return readCall(t, "read", fd, f -> vfs.read(f, offset));
    }

    /** {@code pread(fd, &word, 8, pos)}: -ESPIPE on a pipe or a device. */
    public KernelCall<WordRead> pread(Task t, int fd, long pos) {
        return readCall(t, "pread64", fd, f -> f.inode() == null ? new WordRead(0, -Errno.ESPIPE) : vfs.read(f, pos));
    }

    private KernelCall<WordRead> readCall(Task t, String name, int fd, Function<File, WordRead> read) {
        return call(t, name, Syscall.NO_LOCKS, c -> {
            File f = t.files().get(fd);
            WordRead r = f == null ? new WordRead(0, -Errno.EBADF) : read.apply(f);
            c.made(r);
            return r.ret();
        });
    }

    /**
     * {@code write(fd, &value, 8)}: 8, or -EBADF (not open for writing), -ENOMEM (no frame for the page-cache page
     * or the pipe buffer); for a pipe also -EPIPE (no reader left) and -EAGAIN (full); a device returns its own.
     */
    public KernelCall<Void> write(Task t, int fd, long value) {
        return onFd(t, "write", fd, f -> vfs.write(f, 0, value));
    }

    /**
     * {@code pwrite(fd, &value, 8, pos)}: 8, or -EBADF, -ENOMEM; -ESPIPE on a pipe or a device. {@code write_begin}
     * locks the page: the call waits while another holds it.
     */
    public KernelCall<Void> pwrite(Task t, int fd, long pos, long value) {
        return call(t, "pwrite64", () -> pos < 0 ? null : pageWaits(t, fd, pos >>> Page.PAGE_SHIFT,
                core.profile().on(Switch.EXT4_STABLE_PAGES)), c -> {
            File f = t.files().get(fd);
            return f == null ? -Errno.EBADF : f.inode() == null ? -Errno.ESPIPE : vfs.write(f, pos, value);
        });
    }

    /**
     * Background writeback of FILE ({@code writeback_single_inode}, WB_SYNC_NONE), with its points: 0, or -EBADF,
     * -EINVAL for a pipe or a device.
     */
    public KernelCall<Void> writeback(Task t, int fd) {
        File f = t.files().get(fd);
        KernelCall<Void> c = f == null ? call(t, "writeback_single_inode", Syscall.NO_LOCKS, x -> -Errno.EBADF)
                : vfs.writeback(f);
        return c.current(Syscalls.mmOf(t).id());
    }

    /** {@code sync()}: every file written back (WB_SYNC_ALL), with the points of each: 0. */
    public KernelCall<Void> sync(Task t) {
        return vfs.sync().current(Syscalls.mmOf(t).id());
    }

    /**
     * Reclaim of FILE's page at {@code foff} (-1: every cached page of FILE), with a point per page and pte: the
     * number of pages that left the cache, or -EBADF, -EINVAL (not a regular file, {@code foff} negative or not page
     * aligned).
     */
    public KernelCall<Void> reclaim(Task t, int fd, long foff) {
        File f = t.files().get(fd);
        KernelCall<Void> c = f == null ? call(t, "shrink_folio_list", Syscall.NO_LOCKS, x -> -Errno.EBADF)
                : vfs.reclaim(f, foff);
        return c.current(Syscalls.mmOf(t).id());
    }

    /**
     * {@code echo 1 > /proc/sys/vm/drop_caches}: every clean cached page of every file that nobody else holds is
     * dropped ({@code invalidate_mapping_pages}); the count.
     */
    public KernelCall<Void> dropCaches(Task t) {
        return vfs.dropCaches().current(Syscalls.mmOf(t).id());
    }

    /**
     * What a call on FILE sleeps on first: the PG_locked of a cached page ({@code index}, or any with -1) another call
     * holds, or, with {@code writeback}, a page under writeback; null if none.
     */
    private Acquire pageWaits(Task t, int fd, long index, boolean writeback) {
        File f = t.files().get(fd);
        if (f == null || f.mapping() == null || f.inode() == null) {
            return null;
        }
        PageFrames frames = core.frames();
        for (Map.Entry<Long, Integer> e : f.mapping().pages().entrySet()) {
            int pfn = e.getValue();
            if (index >= 0 && e.getKey() != index) {
                continue;
            }
            if (frames.test(pfn, PageFlags.PG_LOCKED) || (writeback && frames.test(pfn, PageFlags.PG_WRITEBACK))) {
                return new WaitEvent("page " + e.getKey() + " (pfn " + pfn + ") of inode " + f.mapping().id(), 0,
                        () -> !frames.test(pfn, PageFlags.PG_LOCKED)
                                && !(writeback && frames.test(pfn, PageFlags.PG_WRITEBACK)));
            }
        }
        return null;
    }

    /**
     * {@code fsync(fd)}: 0, or -EBADF, -EINVAL. Waits for the pte lock of every mm that maps the file and, since it
     * writes back to the end in one step, for every page of the file another call holds locked or under writeback.
     */
    public KernelCall<Void> fsync(Task t, int fd) {
        return call(t, "fsync", () -> Acquire.first(pageWaits(t, fd, -1, true), mkcleanLocks(t, fd)), c -> {
            File f = t.files().get(fd);
            return f == null ? -Errno.EBADF : vfs.fsync(f);
        });
    }

    /**
     * {@code ftruncate(fd, size)}: 0, or -EBADF, -EINVAL (see {@code Vfs#truncate}). Shrinking unmaps the pages
     * beyond the end from every mm, so it waits for the pte lock of every mm that maps the file.
     */
    public KernelCall<Void> ftruncate(Task t, int fd, long size) {
        return call(t, "ftruncate", () -> Acquire.first(pageWaits(t, fd, -1, false), mkcleanLocks(t, fd)), c -> {
            File f = t.files().get(fd);
            return f == null ? -Errno.EBADF : vfs.truncate(f, size);
        });
    }

    private static Acquire mkcleanLocks(Task t, int fd) {
        File f = t.files().get(fd);
        if (f == null || f.mapping() == null) {
            return null;
        }
        for (Vma vma : f.mapping().iMmap()) {
            Acquire a = vma.mm().ptl().acquire().blocked();
            if (a != null) {
                return a;
            }
        }
        return null;
    }

    /** {@code pipe(fds)}: 0, with the read and write fds as the result; or -EMFILE. */
    public KernelCall<int[]> pipe(Task t) {
        return call(t, "pipe", Syscall.NO_LOCKS, c -> {
            File[] ends = vfs.pipe();
            FdTable fds = t.files();
            int r = fds.install(ends[0]);
            if (r < 0) {
                ends[1].put();
                return r;
            }
            int w = fds.install(ends[1]);
            if (w < 0) {
                fds.remove(r).put();
                return w;
            }
            c.made(new int[] {r, w});
            return 0;
        });
    }

    /** {@code vmsplice(fd, {addr, len}, 1, 0)}: bytes spliced, or -errno (see {@code Splice}). */
    public KernelCall<Void> vmsplice(Task t, int fd, long addr, long len) {
        Mm mm = Syscalls.mmOf(t);
        return call(t, "vmsplice", () -> Acquire.first(mm.mmapLock().read(), mm.ptl().acquire()), c -> {
            File f = t.files().get(fd);
            return f == null ? -Errno.EBADF : vfs.vmsplice(mm, f, addr, len);
        });
    }

    /**
     * {@code pread(fd, addr, len, foff)} on a file opened with {@code O_DIRECT}: the device writes the disk's words
     * into the user pages ({@code fs.DirectIo}, a call with points: GUP, the DMA, completion). Bytes read, or
     * -EBADF, -EINVAL, -EFAULT.
     */
    public KernelCall<Void> odirectRead(Task t, int fd, long foff, long addr, long len) {
        return vfs.directIo(t.files(), Syscalls.mmOf(t), fd, foff, addr, len, false).current(Syscalls.mmOf(t).id());
    }

    /** {@code pwrite(fd, addr, len, foff)} with {@code O_DIRECT}: the device reads the user pages to disk. */
    public KernelCall<Void> odirectWrite(Task t, int fd, long foff, long addr, long len) {
        return vfs.directIo(t.files(), Syscalls.mmOf(t), fd, foff, addr, len, true).current(Syscalls.mmOf(t).id());
    }

    // ---- io_uring -----------------------------------------------------------------------------------------------

    /** {@code io_uring_setup()}: the ring's fd, or -ENOSYS where io_uring does not exist, -EMFILE. */
    public KernelCall<Void> ioUringSetup(Task t) {
        return call(t, "io_uring_setup", Syscall.NO_LOCKS,
                c -> install(t, ioUring.setup(Syscalls.mmOf(t)), -Errno.ENOSYS));
    }

    /** {@code io_uring_register(fd, IORING_REGISTER_BUFFERS, {addr, len}, 1)}: 0, or -errno (see {@code IoUring}). */
    public KernelCall<Void> ioUringRegisterBuffers(Task t, int fd, long addr, long len) {
        Mm mm = Syscalls.mmOf(t);
        return call(t, "io_uring_register", () -> Acquire.first(mm.mmapLock().read(), mm.ptl().acquire()),
                c -> onRing(t, fd, ring -> ioUring.registerBuffers(mm, ring, addr, len)));
    }

    /** {@code io_uring_register(fd, IORING_UNREGISTER_BUFFERS)}: 0, or -ENXIO, -EBADF. */
    public KernelCall<Void> ioUringUnregisterBuffers(Task t, int fd) {
        return call(t, "io_uring_register", Syscall.NO_LOCKS, c -> onRing(t, fd, ioUring::unregisterBuffers));
    }

    /**
     * {@code io_uring_enter()} with one {@code IORING_OP_WRITE_FIXED} of {@code [addr, addr+len)} of the fixed buffer
     * to {@code fileFd} at {@code off}: the bytes written, or -errno.
     */
    public KernelCall<Void> ioUringWriteFixed(Task t, int ringFd, int fileFd, long off, long addr, long len) {
        return call(t, "io_uring_enter", Syscall.NO_LOCKS, c -> onRing(t, ringFd, ring -> {
            File f = t.files().get(fileFd);
            return f == null ? -Errno.EBADF : ioUring.writeFixed(ring, f, off, addr, len);
        }));
    }

    /**
     * {@code fdget(fd)} and {@code io_is_uring_fops()} as {@code io_uring_register} ({@code
     * io_uring_register_get_file}) and {@code io_uring_enter} do them: -EBADF if {@code fd} is not open, -EOPNOTSUPP if
     * it is open but not an io_uring.
     */
    private long onRing(Task t, int fd, ToLongFunction<IoRing> body) {
        File f = t.files().get(fd);
        if (f == null) {
            return -Errno.EBADF;
        }
        IoRing ring = ioUring.ring(f);
        return ring == null ? -Errno.EOPNOTSUPP : body.applyAsLong(ring);
    }
}
