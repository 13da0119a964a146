package org.mmsim.kernel.syscall;

import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.Footprint;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.uapi.Errno;

/**
 * A system call on an fd that hands its work to the driver behind it ({@code ioctl}, a read of records): the fd is
 * looked up ({@code fdget}, -EBADF), the subclass checks what the VFS checks and asks the driver for its call, and this
 * call steps that one to its end, stopping where it stops, so the explorer interleaves other threads at the driver's
 * points; the first of the driver's steps runs with the lookup when nothing blocks it. It holds a reference to the file
 * while the driver's call runs.
 */
abstract class DriverEntryCall extends KernelCall<Void> {
    private static final int INNER = 1;

    final Task task;
    final int fd;
    private KernelCall<Void> inner;
    /** The file, while the driver's call runs (this call holds a reference to it), else null. */
    private File held;

    DriverEntryCall(Tracer trace, Footprint footprint, String name, Task task, int fd) {
        super(trace, footprint, name);
        this.task = task;
        this.fd = fd;
    }

    /** The kernel function the call enters by, for traces ({@code do_vfs_ioctl}, {@code vfs_read}). */
    abstract String entry();

    /**
     * The VFS's checks and the driver's call for file {@code f}, opened by a task of mm {@code mm}; or null, having
     * {@link #finish finished} this call (an error, or a driver that does the work in this one step).
     */
    abstract KernelCall<Void> enter(File f, Mm mm);

    /** The subclass's own arguments, for the fingerprint; the driver's call follows them. */
    abstract void arguments(StateHasher h);

    /** The call is over with {@code value}: the file's reference, if held, goes ({@code fdput}). */
    private void done(long value) {
        if (held != null) {
            File f = held;
            held = null;
            f.put();
        }
        finish(value);
    }

    @Override
    public final Acquire blockedOn() {
        return inner == null ? null : inner.blockedOn();
    }

    @Override
    protected final void advance() {
        if (inner == null) {
            trace.path(entry());
            File f = task.files().get(fd);
            if (f == null) {
                finish(-Errno.EBADF);
                return;
            }
            Mm mm = Syscalls.mmOf(task);
            inner = enter(f, mm);
            if (inner == null) {
                return;
            }
            // fdget: with the fd table shared, a reference, so that another thread's close of the last fd does not
            // release the file under a driver call that sleeps (it is released when the call ends, fdput)
            f.get();
            held = f;
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
        done(inner.ret());
    }

    @Override
    protected final void locals(StateHasher h) {
        arguments(h);
        h.add(inner == null ? 0 : inner.fingerprint()).add(held == null ? 0 : held.id());
    }

    /** A copy of {@code o} for a copied machine; the subclass copies its own fields after this. */
    DriverEntryCall(DriverEntryCall o, Copier c) {
        super(o, c);
        this.task = c.copy(o.task);
        this.fd = o.fd;
        this.inner = c.copy(o.inner);
        this.held = c.copy(o.held);
    }
}
