package org.mmsim.kernel.mm.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.exit;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.profile;
import static org.mmsim.kernel.testing.TestKernels.violatedInvariants;
import static org.mmsim.kernel.testing.TestKernels.write;

import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.pgtable.PageTable;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.RecordingJournal;
import org.mmsim.kernel.trace.Change;

/**
 * {@code Zap.zapRange} (munmap, exit) clears a PTE table's ptes in one pass under one hold of the pte lock: every
 * table it covers is zapped once, what it frees is freed, and a copy that shares the tables keeps its own.
 */
class ZapRangeTest {
    /** Pages 0, 600 and 1,024 of a VMA of 1,025 pages: in two or three PTE tables, however the VMA is placed. */
    private static final int[] PAGES = {0, 600, 1024};

    private record Machine(Kernel k, Task t, long addr, int allocatedBefore) {}

    /** A machine small enough for PTE blocks of 16 (an explorer's), or the default, with blocks of 64. */
    private static Machine stored(boolean small) {
        Kernel k = small ? boot(profile("6.18"), 4096, 0) : boot("6.18");
        Task t = k.spawn("p");
        long addr = mmapAnon(k, t, 1025, RW);
        int before = k.pageAlloc().nrAllocated();
        for (int i = 0; i < PAGES.length; i++) {
            write(k, t, addr + PAGES[i] * PAGE, 0x10 + i);
        }
        k.fingerprint(); // from here on the page table keeps its fingerprint entry by entry
        return new Machine(k, t, addr, before);
    }

    private static long tables(long addr) {
        return LongStream.of(0, 600, 1024).map(p -> (addr + p * PAGE) >>> PageTable.PMD_SHIFT).distinct().count();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void munmapZapsEachTableOnceAndFreesEveryPage(boolean small) {
        Machine m = stored(small);
        RecordingJournal journal = new RecordingJournal();
        m.k().attach(journal);

        assertThat(m.k().syscalls().munmap(m.t(), m.addr(), 1025 * PAGE).run()).isEqualTo(0L);

        assertThat(journal.entries("zap_pte_range")).isEqualTo(tables(m.addr()));
        assertThat(journal.changes()).filteredOn(Change.Pte.class::isInstance).hasSize(PAGES.length);
        assertThat(m.k().pageAlloc().nrAllocated()).isEqualTo(m.allocatedBefore());
        assertThat(m.t().mm().rss()).isZero();
        assertThat(m.t().mm().ptl().held()).isFalse();
        assertThat(m.t().mm().pageTable().fingerprint()).isEqualTo(m.k().spawn("q").mm().pageTable().fingerprint());
        assertThat(violatedInvariants(m.k())).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aPartialMunmapLeavesTheRestMappedAndHashedAsIfWrittenOneByOne(boolean small) {
        Machine zapped = stored(small);
        Machine cleared = stored(small);
        long middle = zapped.addr() + PAGES[1] * PAGE;

        assertThat(zapped.k().syscalls().munmap(zapped.t(), middle, PAGE).run()).isEqualTo(0L);
        cleared.t().mm().setPte(middle, 0); // the same entry cleared through set_pte_at, hash kept entry by entry

        assertThat(zapped.t().mm().pageTable().fingerprint())
                .isEqualTo(cleared.t().mm().pageTable().fingerprint());
        assertThat(load(zapped.k(), zapped.t(), zapped.addr())).isEqualTo(0x10);
        assertThat(load(zapped.k(), zapped.t(), zapped.addr() + PAGES[2] * PAGE)).isEqualTo(0x12);
        assertThat(zapped.t().mm().rssAnon()).isEqualTo(2);
        assertThat(violatedInvariants(zapped.k())).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void exitReleasesEveryPteInAddressOrderAndFreesEveryTable(boolean small) {
        Machine m = stored(small);
        long empty = m.k().spawn("q").mm().pageTable().fingerprint();
        PageTable pgd = m.t().mm().pageTable(); // the exited task lets go of its mm
        RecordingJournal journal = new RecordingJournal();
        m.k().attach(journal);

        exit(m.k(), m.t());

        assertThat(journal.entries("zap_pte_range")).isEqualTo(tables(m.addr()));
        assertThat(journal.changes()).filteredOn(Change.Pte.class::isInstance).extracting(c -> ((Change.Pte) c).address())
                .containsExactly(m.addr() + PAGES[0] * PAGE, m.addr() + PAGES[1] * PAGE, m.addr() + PAGES[2] * PAGE);
        assertThat(journal.changes()).filteredOn(Change.PageFreed.class::isInstance).hasSize(PAGES.length);
        assertThat(m.k().pageAlloc().nrAllocated()).isEqualTo(m.allocatedBefore());
        for (int p : PAGES) {
            assertThat(pgd.get(m.addr() + p * PAGE)).as("page %d: its table is freed", p).isZero();
        }
        assertThat(pgd.fingerprint()).isEqualTo(empty);
        assertThat(violatedInvariants(m.k())).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aCopyKeepsWhatItsOriginalZaps(boolean small) {
        Machine m = stored(small);
        Kernel copy = m.k().copy();
        long copyFp = copy.fingerprint();
        Task copied = copy.tasks().all().stream().filter(t -> t.comm().equals("p")).findFirst().orElseThrow();

        exit(m.k(), m.t());

        assertThat(m.k().pageAlloc().nrAllocated()).isLessThan(copy.pageAlloc().nrAllocated());
        assertThat(copy.fingerprint()).isEqualTo(copyFp);
        for (int i = 0; i < PAGES.length; i++) {
            assertThat(load(copy, copied, m.addr() + PAGES[i] * PAGE)).isEqualTo(0x10 + i);
        }
        assertThat(violatedInvariants(copy)).isEmpty();
    }
}
