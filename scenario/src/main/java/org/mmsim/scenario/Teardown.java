package org.mmsim.scenario;

import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.check.Invariants;
import org.mmsim.kernel.fs.Inode;
import org.mmsim.kernel.fs.Vfs;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.task.Task;

/**
 * The end of every execution: every process exits (closing its fds, which releases pipes and io_uring rings with their
 * pins), the GUP test device lets go of every page it still holds, and every named file is unlinked, so that a
 * machine that leaks nothing has every frame free afterwards.
 */
final class Teardown {
    static final String TEXT = "teardown: exit all (closing every fd), release the GUP handles, unlink files";

    private Teardown() {}

    /** Tear down, as one more step recorded by {@code rec}, then check every invariant and that nothing leaked. */
    static void run(Kernel k, StepRecorder rec, Violations violations) {
        rec.begin();
        run(k);
        rec.add("-", TEXT, 0, "0", null);
        violations.recordAll(Invariants.checkStep(k), rec.size());
        violations.recordAll(Invariants.checkAllFree(k), rec.size());
    }

    private static void run(Kernel k) {
        for (Task t : k.tasks().all()) {
            if (!t.exited()) {
                k.syscalls().exit(t).run();
            }
        }
        for (GupPages g : k.gupHolders().held()) {
            if (g.pinned()) {
                k.exports().unpinUserPages(g);
            } else {
                k.exports().putPages(g);
            }
        }
        for (Inode inode : k.vfs().inodes()) {
            if (inode.nlink() > 0) {
                k.vfs().unlink(Vfs.path(inode.fs(), inode.name()));
            }
        }
    }
}
