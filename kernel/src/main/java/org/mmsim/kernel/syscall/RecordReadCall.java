package org.mmsim.kernel.syscall;

import java.util.Arrays;
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
 * {@code read(fd, buf, count)} of a device that returns records of its own ({@code fs/read_write.c}: {@code fdget_pos},
 * {@code vfs_read} → {@code ->read}), such as ummunotify's 32-byte events. The driver's read is a call
 * ({@code FileOperations#readCall}) that may sleep on its wait queue until there is something to read, which this call
 * steps through, so the explorer interleaves other threads while the reader sleeps. What the driver copied to the
 * user's buffer is kept in {@link #buffer} (the model's pages hold two words each, too few for a buffer of records).
 * Returns the bytes read, or -EBADF, -EINVAL (a file without such a read, or a negative count), or the driver's
 * -errno.
 */
public final class RecordReadCall extends KernelCall<Void> {
    private static final int INNER = 1;
    /** The most a read copies here: one page, as a driver that bounces through a page does. */
    static final int MAX_WORDS = 512;

    private final Task task;
    private final int fd;
    private final long count;
    private final boolean nonblock;
    /** The user's buffer: the words the driver wrote, the rest 0. */
    private final long[] buf;
    private KernelCall<Void> inner;

    RecordReadCall(Tracer trace, Footprint footprint, Task task, int fd, long count, boolean nonblock) {
        super(trace, footprint, "read");
        this.task = task;
        this.fd = fd;
        this.count = count;
        this.nonblock = nonblock;
        this.buf = new long[(int) Math.min(MAX_WORDS, Math.max(0, count) / 8)];
    }

    /** What the read copied to the user's buffer: {@code ret() / 8} words (none before it returned, or on an error). */
    public long[] buffer() {
        return done() && ret() > 0 ? Arrays.copyOf(buf, (int) Math.min(buf.length, ret() / 8)) : new long[0];
    }

    @Override
    public Acquire blockedOn() {
        return inner == null ? null : inner.blockedOn();
    }

    @Override
    protected void advance() {
        if (inner == null) {
            trace.path("vfs_read");
            File f = task.files().get(fd);
            if (f == null) {
                finish(-Errno.EBADF);
                return;
            }
            if (!f.readable()) {
                finish(-Errno.EBADF); // vfs_read: !(file->f_mode & FMODE_READ)
                return;
            }
            if (count < 0) {
                finish(-Errno.EINVAL);
                return;
            }
            Mm mm = Syscalls.mmOf(task);
            inner = f.fops().readCall(f, mm, count, nonblock, buf);
            if (inner == null) {
                finish(-Errno.EINVAL);
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
        h.add(fd).add(count).add(nonblock).add(buf.length);
        for (long w : buf) {
            h.add(w);
        }
        h.add(inner == null ? 0 : inner.fingerprint());
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private RecordReadCall(RecordReadCall o, Copier c) {
        super(o, c);
        this.task = c.copy(o.task);
        this.fd = o.fd;
        this.count = o.count;
        this.nonblock = o.nonblock;
        this.buf = c.array(o.buf);
        this.inner = c.copy(o.inner);
    }

    @Override
    public RecordReadCall copy(Copier c) {
        return new RecordReadCall(this, c);
    }
}
