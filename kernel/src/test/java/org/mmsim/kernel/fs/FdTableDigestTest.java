package org.mmsim.kernel.fs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.TestKernels;

/**
 * An fd table remembers its hash between changes: every change (install, close, a thread sharing it, a user leaving)
 * gives the hash a table built afresh with the same fds and users has, never the one it remembered.
 */
class FdTableDigestTest {
    private final Kernel k = TestKernels.boot("6.18");
    private final Task t = k.spawn("p");
    private final File a = fileOf(TestKernels.creat(k, t, FsType.EXT4, "a", TestKernels.PAGE));
    private final File b = fileOf(TestKernels.creat(k, t, FsType.EXT4, "b", TestKernels.PAGE));

    private File fileOf(int fd) {
        return t.files().get(fd);
    }

    /** A table with {@code files} installed in order and {@code users} users, hashed for the first time. */
    private static long fresh(int users, File... files) {
        FdTable table = new FdTable();
        for (File f : files) {
            table.install(f);
        }
        for (int u = 1; u < users; u++) {
            table.share();
        }
        return table.digest();
    }

    @Test
    void everyChangeGivesTheHashOfATableBuiltAfresh() {
        FdTable table = new FdTable();
        long empty = table.digest();
        assertThat(empty).isEqualTo(fresh(1));

        int fa = table.install(a);
        assertThat(table.digest()).isEqualTo(fresh(1, a)).isNotEqualTo(empty);
        table.install(b);
        assertThat(table.digest()).isEqualTo(fresh(1, a, b));

        table.remove(fa);
        long onlyB = table.digest();
        assertThat(onlyB).isNotEqualTo(fresh(1, a, b)).isNotEqualTo(fresh(1, b)); // b stays at its fd, not the first
        table.share();
        assertThat(table.digest()).isNotEqualTo(onlyB);
        assertThat(table.put()).isFalse();
        assertThat(table.digest()).isEqualTo(onlyB);
    }

    @Test
    void aCopiedMachineCarriesTheHashOfItsTables() {
        long before = t.files().digest();
        Kernel copy = k.copy();
        FdTable copied = copy.tasks().byPid(t.pid()).files();
        assertThat(copied.digest()).isEqualTo(before);
        copied.share();
        assertThat(copied.digest()).isNotEqualTo(before);
        assertThat(t.files().digest()).isEqualTo(before);
    }
}
