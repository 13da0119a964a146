package org.mmsim.kernel.locking;

import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;

/**
 * {@code seqcount_t} (include/linux/seqlock.h), as {@code mm->write_protect_seq} uses it: the writer (fork, under
 * mmap_lock for write) makes it odd while it works and even again after; a lockless reader (GUP-fast) reads it
 * before and checks it after, and treats an odd start or a change as "retry".
 */
public final class SeqCount extends StateObject implements Hashable {
    private int sequence;

    /** {@code raw_write_seqcount_begin()}: odd from now on. */
    public void writeBegin() {
        sequence++;
    }

    /** {@code raw_write_seqcount_end()}: even again. */
    public void writeEnd() {
        sequence++;
    }

    /** {@code raw_read_seqcount()}: the sequence now (odd while a writer works). */
    public int read() {
        return sequence;
    }

    /** {@code read_seqcount_retry()}: whether a writer ran since {@code start} was read. */
    public boolean retry(int start) {
        return sequence != start;
    }

    @Override
    public void hashInto(StateHasher h) {
        h.add(word());
    }

    /** The sequence, for a record that holds the counter ({@code Mm}'s). */
    public long word() {
        return sequence;
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    @Override
    public SeqCount copy(Copier c) {
        SeqCount s = c.pair(this, new SeqCount());
        s.sequence = sequence;
        return s;
    }
}
