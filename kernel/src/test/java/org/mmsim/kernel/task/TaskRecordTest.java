package org.mmsim.kernel.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.creat;
import static org.mmsim.kernel.testing.TestKernels.exit;

import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.fs.FsType;

/**
 * A task's record in the fingerprint is remembered until its mm or fd table changes: a machine fingerprinted before
 * and after a change hashes as one fingerprinted only after it, whichever way the table or the mm changed.
 */
class TaskRecordTest {

    /** The fingerprint after {@code change}, taken with ({@code warm}) or without a fingerprint before it. */
    private static long after(boolean warm, Consumer<Kernel> change) {
        Kernel k = boot("6.18");
        Task p = k.spawn("p");
        k.cloneThread(p, "t");
        if (warm) {
            k.fingerprint();
        }
        change.accept(k);
        return k.fingerprint();
    }

    private static Task task(Kernel k, String comm) {
        return k.tasks().all().stream().filter(t -> t.comm().equals(comm)).findFirst().orElseThrow();
    }

    @Test
    void aNewFdChangesTheRecordOfEveryTaskSharingTheTable() {
        Consumer<Kernel> open = k -> creat(k, task(k, "t"), FsType.TMPFS, "f", 4096);
        assertThat(after(true, open)).isEqualTo(after(false, open)).isNotEqualTo(after(true, k -> { }));
    }

    @Test
    void aClosedFdAndAnExitChangeItToo() {
        Consumer<Kernel> close = k -> {
            int fd = creat(k, task(k, "p"), FsType.TMPFS, "f", 4096);
            k.fingerprint();
            assertThat(k.fileSyscalls().close(task(k, "p"), fd).run()).isZero();
        };
        assertThat(after(true, close)).isEqualTo(after(false, close));
        Consumer<Kernel> exitThread = k -> exit(k, task(k, "t"));
        assertThat(after(true, exitThread)).isEqualTo(after(false, exitThread))
                .isNotEqualTo(after(true, k -> { }));
    }

    @Test
    void aCopyHashesAsItsOriginal() {
        Kernel k = boot("6.18");
        Task p = k.spawn("p");
        k.fingerprint();
        creat(k, p, FsType.TMPFS, "f", 4096);
        Kernel copy = k.copy();
        assertThat(copy.fingerprint()).isEqualTo(k.fingerprint());
    }
}
