package org.mmsim.kernel.syscall;

import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.Footprint;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.trace.Tracer;

/**
 * {@code ioctl(fd, cmd, arg)} ({@code fs/ioctl.c}: {@code fdget}, {@code vfs_ioctl} → {@code ->unlocked_ioctl}).
 * A driver whose ioctl has preemption points returns it as a call ({@code FileOperations#ioctlCall}), which this call
 * steps through; its first step runs with the fd lookup when nothing blocks it. Otherwise the ioctl is one step.
 * Returns what the driver returns, or -EBADF, -ENOTTY.
 */
final class IoctlCall extends DriverEntryCall {
    private final int cmd;
    private final long[] args;

    IoctlCall(Tracer trace, Footprint footprint, Task task, int fd, int cmd, long[] args) {
        super(trace, footprint, "ioctl", task, fd);
        this.cmd = cmd;
        this.args = args.clone();
    }

    @Override
    String entry() {
        return "do_vfs_ioctl";
    }

    @Override
    KernelCall<Void> enter(File f, Mm mm) {
        KernelCall<Void> call = f.fops().ioctlCall(f, task.files(), mm, cmd, args);
        if (call == null) {
            finish(f.fops().ioctl(f, cmd, args.length == 0 ? 0 : args[0]));
        }
        return call;
    }

    @Override
    void arguments(StateHasher h) {
        h.add(fd).add(cmd).add(args.length);
        for (long a : args) {
            h.add(a);
        }
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private IoctlCall(IoctlCall o, Copier c) {
        super(o, c);
        this.cmd = o.cmd;
        this.args = o.args;
    }

    @Override
    public IoctlCall copy(Copier c) {
        return new IoctlCall(this, c);
    }
}
