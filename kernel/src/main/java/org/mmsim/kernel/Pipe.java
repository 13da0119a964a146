package org.mmsim.kernel;

import java.util.ArrayDeque;

/**
 * {@code struct pipe_inode_info} (fs/pipe.c): a ring of at most {@link #PIPE_DEF_BUFFERS} buffers, each holding
 * one reference on a page. {@code vmsplice} fills it with references to user pages ({@code user_page_pipe_buf_ops});
 * {@code write} with pages the kernel allocated and copied into; {@code read} copies out and releases the buffer.
 */
public final class Pipe {
    /** fs/pipe.c: default capacity, 16 buffers (64 KiB with 4 KiB pages). */
    public static final int PIPE_DEF_BUFFERS = 16;

    /**
     * {@code struct pipe_buffer}: the page, and (model shadow) the mm on whose behalf the page was spliced, used
     * as the observer when the buffer is read.
     */
    record Buffer(int pfn, int ownerMmId, boolean gifted) {}

    private final int id;
    final ArrayDeque<Buffer> bufs = new ArrayDeque<>();
    boolean closed;

    Pipe(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    /** Buffers currently queued. */
    public int nrBufs() {
        return bufs.size();
    }

    /** The PFNs the queued buffers reference, oldest first. */
    public int[] pfns() {
        return bufs.stream().mapToInt(Buffer::pfn).toArray();
    }

    public boolean closed() {
        return closed;
    }

    /** Result of a {@code read()} from the pipe: -errno, or 0 with the word read. */
    public record Read(int error, long value) {}
}
