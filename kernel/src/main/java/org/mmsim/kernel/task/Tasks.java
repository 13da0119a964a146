package org.mmsim.kernel.task;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.mmsim.kernel.fs.FdTable;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.mmap.Mmap;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.sched.Syscall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.trace.Tracer;

/**
 * The task list and pid allocation (kernel/pid.c), new processes and threads ({@code copy_process}, without the mm
 * half, which is {@code org.mmsim.kernel.mm.fork}), and {@code do_exit} (kernel/exit.c).
 */
public final class Tasks implements Hashable {
    private final MmCore core;
    private final Tracer trace;
    private final Mmap mmap;
    private final List<Task> tasks = new ArrayList<>();
    private int nextPid = 1;

    /**
     * {@code pid_max}'s default, {@code PID_MAX_DEFAULT} (0x8000): pids run from 1 to 32767, so at most that many
     * tasks live at once; a fork beyond is -EAGAIN ({@code alloc_pid}). The model does not reuse pids, which changes
     * nothing a scenario can observe but their numbers.
     */
    public static final int PID_MAX = 0x8000 - 1;

    public Tasks(MmCore core, Mmap mmap) {
        this.core = core;
        this.trace = core.trace();
        this.mmap = mmap;
    }

    /** A new process with an empty address space and no open files (as after {@code execve}). */
    public Task spawn(String comm) {
        return add(comm, core.newMm(0), new FdTable());
    }

    /** {@code clone(CLONE_VM|CLONE_FILES|CLONE_THREAD)}: a thread of {@code leader}'s process, sharing mm and fds. */
    public Task cloneThread(Task leader, String comm) {
        requireLive(leader);
        leader.mm().mmget();
        leader.files().share();
        Task t = new Task(nextPid++, leader.tgid(), comm, leader.mm(), leader.files());
        tasks.add(t);
        return t;
    }

    /** A new process (fork's child) with {@code mm} and {@code files}. */
    public Task add(String comm, Mm mm, FdTable files) {
        Task t = new Task(nextPid, nextPid, comm, mm, files);
        nextPid++;
        tasks.add(t);
        return t;
    }

    /** How many tasks have not exited. */
    public int live() {
        int n = 0;
        for (Task t : tasks) {
            if (!t.exited()) {
                n++;
            }
        }
        return n;
    }

    /** Every task ever created, in creation order. */
    public List<Task> all() {
        return Collections.unmodifiableList(tasks);
    }

    /** The task with pid {@code pid}, or null. */
    public Task byPid(int pid) {
        for (Task t : tasks) {
            if (t.pid() == pid) {
                return t;
            }
        }
        return null;
    }

    /**
     * {@code exit()} as a call ({@code do_exit}): {@code exit_mm} (the mm's last user runs {@code exit_mmap}), then
     * {@code exit_files} (the fd table's last user closes every fd, releasing pipes, rings and files). It waits for
     * {@code mmap_lock} for write, as {@code exit_mmap} takes it.
     */
    public KernelCall<Void> exit(Task t) {
        requireLive(t);
        Mm mm = t.mm();
        return new Syscall<Void>(trace, core.footprint(), "do_exit", () -> mm.mmapLock().write().blocked(), c -> {
            trace.path("do_exit");
            FdTable files = t.files();
            t.detach();
            if (mm.mmput()) {
                mm.mmapLock().downWrite();
                try {
                    mmap.exitMmap(mm);
                } finally {
                    mm.mmapLock().upWrite();
                }
            }
            files.put();
            return 0;
        });
    }

    private static void requireLive(Task t) {
        if (t.exited()) {
            throw new IllegalStateException(t + " has exited");
        }
    }

    /** The pid counter and every task in creation order. */
    @Override
    public void hashInto(StateHasher h) {
        h.add(StateHasher.pack(nextPid, tasks.size()));
        for (int i = 0; i < tasks.size(); i++) { // indexed: fingerprinted at every explored state
            tasks.get(i).hashInto(h);
        }
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    /** Fill this task list, built by a copied machine and paired with {@code o}, with copies of {@code o}'s tasks. */
    public void copyFrom(Tasks o, Copier c) {
        for (int i = 0; i < o.tasks.size(); i++) { // indexed: copied at every branch of an explored state
            tasks.add(c.copy(o.tasks.get(i)));
        }
        nextPid = o.nextPid;
    }
}
