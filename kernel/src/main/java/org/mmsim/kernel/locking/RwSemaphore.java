package org.mmsim.kernel.locking;

import org.mmsim.kernel.bug.KernelBug;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;

/**
 * {@code struct rw_semaphore} (kernel/locking/rwsem.c), as {@code mm->mmap_lock} uses it: any number of readers or
 * one writer. {@link #downRead}/{@link #downWrite} on a lock that is not free is a model bug (a step was run that
 * should not have been runnable), reported as {@code lock_order}.
 */
public final class RwSemaphore extends StateObject implements Hashable {
    private final String name;
    private final int owner;
    private int readers;
    private boolean writer;
    private final Acquire read;
    private final Acquire write;

    /** The rw_semaphore {@code name} (e.g. {@code "mmap_lock"}) of object {@code owner} (e.g. an mm id). */
    public RwSemaphore(String name, int owner) {
        this.name = name;
        this.owner = owner;
        this.read = new Acquire(name, owner, "read") {
            @Override
            public boolean available() {
                return !writer;
            }
        };
        this.write = new Acquire(name, owner, "write") {
            @Override
            public boolean available() {
                return !writer && readers == 0;
            }
        };
    }

    /** Taking it for read ({@code down_read}). */
    public Acquire read() {
        return read;
    }

    /** Taking it for write ({@code down_write}). */
    public Acquire write() {
        return write;
    }

    /** {@code down_read}: one more reader; a model bug if it is held for write. */
    public void downRead() {
        if (writer) {
            throw new KernelBug("lock_order", name + " of mm " + owner + " taken for read while held for write");
        }
        readers++;
    }

    /** {@code up_read}: one reader fewer; a model bug if no reader holds it. */
    public void upRead() {
        if (readers == 0) {
            throw new KernelBug("lock_order", name + " of mm " + owner + " released for read but not held");
        }
        readers--;
    }

    /** {@code down_write}: the one writer; a model bug if anybody holds it. */
    public void downWrite() {
        if (writer || readers != 0) {
            throw new KernelBug("lock_order", name + " of mm " + owner + " taken for write while held");
        }
        writer = true;
    }

    /** {@code up_write}: the writer leaves; a model bug if no writer holds it. */
    public void upWrite() {
        if (!writer) {
            throw new KernelBug("lock_order", name + " of mm " + owner + " released for write but not held");
        }
        writer = false;
    }

    /** Whether anybody holds it. */
    public boolean held() {
        return writer || readers != 0;
    }

    /** How many readers hold it. */
    public int readers() {
        return readers;
    }

    @Override
    public void hashInto(StateHasher h) {
        h.add(word());
    }

    /** Readers and writer as one value, one-to-one, for a record that holds the lock ({@code Mm}'s). */
    public long word() {
        return StateHasher.pack(readers, writer ? 1 : 0);
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    @Override
    public RwSemaphore copy(Copier c) {
        RwSemaphore s = c.pair(this, new RwSemaphore(name, owner));
        s.readers = readers;
        s.writer = writer;
        c.pair(read, s.read);
        c.pair(write, s.write);
        return s;
    }
}
