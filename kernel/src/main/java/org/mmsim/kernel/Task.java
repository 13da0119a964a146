package org.mmsim.kernel;

/**
 * {@code struct task_struct}, reduced to a pid, a name for traces, the thread group and the mm. Threads of one
 * process share the mm (and its {@code mm_users} count).
 */
public final class Task {
    private final int pid;
    private final int tgid;
    private final String comm;
    Mm mm;

    Task(int pid, int tgid, String comm, Mm mm) {
        this.pid = pid;
        this.tgid = tgid;
        this.comm = comm;
        this.mm = mm;
    }

    public int pid() {
        return pid;
    }

    /** The thread-group id, i.e. the pid of the process this thread belongs to. */
    public int tgid() {
        return tgid;
    }

    public String comm() {
        return comm;
    }

    /** The task's mm, or null once it has exited. */
    public Mm mm() {
        return mm;
    }

    @Override
    public String toString() {
        return comm + "[" + pid + "]";
    }
}
