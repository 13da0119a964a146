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
    /** {@link #comm} hashed once, for the fingerprint: the name never changes, and a copy carries it. */
    private final long commHash;
    private Mm mm;
    private FdTable files;

    Task(int pid, int tgid, String comm, Mm mm, FdTable files) {
        this(pid, tgid, comm, new StateHasher().add(comm).value(), mm, files);
    }

    private Task(int pid, int tgid, String comm, long commHash, Mm mm, FdTable files) {
        this.pid = pid;
        this.tgid = tgid;
        this.comm = comm;
        this.commHash = commHash;
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
        long a = StateHasher.step(StateHasher.LANE, StateHasher.pack(pid, tgid));
        a = StateHasher.step(a, commHash);
        long b = StateHasher.step(StateHasher.LANE + 1, StateHasher.pack(mm == null ? 0 : mm.id(), files == null ? 0 : 1));
        b = StateHasher.step(b, files == null ? 0 : files.digest());
        h.add(StateHasher.join(a, b));
    }

    @Override
    public String toString() {
        return comm + "[" + pid + "]";
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    @Override
    public Task copy(Copier c) {
        Task t = c.pair(this, new Task(pid, tgid, comm, commHash, null, null));
        t.mm = c.copy(mm);
        t.files = c.copy(files);
        return t;
    }
}
