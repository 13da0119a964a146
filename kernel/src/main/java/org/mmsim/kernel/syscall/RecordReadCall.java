package org.mmsim.kernel.syscall;

import java.util.Arrays;
import org.mmsim.kernel.fs.File;
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
public final class RecordReadCall extends DriverEntryCall {
    /** The most a read copies here: one page, as a driver that bounces through a page does. */
    static final int MAX_WORDS = 512;

    private final long count;
    private final boolean nonblock;
    /** The user's buffer: the words the driver wrote, the rest 0. */
    private final long[] buf;

    RecordReadCall(Tracer trace, Footprint footprint, Task task, int fd, long count, boolean nonblock) {
        super(trace, footprint, "read", task, fd);
        this.count = count;
        this.nonblock = nonblock;
        this.buf = new long[(int) Math.min(MAX_WORDS, Math.max(0, count) / 8)];
    }

    /** What the read copied to the user's buffer: {@code ret() / 8} words (none before it returned, or on an error). */
    public long[] buffer() {
        return done() && ret() > 0 ? Arrays.copyOf(buf, (int) Math.min(buf.length, ret() / 8)) : new long[0];
    }

    @Override
    String entry() {
        return "vfs_read";
    }

    /** {@code vfs_read}: -EBADF for a file not open for reading, -EINVAL for a negative count or no such read. */
    @Override
    KernelCall<Void> enter(File f, Mm mm) {
        if (!f.readable()) {
            finish(-Errno.EBADF);
            return null;
        }
        if (count < 0) {
            finish(-Errno.EINVAL);
            return null;
        }
        KernelCall<Void> call = f.fops().readCall(f, mm, count, nonblock, buf);
        if (call == null) {
            finish(-Errno.EINVAL);
        }
        return call;
    }

    @Override
    void arguments(StateHasher h) {
        h.add(fd).add(count).add(nonblock).add(buf.length);
        for (long w : buf) {
            h.add(w);
        }
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private RecordReadCall(RecordReadCall o, Copier c) {
        super(o, c);
        this.count = o.count;
        this.nonblock = o.nonblock;
        this.buf = c.array(o.buf);
    }

    @Override
    public RecordReadCall copy(Copier c) {
        return new RecordReadCall(this, c);
    }
}
