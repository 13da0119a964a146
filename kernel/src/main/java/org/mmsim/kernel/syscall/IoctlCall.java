package org.mmsim.kernel.syscall;

import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.state.Footprint;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code ioctl(fd, cmd, arg)} ({@code fs/ioctl.c}: {@code fdget}, {@code vfs_ioctl} → {@code ->unlocked_ioctl}).
 * A driver whose ioctl has preemption points returns it as a call ({@code FileOperations#ioctlCall}), which this call
 * steps through; its first step runs with the fd lookup when nothing blocks it. Otherwise the ioctl is one step.
 * Returns what the driver returns, or -EBADF, -ENOTTY.
 */
final class IoctlCall extends KernelCall<Void> {
    private static final int INNER = 1;

    private final Task task;
    private final int fd;
    private final int cmd;
    private final long[] args;
    private KernelCall<Void> inner;

    IoctlCall(Tracer trace, Footprint footprint, Task task, int fd, int cmd, long[] args) {
        super(trace, footprint, "ioctl");
        this.task = task;
        this.fd = fd;
        this.cmd = cmd;
        this.args = args.clone();
    }

    @Override
    public Acquire blockedOn() {
        return inner == null ? null : inner.blockedOn();
    }

    @Override
    protected void advance() {
        if (inner == null) {
            trace.path("do_vfs_ioctl");
            File f = task.files().get(fd);
            if (f == null) {
                finish(-Errno.EBADF);
                return;
            }
            Mm mm = Syscalls.mmOf(task);
            inner = f.fops().ioctlCall(f, mm, cmd, args);
            if (inner == null) {
                finish(f.fops().ioctl(f, cmd, args.length == 0 ? 0 : args[0]));
                return;
            }
            inner.current(mm.id());
            if (inner.blockedOn() != null) {
                at(INNER, "%s", new SubPoint(inner));
                return;
            }
        }
        inner.step();
        if (!inner.done()) {
            at(INNER, "%s", new SubPoint(inner));
            return;
        }
        finish(inner.ret());
    }

    @Override
    protected void locals(StateHasher h) {
        h.add(fd).add(cmd).add(args.length);
        for (long a : args) {
            h.add(a);
        }
        h.add(inner == null ? 0 : inner.fingerprint());
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private IoctlCall(IoctlCall o, Copier c) {
        super(o, c);
        this.task = c.copy(o.task);
        this.fd = o.fd;
        this.cmd = o.cmd;
        this.args = o.args;
        this.inner = c.copy(o.inner);
    }

    @Override
    public IoctlCall copy(Copier c) {
        return new IoctlCall(this, c);
    }
}
