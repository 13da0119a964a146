package org.mmsim.kernel.syscall;

import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.WordRead;
import org.mmsim.kernel.mm.fork.Fork;
import org.mmsim.kernel.mm.fork.ForkCall;
import org.mmsim.kernel.mm.gup.Gup;
import org.mmsim.kernel.mm.gup.GupCall;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.memory.Mmu;
import org.mmsim.kernel.mm.mmap.Madvise;
import org.mmsim.kernel.mm.mmap.Mlock;
import org.mmsim.kernel.mm.mmap.Mlockall;
import org.mmsim.kernel.mm.mmap.Mmap;
import org.mmsim.kernel.mm.mmap.Mprotect;
import org.mmsim.kernel.mm.mmap.Mremap;
import org.mmsim.kernel.mm.mmap.Msync;
import org.mmsim.kernel.api.Exports;
import org.mmsim.kernel.proc.ProcMem;
import org.mmsim.kernel.proc.TaskMmu;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.sched.Syscall;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.task.Tasks;
import org.mmsim.kernel.uapi.Errno;

/**
 * The system calls of processes and memory (arch/x86/entry/syscalls/syscall_64.tbl, the part of it the model has),
 * the user-space loads and stores, {@code /proc/PID/*} accesses, and the GUP test device ({@code gup_test}'s ioctls:
 * a driver that takes pages on a process's behalf and lets the device read and write them). Files, pipes and io_uring
 * are {@link FileSyscalls}.
 *
 * <p>Every entry returns the call, not yet run: whoever schedules threads asks it what it waits for
 * ({@code blockedOn}) and steps it; the sequential front door runs it ({@code run()}, {@code complete()}). Each call
 * is made by a task, whose mm it records as {@code current} for the explorer's footprints. Returns are the kernel's:
 * a value or -errno; a user access's signal is in its result. A call on a task that has exited is a programmer's
 * error ({@link IllegalStateException}).
 */
public final class Syscalls {
    private final MmCore core;
    private final Tasks tasks;
    private final Mmu mmu;
    private final Mmap mmap;
    private final Mprotect mprotect;
    private final Madvise madvise;
    private final Fork fork;
    private final Gup gup;
    private final TaskMmu taskMmu;
    private final ProcMem procMem;
    private final Exports exports;
    private final Mlock mlock;
    private final Mlockall mlockall;
    private final Msync msync;
    private final Mremap mremap;

    public Syscalls(MmCore core, Tasks tasks, Mmu mmu, Mmap mmap, Mprotect mprotect, Madvise madvise, Fork fork,
            Gup gup, TaskMmu taskMmu, ProcMem procMem, Exports exports, Mlock mlock,
            Msync msync, Mremap mremap) {
        this.core = core;
        this.tasks = tasks;
        this.mmu = mmu;
        this.mmap = mmap;
        this.mprotect = mprotect;
        this.madvise = madvise;
        this.fork = fork;
        this.gup = gup;
        this.taskMmu = taskMmu;
        this.procMem = procMem;
        this.exports = exports;
        this.mlock = mlock;
        this.mlockall = new Mlockall(core, mlock);
        this.msync = msync;
        this.mremap = mremap;
    }

    static Mm mmOf(Task t) {
        if (t.exited()) {
            throw new IllegalStateException(t + " has exited");
        }
        return t.mm();
    }

    private <C extends KernelCall<?>> C by(Task t, C call) {
        call.current(mmOf(t).id());
        return call;
    }

    // ---- processes --------------------------------------------------------------------------------------------

    /** {@code fork()}: the child, named {@code comm}; ret is its pid or -ENOMEM. See {@code ForkCall}. */
    public ForkCall fork(Task parent, String comm) {
        return by(parent, fork.fork(parent, comm));
    }

    /** {@code exit()} of {@code t} ({@code do_exit}); its caller's mm is gone once it ran, so none is recorded. */
    public KernelCall<Void> exit(Task t) {
        return tasks.exit(t);
    }

    /** {@code setrlimit(RLIMIT_MEMLOCK, {bytes, bytes})}: 0, or -EINVAL for a negative limit. */
    public KernelCall<Void> setrlimitMemlock(Task t, long bytes) {
        Mm mm = mmOf(t);
        return by(t, new Syscall<>(core.trace(), core.footprint(), "do_prlimit", Syscall.NO_LOCKS, c -> {
            if (bytes < 0) {
                return -Errno.EINVAL;
            }
            mm.setRlimitMemlock(bytes);
            return 0;
        }));
    }

    // ---- memory -----------------------------------------------------------------------------------------------

    /** {@code mmap(addr, len, prot, flags, -1, 0)}: an anonymous mapping; ret is the address or -errno. */
    public KernelCall<Void> mmap(Task t, long addr, long len, int prot, int flags) {
        return by(t, mmap.mmap(mmOf(t), addr, len, prot, flags, () -> null, 0));
    }

    /** {@code mmap(addr, len, prot, flags, fd, off)}: -EBADF if {@code fd} is not open when the call runs. */
    public KernelCall<Void> mmap(Task t, long addr, long len, int prot, int flags, int fd, long off) {
        return by(t, mmap.mmap(mmOf(t), addr, len, prot, flags, () -> t.files().get(fd), off));
    }

    /** {@code munmap(addr, len)}: 0, or -EINVAL. */
    public KernelCall<Void> munmap(Task t, long addr, long len) {
        return by(t, mmap.munmap(mmOf(t), addr, len));
    }

    /** {@code mprotect(addr, len, prot)}: 0, -EINVAL, -ENOMEM or -EACCES. */
    public KernelCall<Void> mprotect(Task t, long addr, long len, int prot) {
        return by(t, mprotect.call(mmOf(t), addr, len, prot));
    }

    /** {@code madvise(addr, len, advice)}: MADV_DONTNEED, MADV_DONTFORK, MADV_DOFORK. See {@code MadviseCall}. */
    public KernelCall<Void> madvise(Task t, long addr, long len, int advice) {
        return by(t, madvise.call(mmOf(t), addr, len, advice));
    }

    /** {@code mlock(addr, len)}: 0, -EPERM, -ENOMEM, -EINVAL or -EAGAIN. See {@code Mlock}. */
    public KernelCall<Void> mlock(Task t, long addr, long len) {
        return by(t, mlock.mlock(mmOf(t), addr, len));
    }

    /** {@code mlock2(addr, len, flags)}: as mlock; -EINVAL for a flag but MLOCK_ONFAULT; -ENOSYS before 4.4. */
    public KernelCall<Void> mlock2(Task t, long addr, long len, int flags) {
        return by(t, mlock.mlock2(mmOf(t), addr, len, flags));
    }

    /** {@code mlockall(flags)}: 0, -EINVAL, -EPERM or -ENOMEM. See {@code Mlockall}. */
    public KernelCall<Void> mlockall(Task t, int flags) {
        return by(t, mlockall.mlockall(mmOf(t), flags));
    }

    /** {@code munlockall()}: 0. */
    public KernelCall<Void> munlockall(Task t) {
        return by(t, mlockall.munlockall(mmOf(t)));
    }

    /** {@code munlock(addr, len)}: 0, -ENOMEM or -EINVAL. See {@code Mlock}. */
    public KernelCall<Void> munlock(Task t, long addr, long len) {
        return by(t, mlock.munlock(mmOf(t), addr, len));
    }

    /** {@code msync(addr, len, flags)}: 0, -EINVAL, -ENOMEM, -EBUSY, or the error of the file's fsync. */
    public KernelCall<Void> msync(Task t, long addr, long len, int flags) {
        return by(t, msync.msync(mmOf(t), addr, len, flags));
    }

    /** {@code mremap(addr, oldLen, newLen, flags, newAddr)}: the new address, or -EINVAL, -EFAULT, -EAGAIN, -ENOMEM. */
    public KernelCall<Void> mremap(Task t, long addr, long oldLen, long newLen, int flags, long newAddr) {
        return by(t, mremap.call(mmOf(t), addr, oldLen, newLen, flags, newAddr));
    }

    /**
     * A user-space 64-bit load at {@code addr} (8-byte aligned, within the modelled words of its page); the result is
     * the word, or the signal the access raised. An access that will not fault takes no lock; one that faults takes
     * {@code mmap_lock} for read and the pte lock.
     */
    public KernelCall<Mmu.Access> load(Task t, long addr) {
        Mm mm = mmOf(t);
        return by(t, mmu.loadCall(mm, t.pid(), addr));
    }

    /** A user-space 64-bit store of {@code value} at {@code addr}; the result says which signal, if any, it raised. */
    public KernelCall<Mmu.Access> store(Task t, long addr, long value) {
        Mm mm = mmOf(t);
        return by(t, mmu.storeCall(mm, t.pid(), addr, value));
    }

    /**
     * What {@link #load} ({@code write} false) or {@link #store} of {@code t} at {@code addr} would wait for before it
     * runs ({@code blockedOn()} of the call), without making the call: the question a scheduler asks of every thread
     * about to start an access, at every explored state.
     */
    public Acquire accessWait(Task t, long addr, boolean write) {
        return mmu.accessWait(mmOf(t), t.pid(), addr, write);
    }

    // ---- /proc and ptrace -------------------------------------------------------------------------------------

    /** {@code echo VALUE > /proc/PID/clear_refs} for {@code t}'s process: 0, or -EINVAL. */
    public KernelCall<Void> clearRefs(Task t, int value) {
        return by(t, taskMmu.clearRefsCall(mmOf(t), value));
    }

    /** The 64-bit {@code /proc/self/pagemap} entry for {@code addr} (the result). */
    public KernelCall<Long> pagemap(Task t, long addr) {
        return by(t, taskMmu.pagemapCall(mmOf(t), addr));
    }

    /** {@code pwrite()} by {@code caller} of one word to {@code /proc/PID/mem} of {@code target}: 8, or -EIO. */
    public KernelCall<Void> procMemWrite(Task caller, Task target, long addr, long value) {
        return by(caller, procMem.memWrite(mmOf(target), addr, value));
    }

    /** {@code pread()} by {@code caller} of one word from {@code /proc/PID/mem} of {@code target}: 8, or -EIO. */
    public KernelCall<WordRead> procMemRead(Task caller, Task target, long addr) {
        return by(caller, procMem.memRead(mmOf(target), addr));
    }

    /** {@code process_vm_readv()} of one word of {@code target} by {@code caller}: 8 and the word, -ESRCH, -EFAULT. */
    public KernelCall<WordRead> processVmReadv(Task caller, Task target, long addr) {
        return by(caller, procMem.processVmRw(target, addr, 0, false));
    }

    /** {@code process_vm_writev()} of one word into {@code target} by {@code caller}: 8, -ESRCH or -EFAULT. */
    public KernelCall<WordRead> processVmWritev(Task caller, Task target, long addr, long value) {
        return by(caller, procMem.processVmRw(target, addr, value, true));
    }

    /** {@code ptrace(PTRACE_POKEDATA, target, addr, value)} by {@code caller}: 0, or -EIO. */
    public KernelCall<Void> ptracePoke(Task caller, Task target, long addr, long value) {
        return by(caller, procMem.ptracePoke(mmOf(target), addr, value));
    }

    // ---- the GUP test device ------------------------------------------------------------------------------------

    /** {@code get_user_pages()} on {@code t}'s memory; the result is the pages the device holds. */
    public GupCall getUserPages(Task t, long start, int nr, int gupFlags) {
        return by(t, gup.getUserPages(mmOf(t), start, nr, gupFlags));
    }

    /** {@code get_user_pages_fast()}. */
    public GupCall getUserPagesFast(Task t, long start, int nr, int gupFlags) {
        return by(t, gup.getUserPagesFast(mmOf(t), start, nr, gupFlags));
    }

    /** {@code pin_user_pages()}. */
    public GupCall pinUserPages(Task t, long start, int nr, int gupFlags) {
        return by(t, gup.pinUserPages(mmOf(t), start, nr, gupFlags));
    }

    /** {@code pin_user_pages_fast()}. */
    public GupCall pinUserPagesFast(Task t, long start, int nr, int gupFlags) {
        return by(t, gup.pinUserPagesFast(mmOf(t), start, nr, gupFlags));
    }

    /** The device lets go of pins: {@code unpin_user_pages()}. 0, or -EINVAL if already released or not pins. */
    public KernelCall<Void> unpinUserPages(Task t, GupPages g) {
        return by(t, new Syscall<>(core.trace(), core.footprint(), "unpin_user_pages", Syscall.NO_LOCKS,
                c -> gup.unpinUserPages(g)));
    }

    /** {@code unpin_user_pages_dirty_lock(pages, npages, make_dirty)}. 0, or -EINVAL. */
    public KernelCall<Void> unpinUserPagesDirtyLock(Task t, GupPages g, boolean makeDirty) {
        return by(t, new Syscall<>(core.trace(), core.footprint(), "unpin_user_pages_dirty_lock",
                () -> makeDirty ? gup.dirtyLockWait(g) : null, c -> gup.unpinUserPagesDirtyLock(g, makeDirty)));
    }

    /** The device lets go of references: {@code put_page()} on each page. 0, or -EINVAL if already released or pins. */
    public KernelCall<Void> putPages(Task t, GupPages g) {
        return by(t, new Syscall<>(core.trace(), core.footprint(), "put_pages", Syscall.NO_LOCKS,
                c -> gup.putPages(g)));
    }

    /** {@code set_page_dirty_lock(); put_page()} on each page of a FOLL_GET array. 0, or -EINVAL. */
    public KernelCall<Void> putPagesDirtyLock(Task t, GupPages g) {
        return by(t, new Syscall<>(core.trace(), core.footprint(), "put_pages_dirty", () -> gup.dirtyLockWait(g, true),
                c -> gup.putPagesDirtyLock(g)));
    }

    /**
     * The device reads word {@code word} of page {@code i} of {@code g} (DMA from memory); the result is the word.
     * -EFAULT if {@code g} does not hold that page (any more).
     */
    public KernelCall<Long> dmaRead(Task t, GupPages g, int i, int word) {
        return by(t, new Syscall<Long>(core.trace(), core.footprint(), "dma_read", Syscall.NO_LOCKS, c -> {
            if (i >= g.nr() || g.released()) {
                return -Errno.EFAULT;
            }
            c.made(exports.dmaRead(g, i, word));
            return 0;
        }));
    }

    /** The device writes {@code value} into word {@code word} of page {@code i} of {@code g}: 0, or -EFAULT. */
    public KernelCall<Void> dmaWrite(Task t, GupPages g, int i, int word, long value) {
        return by(t, new Syscall<>(core.trace(), core.footprint(), "dma_write", Syscall.NO_LOCKS, c -> {
            if (i >= g.nr() || g.released()) {
                return -Errno.EFAULT;
            }
            exports.dmaWrite(g, i, word, value);
            return 0;
        }));
    }
}
