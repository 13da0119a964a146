package org.mmsim.kernel.fs;

import java.util.ArrayDeque;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;

/**
 * {@code struct pipe_inode_info} (fs/pipe.c): a ring of at most {@link #PIPE_DEF_BUFFERS} buffers, each holding one
 * reference on a page, and the number of open read and write ends. {@code vmsplice} fills it with references to user
 * pages ({@code user_page_pipe_buf_ops}); {@code write} with pages the kernel allocated and copied into; {@code read}
 * copies out and releases the buffer. When the last end closes, the buffers are released ({@code free_pipe_info}).
 */
public final class Pipe extends StateObject implements Hashable {
    /** fs/pipe.c: default capacity, 16 buffers (64 KiB with 4 KiB pages). */
    public static final int PIPE_DEF_BUFFERS = 16;

    /**
     * {@code struct pipe_buffer}: the page, and (model shadow) the mm on whose behalf the page was spliced, used as
     * the observer when the buffer is read.
     */
    record Buffer(int pfn, int ownerMmId, boolean gifted) {}

    private final int id;
    final ArrayDeque<Buffer> bufs = new ArrayDeque<>();
    int readers;
    int writers;

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

    /** Open read ends ({@code pipe->readers}). */
    public int readers() {
        return readers;
    }

    /** Open write ends ({@code pipe->writers}). */
    public int writers() {
        return writers;
    }

    /** Whether both ends are closed and the buffers released. */
    public boolean closed() {
        return readers == 0 && writers == 0;
    }

    /** Id, the open ends, and each buffer in ring order (pfn, owner mm, gifted). */
    @Override
    public void hashInto(StateHasher h) {
        h.add(id).add(readers).add(writers).add(bufs.size());
        for (Buffer b : bufs) {
            h.add(b.pfn()).add(b.ownerMmId()).add(b.gifted());
        }
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    /** Buffers are values (a frame number and its provenance), shared with the original. */
    @Override
    public Pipe copy(Copier c) {
        Pipe p = c.pair(this, new Pipe(id));
        p.bufs.addAll(bufs);
        p.readers = readers;
        p.writers = writers;
        return p;
    }
}
