package org.mmsim.kernel.task;

import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.fs.FdTable;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;

/**
 * {@code struct task_struct}, reduced to a pid, a name for traces, the thread group, the mm and the fd table. Threads
 * of one process share the mm (and its {@code mm_users} count) and the fd table.
 */
public final class Task extends StateObject implements Hashable {
    private final int pid;
    private final int tgid;
    private final String comm;
    /**
     * The first lane of the fingerprint's record of this task, worked out once from what never changes (pid, tgid and
     * {@link #comm}); a copy carries it.
     */
    private final long idLane;
    private Mm mm;
    private FdTable files;
    /**
     * The record ({@link #hashInto}) as last worked out, and the mm id, whether there was an fd table, and the table's
     * digest it was worked out for: a cache, valid while those three are what they were ({@code recordMm} -1: none).
     */
    private long record;
    private int recordMm = -1;
    private boolean recordFiles;
    private long recordDigest;

    Task(int pid, int tgid, String comm, Mm mm, FdTable files) {
        this(pid, tgid, comm, StateHasher.step(StateHasher.step(StateHasher.LANE, StateHasher.pack(pid, tgid)),
                new StateHasher().add(comm).value()), mm, files);
    }

    private Task(int pid, int tgid, String comm, long idLane, Mm mm, FdTable files) {
        this.pid = pid;
        this.tgid = tgid;
        this.comm = comm;
        this.idLane = idLane;
        this.mm = mm;
        this.files = files;
    }

    @Export
    public int pid() {
        return pid;
    }

    /** The thread-group id, i.e. the pid of the process this thread belongs to. */
    @Export
    public int tgid() {
        return tgid;
    }

    public String comm() {
        return comm;
    }

    /** The task's mm, or null once it has exited. */
    @Export
    public Mm mm() {
        return mm;
    }

    /** The task's file descriptors ({@code current->files}), or null once it has exited. */
    @Export
    public FdTable files() {
        return files;
    }

    /** Whether the task has exited. */
    public boolean exited() {
        return mm == null;
    }

    void detach() {
        mm = null;
        files = null;
    }

    /** Pid, tgid, comm, the mm by id (0 once exited) and the fd table (none once exited), as one strong hash. */
    @Override
    public void hashInto(StateHasher h) {
        // every task is hashed at every explored state, and mostly nothing of it changed since the last time
        int m = mm == null ? 0 : mm.id();
        boolean f = files != null;
        long d = f ? files.digest() : 0;
        if (m != recordMm || f != recordFiles || d != recordDigest) {
            long b = StateHasher.step(StateHasher.step(StateHasher.LANE + 1, StateHasher.pack(m, f ? 1 : 0)), d);
            record = StateHasher.join(idLane, b);
            recordMm = m;
            recordFiles = f;
            recordDigest = d;
        }
        h.add(record);
    }

    @Override
    public String toString() {
        return comm + "[" + pid + "]";
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    @Override
    public Task copy(Copier c) {
        Task t = c.pair(this, new Task(pid, tgid, comm, idLane, null, null));
        t.mm = c.copy(mm);
        t.files = c.copy(files);
        // the copy's mm and fd table are copies of these, with the same id and digest
        t.record = record;
        t.recordMm = recordMm;
        t.recordFiles = recordFiles;
        t.recordDigest = recordDigest;
        return t;
    }
}
