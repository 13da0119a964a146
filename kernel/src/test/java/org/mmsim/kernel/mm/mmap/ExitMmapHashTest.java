package org.mmsim.kernel.mm.mmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.exit;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.pgtable.PageTable;
import org.mmsim.kernel.task.Task;

/**
 * {@code exit_mmap} stops keeping the page table's fingerprint entry by entry ({@code PageTable.dropHash}): the table
 * is fingerprinted afterwards exactly as one kept up to date all along.
 */
class ExitMmapHashTest {

    /** A machine with one process that stored to three pages of its own, fingerprinted, so that hashes are kept. */
    private static Kernel machine(Task[] out) {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long addr = mmapAnon(k, t, 3, RW);
        for (int i = 0; i < 3; i++) {
            write(k, t, addr + i * PAGE, 0x10 + i);
        }
        k.fingerprint();
        out[0] = t;
        return k;
    }

    @Test
    void theTableOfAnExitedMmHashesAsAnEmptyOne() {
        Task[] t = new Task[1];
        Kernel k = machine(t);
        Task fresh = k.spawn("q");
        PageTable table = t[0].mm().pageTable();
        long before = table.fingerprint();

        exit(k, t[0]);

        assertThat(table.fingerprint()).isNotEqualTo(before).isEqualTo(fresh.mm().pageTable().fingerprint());
    }

    @Test
    void aDroppedHashIsWorkedOutAgainAsTheKeptOneWouldBe() {
        Task[] a = new Task[1];
        Task[] b = new Task[1];
        Kernel kept = machine(a);
        Kernel dropped = machine(b);
        long addr = b[0].mm().vmas().get(0).start();

        b[0].mm().pageTable().dropHash();
        for (Kernel k : new Kernel[] {kept, dropped}) {
            Task t = k == kept ? a[0] : b[0];
            write(k, t, addr + PAGE, 0x77);
            assertThat(k.syscalls().munmap(t, addr, PAGE).run()).isZero();
        }

        assertThat(dropped.fingerprint()).isEqualTo(kept.fingerprint());
        assertThat(b[0].mm().pageTable().fingerprint()).isEqualTo(a[0].mm().pageTable().fingerprint());
    }
}
