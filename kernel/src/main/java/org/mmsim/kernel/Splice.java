package org.mmsim.kernel;

/**
 * vmsplice and the pipe's read/write/release paths (fs/splice.c, fs/pipe.c).
 *
 * <p>{@code vmsplice_to_pipe} → {@code iter_to_pipe} takes read-only FOLL_GET references with GUP-fast
 * ({@code iov_iter_get_pages2}): a plain reference, not a pin, so none of the FOLL_PIN protections apply. Whether
 * the parent's later write can leak into the child's pipe depends only on the COW reuse rule (CVE-2020-29374).
 *
 * <p>The model never blocks: where the kernel would wait for room or for data, it answers as with O_NONBLOCK
 * ({@code -EAGAIN}).
 */
final class Splice {
    private final Kernel k;

    Splice(Kernel k) {
        this.k = k;
    }

    /**
     * {@code vmsplice_to_pipe()}: queue references to the pages of [addr, addr+len).
     *
     * @return bytes spliced; -EAGAIN if the pipe is full; -EFAULT (or another GUP error) if the first page fails;
     *     -EPIPE if the pipe is closed; -EINVAL for an unaligned address or empty range
     */
    long vmspliceToPipe(Mm mm, Pipe pipe, long addr, long len) {
        k.path("vmsplice_to_pipe");
        if (pipe.closed) {
            return -Errno.EPIPE;
        }
        if ((addr & (PageTable.PAGE_SIZE - 1)) != 0 || len <= 0) {
            return -Errno.EINVAL;
        }
        int room = Pipe.PIPE_DEF_BUFFERS - pipe.bufs.size();
        if (room == 0) {
            return -Errno.EAGAIN;
        }
        int nr = (int) Math.min(room, Mmap.pageAlign(len) >>> PageTable.PAGE_SHIFT);
        int[] pages = new int[nr];
        k.path("iter_to_pipe");
        long got = k.gup.getUserPagesFast(mm, addr, nr, Gup.FOLL_GET, pages);
        if (got <= 0) {
            return got;
        }
        for (int i = 0; i < got; i++) {
            pipe.bufs.addLast(new Pipe.Buffer(pages[i], mm.id(), false));
        }
        k.note("pipe " + pipe.id() + ": " + got + " buffer(s) queued, " + pipe.bufs.size() + " in all");
        return got << PageTable.PAGE_SHIFT;
    }

    /**
     * {@code pipe_write()}: copy {@code value} into a new kernel page and queue it.
     *
     * @return 8 (bytes written); -EAGAIN if the pipe is full; -EPIPE if it is closed; -ENOMEM without a free frame
     */
    long pipeWrite(Pipe pipe, long value) {
        k.path("pipe_write");
        if (pipe.closed) {
            return -Errno.EPIPE;
        }
        if (pipe.bufs.size() == Pipe.PIPE_DEF_BUFFERS) {
            return -Errno.EAGAIN;
        }
        int pfn = k.alloc.allocPage(PageAlloc.GFP_KERNEL);
        if (pfn < 0) {
            return -Errno.ENOMEM;
        }
        k.frames.setWord(pfn, 0, value);
        pipe.bufs.addLast(new Pipe.Buffer(pfn, -1, true));
        return 8;
    }

    /**
     * {@code pipe_read()}: copy word {@code word} of the oldest buffer's page out and release the buffer
     * ({@code pipe_buf_release} → {@code put_page}). The model reads whole buffers.
     *
     * @return the word; or the error -EAGAIN if the pipe is empty, -EBADF if it is closed
     */
    Pipe.Read pipeRead(Pipe pipe, int word) {
        k.path("pipe_read");
        if (pipe.closed) {
            return new Pipe.Read(Errno.EBADF, 0);
        }
        Pipe.Buffer buf = pipe.bufs.pollFirst();
        if (buf == null) {
            return new Pipe.Read(Errno.EAGAIN, 0);
        }
        long value = k.frames.word(buf.pfn(), word);
        if (buf.ownerMmId() >= 0) {
            k.observe(buf.ownerMmId(), buf.pfn(), "pipe " + pipe.id() + " read");
        }
        k.alloc.putPage(buf.pfn());
        return new Pipe.Read(0, value);
    }

    /** {@code pipe_release()} of the last file: release every buffer. */
    void release(Pipe pipe) {
        k.path("pipe_release");
        while (!pipe.bufs.isEmpty()) {
            k.alloc.putPage(pipe.bufs.pollFirst().pfn());
        }
        pipe.closed = true;
    }
}
