package org.mmsim.kernel.fs;

import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.WordRead;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code struct file_operations}: what a file does when a process reads, writes, polls, maps, ioctls, syncs or
 * releases it. Regular files, pipe ends, io_uring rings and device nodes each have one. Every hook is optional; an
 * absent one answers as the VFS does without it. Reads and writes move one 64-bit word, the unit the model keeps.
 */
@Export
public interface FileOperations {
    /** {@code DEFAULT_POLLMASK}: a file without {@code ->poll} is always readable and writable. */
    int DEFAULT_POLLMASK = Poll.POLLIN | Poll.POLLOUT | Poll.POLLRDNORM | Poll.POLLWRNORM;

    /** The table's name, for traces: e.g. {@code "ext4_file_operations"}. */
    String name();

    /** {@code ->open}: a new open file of this kind (a device sets up its per-open state here). 0 or -errno. */
    default int open(File file) {
        return 0;
    }

    /**
     * What {@code ->open} by a task of mm {@code current} would wait for now (e.g. the {@code mmap_lock} that
     * {@code mmu_notifier_register} takes), or null: {@code open(2)} of the device sleeps until it is free.
     */
    default Acquire openBlockedOn(Mm current) {
        return null;
    }

    /**
     * {@code ->open} as called from {@code open(2)}, with the opener's mm ({@code current->mm}): a device that binds
     * to the opener's address space at open (ummunotify) overrides this one; by default {@link #open(File)}.
     */
    default int open(File file, Mm current) {
        return open(file);
    }

    /** {@code ->read}: the word at {@code pos}; no hook: -EINVAL ({@code vfs_read}). */
    default WordRead read(File file, long pos) {
        return new WordRead(0, -Errno.EINVAL);
    }

    /**
     * {@code ->read} of a device whose reads return records of their own and may sleep until there is one
     * ({@code wait_event_interruptible} on its wait queue): a call by a task of mm {@code current} that reads up to
     * {@code count} bytes into {@code buf} (the words {@code copy_to_user} writes, {@code count / 8} of them) and
     * returns the bytes read or -errno; {@code nonblock} is the file's {@code O_NONBLOCK}. Null: the file has no
     * such read, and {@code read(2)} of records answers -EINVAL.
     */
    default KernelCall<Void> readCall(File file, Mm current, long count, boolean nonblock, long[] buf) {
        return null;
    }

    /** {@code ->write}: write {@code value} (8 bytes) at {@code pos}; bytes written or -errno; no hook: -EINVAL. */
    default long write(File file, long pos, long value) {
        return -Errno.EINVAL;
    }

    /** {@code ->poll}: the events ready now ({@code POLLIN}, {@code POLLOUT}, ...). */
    default int poll(File file) {
        return DEFAULT_POLLMASK;
    }

    /**
     * {@code ->mmap}: set the new VMA up (its {@code vm_ops}, flags, and for a device its ptes); the VMA is linked
     * afterwards. No hook: -ENODEV ({@code do_mmap}).
     */
    default int mmap(File file, Vma vma) {
        return -Errno.ENODEV;
    }

    /** {@code ->unlocked_ioctl}; no hook: -ENOTTY. */
    default long ioctl(File file, int cmd, long arg) {
        return -Errno.ENOTTY;
    }

    /**
     * {@code ->unlocked_ioctl} of a driver whose ioctl sleeps or drops locks, as a call with preemption points
     * (a {@code DriverCall}) made by a task of mm {@code current} ({@code current->mm}) with the ioctl's arguments {@code args} (the fields of the
     * structure user space passes); null if the ioctl is a single step, which {@link #ioctl} then runs with
     * {@code args[0]}.
     */
    default KernelCall<Void> ioctlCall(File file, Mm current, int cmd, long[] args) {
        return null;
    }

    /**
     * {@code ->unlocked_ioctl} as {@link #ioctlCall(File, Mm, int, long[])}, given the calling task's fd table
     * ({@code current->files}) as well, for an ioctl that installs a new fd there (DRM's PRIME export,
     * {@code dma_buf_fd}) or looks one up ({@code dma_buf_get} of an RDMA dma-buf registration). By default the call
     * of the other form.
     */
    default KernelCall<Void> ioctlCall(File file, FdTable files, Mm mm, int cmd, long[] args) {
        return ioctlCall(file, mm, cmd, args);
    }

    /**
     * {@code ->fsync(file, start, end, datasync)} of bytes [start, end] of the file ({@code vfs_fsync_range}); by
     * default the whole-file {@link #fsync(File)}.
     */
    default long fsync(File file, long start, long end) {
        return fsync(file);
    }

    /** {@code ->fsync}; no hook: -EINVAL ({@code vfs_fsync_range}). */
    default long fsync(File file) {
        return -Errno.EINVAL;
    }

    /** {@code ->release}: the last reference to the open file went. */
    default void release(File file) {}
}
