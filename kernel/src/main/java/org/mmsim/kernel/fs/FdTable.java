package org.mmsim.kernel.fs;

import java.util.Arrays;
import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code struct files_struct} (fs/file.c): a process's file descriptors, each holding one reference on its
 * {@link File}. Threads share their process's table ({@code CLONE_FILES}); fork gives the child a copy
 * ({@code dup_fd}) whose fds refer to the same open files. A new fd is the lowest free one
 * ({@code get_unused_fd_flags}); fds 0, 1 and 2 are the standard streams every process starts with, which the model
 * does not model, so the first file a process opens is fd 3, as in a real program.
 */
@Export
public final class FdTable extends StateObject implements Hashable {
    /** The standard streams the model leaves out. */
    public static final int FIRST_FD = 3;
    /** {@code RLIMIT_NOFILE}'s usual soft limit: fds from here on are refused with -EMFILE. */
    public static final int NR_OPEN = 1024;

    private File[] fds = new File[8];
    private int users = 1;
    /**
     * {@link #digest} as last worked out, 0 if not since the last change: every method below that changes {@link #fds}
     * or {@link #users} clears it (the threads of a process share one table, hashed once for each of them).
     */
    private long digest;

    /**
     * {@code get_unused_fd_flags()} + {@code fd_install()}: install {@code f}, taking over the caller's reference.
     *
     * @return the fd, or -EMFILE when every fd below {@link #NR_OPEN} is taken (the reference is dropped)
     */
    public int install(File f) {
        for (int fd = FIRST_FD; fd < NR_OPEN; fd++) {
            if (fd >= fds.length) {
                fds = Arrays.copyOf(fds, Math.min(NR_OPEN, fds.length * 2));
            }
            if (fds[fd] == null) {
                fds[fd] = f;
                digest = 0;
                return fd;
            }
        }
        f.put();
        return -Errno.EMFILE;
    }

    /** {@code fdget()}: the open file behind {@code fd}, or null (the caller returns -EBADF). */
    @Export
    public File get(int fd) {
        return fd >= 0 && fd < fds.length ? fds[fd] : null;
    }

    /** {@code close_fd()}: take {@code fd} out; the caller drops the reference. Null if it was not open. */
    public File remove(int fd) {
        File f = get(fd);
        if (f != null) {
            fds[fd] = null;
            digest = 0;
        }
        return f;
    }

    /** {@code dup_fd()}: a copy for a forked child, every file gaining a reference. */
    public FdTable dup() {
        FdTable copy = new FdTable();
        copy.fds = fds.clone();
        for (File f : copy.fds) {
            if (f != null) {
                f.get();
            }
        }
        return copy;
    }

    /** A thread shares the table ({@code CLONE_FILES}). */
    public void share() {
        users++;
        digest = 0;
    }

    /**
     * {@code exit_files()} → {@code put_files_struct()}: one user fewer; the last closes every fd
     * ({@code close_files}). Returns whether it was the last.
     */
    public boolean put() {
        digest = 0;
        if (--users > 0) {
            return false;
        }
        for (int fd = 0; fd < fds.length; fd++) {
            File f = fds[fd];
            if (f != null) {
                fds[fd] = null;
                f.put();
            }
        }
        return true;
    }

    /** The open fds in order, each as (fd, file id), and the number of users: {@link #digest}. */
    @Override
    public void hashInto(StateHasher h) {
        h.add(digest());
    }

    /**
     * The open fds in order, each as (fd, file id), their number and the number of users, as one strong hash worked
     * out in registers (a task's fd table is hashed at every explored state, and value by value through the running
     * hasher it cost a quarter of the fingerprint).
     */
    public long digest() {
        if (digest != 0) {
            return digest;
        }
        long a = StateHasher.LANE;
        int open = 0;
        for (int fd = 0; fd < fds.length; fd++) {
            if (fds[fd] != null) {
                a = StateHasher.step(a, StateHasher.pack(fd, fds[fd].id()));
                open++;
            }
        }
        digest = StateHasher.join(a, StateHasher.step(StateHasher.LANE + 1, StateHasher.pack(open, users)));
        return digest;
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    /** A copy for a copied machine (not fork's {@code dup_fd}: no file gains a reference). */
    @Override
    public FdTable copy(Copier c) {
        FdTable t = c.pair(this, new FdTable());
        t.fds = new File[fds.length];
        for (int fd = 0; fd < fds.length; fd++) {
            t.fds[fd] = c.copy(fds[fd]);
        }
        t.users = users;
        t.digest = digest;
        return t;
    }
}
