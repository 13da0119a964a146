package org.mmsim.kernel.fs;

import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.WordRead;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code pipefifo_fops} (fs/pipe.c): read, write, poll and release of a pipe end; the VFS has checked the end's mode
 * ({@code FMODE_READ} for a read, {@code FMODE_WRITE} for a write) before it calls here.
 *
 * <p>The model never blocks: where the kernel would wait for room or for data, it answers as with O_NONBLOCK
 * ({@code -EAGAIN}).
 */
final class PipeOps implements FileOperations {
    private final MmCore core;
    private final Tracer trace;

    PipeOps(MmCore core) {
        this.core = core;
        this.trace = core.trace();
    }

    @Override
    public String name() {
        return "pipefifo_fops";
    }

    static Pipe pipe(File f) {
        return (Pipe) f.privateData();
    }

    /**
     * {@code pipe_read()}: copy the word at byte {@code offset} of the oldest buffer's page out and release the buffer
     * ({@code pipe_buf_release} → {@code put_page}). The model reads whole buffers.
     *
     * @return the word; 0 bytes at end of file (empty, no writer left); -EAGAIN if empty while a writer is open
     */
    @Override
    public WordRead read(File file, long offset) {
        trace.path("pipe_read");
        Pipe pipe = pipe(file);
        Pipe.Buffer buf = pipe.bufs.pollFirst();
        if (buf == null) {
            return new WordRead(0, pipe.writers == 0 ? 0 : -Errno.EAGAIN);
        }
        long value = core.frames().word(buf.pfn(), Page.wordOf(offset, "pipe buffer offset"));
        if (buf.ownerMmId() >= 0) {
            core.observe(buf.ownerMmId(), buf.pfn(), "pipe " + pipe.id() + " read");
        }
        core.alloc().putPage(buf.pfn());
        return new WordRead(value, 8);
    }

    /**
     * {@code pipe_write()}: copy {@code value} into a new kernel page and queue it.
     *
     * @return 8 (bytes written); -EPIPE without a reader; -EAGAIN if the pipe is full; -ENOMEM without a free frame
     */
    @Override
    public long write(File file, long pos, long value) {
        trace.path("pipe_write");
        Pipe pipe = pipe(file);
        if (pipe.readers == 0) {
            return -Errno.EPIPE;
        }
        if (pipe.bufs.size() == Pipe.PIPE_DEF_BUFFERS) {
            return -Errno.EAGAIN;
        }
        int pfn = core.alloc().allocPage(PageAlloc.GFP_KERNEL);
        if (pfn < 0) {
            return -Errno.ENOMEM;
        }
        core.frames().setWord(pfn, 0, value);
        pipe.bufs.addLast(new Pipe.Buffer(pfn, -1, true));
        return 8;
    }

    /** {@code pipe_poll()}: readable with a buffer queued, writable with room and a reader. */
    @Override
    public int poll(File file) {
        Pipe pipe = pipe(file);
        int mask = 0;
        if (file.readable() && (!pipe.bufs.isEmpty() || pipe.writers == 0)) {
            mask |= Poll.POLLIN | Poll.POLLRDNORM;
        }
        if (file.writable() && (pipe.bufs.size() < Pipe.PIPE_DEF_BUFFERS || pipe.readers == 0)) {
            mask |= Poll.POLLOUT | Poll.POLLWRNORM;
        }
        return mask;
    }

    /** {@code pipe_release()}: one end fewer; when no end is left, release every buffer ({@code free_pipe_info}). */
    @Override
    public void release(File file) {
        trace.path("pipe_release");
        Pipe pipe = pipe(file);
        if (file.readable()) {
            pipe.readers--;
        }
        if (file.writable()) {
            pipe.writers--;
        }
        if (pipe.closed()) {
            while (!pipe.bufs.isEmpty()) {
                core.alloc().putPage(pipe.bufs.pollFirst().pfn());
            }
        }
    }
}
