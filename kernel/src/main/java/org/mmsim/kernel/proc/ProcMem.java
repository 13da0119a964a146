package org.mmsim.kernel.proc;

import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.WordRead;
import org.mmsim.kernel.mm.gup.Gup;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.sched.Wrapper;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Errno;

/**
 * Writes and reads of another address space: {@code /proc/PID/mem} ({@code mem_rw}) and
 * {@code ptrace(PTRACE_POKEDATA)} ({@code generic_ptrace_pokedata}), both through {@code access_remote_vm()}
 * (mm/memory.c {@code __access_remote_vm}).
 *
 * <p>Design notes. The access is a FOLL_FORCE GUP of one page in the target mm ({@code get_user_pages_remote}), then
 * a copy through the kernel's own mapping of that page ({@code copy_to_user_page}), {@code set_page_dirty_lock()} and
 * {@code put_page()}. FOLL_FORCE lets a debugger write to a read-only private mapping: GUP must then break COW and
 * write only the private anonymous copy, never the page cache of the file and never by making the VMA writable (the
 * mkdirty selftest's "PTRACE write access"). Whether GUP hands back the right page is the Dirty COW story
 * ({@link Gup}); this class only turns what {@code access_remote_vm} copied into what user space sees.
 */
public final class ProcMem {
    private final MmCore core;
    private final Gup gup;

    public ProcMem(MmCore core, Gup gup) {
        this.core = core;
        this.gup = gup;
    }

    /** {@code pwrite()} of one word to {@code /proc/PID/mem} of the task owning {@code target}: 8, or -EIO. */
    public KernelCall<Void> memWrite(Mm target, long addr, long value) {
        return new Wrapper<>(core.trace(), core.footprint(), "mem_rw", gup.accessRemoteVm(target, addr, value, true),
                c -> c.ret() == 8 ? 8 : -Errno.EIO, c -> null);
    }

    /** {@code pread()} of one word from {@code /proc/PID/mem}: 8 and the word, or -EIO. */
    public KernelCall<WordRead> memRead(Mm target, long addr) {
        return new Wrapper<>(core.trace(), core.footprint(), "mem_rw", gup.accessRemoteVm(target, addr, 0, false),
                c -> c.ret() == 8 ? 8 : -Errno.EIO, c -> c.ret() == 8 ? c.result() : new WordRead(0, -Errno.EIO));
    }

    /**
     * {@code process_vm_readv()} ({@code write} false) or {@code process_vm_writev()} of one word of {@code target}:
     * 8, -ESRCH or -EFAULT (see {@link ProcessVmAccess}).
     */
    public KernelCall<WordRead> processVmRw(Task target, long addr, long value, boolean write) {
        return new ProcessVmAccess(core, gup, target, addr, value, write);
    }

    /** {@code ptrace(PTRACE_POKEDATA, pid, addr, value)}: 0, or -EIO. */
    public KernelCall<Void> ptracePoke(Mm target, long addr, long value) {
        return new Wrapper<>(core.trace(), core.footprint(), "generic_ptrace_pokedata",
                gup.accessRemoteVm(target, addr, value, true), c -> c.ret() == 8 ? 0 : -Errno.EIO, c -> null);
    }
}
