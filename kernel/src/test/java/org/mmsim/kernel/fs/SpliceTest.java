package org.mmsim.kernel.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.testing.KernelAssertions.pfnAt;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.creat;
import static org.mmsim.kernel.testing.TestKernels.fork;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.pipe;
import static org.mmsim.kernel.testing.TestKernels.pipeOf;
import static org.mmsim.kernel.testing.TestKernels.violatedInvariants;
import static org.mmsim.kernel.testing.TestKernels.write;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.WordRead;
import org.mmsim.kernel.syscall.FileSyscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.InvariantsNotChecked;
import org.mmsim.kernel.uapi.Errno;

/**
 * vmsplice and pipe buffers (fs/splice.c, fs/pipe.c), and CVE-2020-29374 under each COW rule. That vmsplice cannot
 * take a device mapping is in the drivers module's {@code MmioDriverTest}.
 */
class SpliceTest {
    private static final long D0 = 0xD0;
    private static final long D1 = 0xD1;

    private final Kernel k = boot("6.18");
    private final FileSyscalls fs = k.fileSyscalls();
    private final Task t = k.spawn("p");
    private final int[] fds = pipe(k, t);
    private final int readEnd = fds[0];
    private final int writeEnd = fds[1];
    private final Pipe pipe = pipeOf(t, writeEnd);

    @Test
    void aPipeBufferHoldsAReferenceUntilItIsRead() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, D0);
        int pfn = pfnAt(t, addr);

        assertThat(fs.vmsplice(t, writeEnd, addr, PAGE).run()).isEqualTo(PAGE);

        assertThat(pipe.nrBufs()).isEqualTo(1);
        assertThat(pipe.pfns()).containsExactly(pfn);
        assertThatPage(k, pfn).hasRefcount(2).hasMapcount(1).isReferenced();
        assertThat(k.gupHolders().held()).as("a pipe reference is not a GUP holder").isEmpty();

        WordRead read = fs.read(t, readEnd, 0).complete();
        assertThat(read).isEqualTo(new WordRead(D0, 8));
        assertThat(pipe.nrBufs()).isZero();
        assertThatPage(k, pfn).hasRefcount(1).hasMapcount(1);
    }

    @Test
    void theSplicedPageOutlivesItsMappingUntilTheBufferIsRead() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, D0);
        int pfn = pfnAt(t, addr);
        fs.vmsplice(t, writeEnd, addr, PAGE).run();

        assertThat(k.syscalls().munmap(t, addr, PAGE).run()).isZero();
        assertThatPage(k, pfn).hasRefcount(1).hasMapcount(0);

        assertThat(fs.read(t, readEnd, 0).complete().value()).isEqualTo(D0);
        assertThatPage(k, pfn).isFree();
    }

    @Test
    void aPipeTakesAtMostSixteenBuffers() {
        long addr = mmapAnon(k, t, 17, RW);

        assertThat(fs.vmsplice(t, writeEnd, addr, 17 * PAGE).run()).isEqualTo(Pipe.PIPE_DEF_BUFFERS * PAGE);
        assertThat(pipe.nrBufs()).isEqualTo(16);
        assertThat(fs.vmsplice(t, writeEnd, addr + 16 * PAGE, PAGE).run()).isEqualTo(-Errno.EAGAIN);
        assertThat(fs.write(t, writeEnd, 1).run()).isEqualTo(-Errno.EAGAIN);
        assertThat(t.mm().pte(addr + 16 * PAGE)).as("the second round's GUP faulted the 17th page in, then put it")
                .isNotZero();
        assertThat(violatedInvariants(k)).as("its reference went back: the accounting balances").isEmpty();
    }

    @Test
    void aRoundOfSixteenPagesIsFaultedInEvenWhenThePipeHasRoomForFewer() {
        long addr = mmapAnon(k, t, 4, RW);
        for (int i = 0; i < 14; i++) {
            assertThat(fs.write(t, writeEnd, i).run()).isEqualTo(8);
        }

        assertThat(fs.vmsplice(t, writeEnd, addr, 4 * PAGE).run()).as("two buffers of room").isEqualTo(2 * PAGE);

        assertThat(pipe.nrBufs()).isEqualTo(16);
        assertThat(t.mm().pte(addr + 3 * PAGE)).as("iov_iter_get_pages2 took all four").isNotZero();
        assertThat(violatedInvariants(k)).isEmpty();
    }

    @Test
    void vmspliceErrnos() {
        long addr = mmapAnon(k, t, 1, RW);
        int file = creat(k, t, FsType.TMPFS, "t", PAGE);

        // An in-page address and a zero length are accepted, as the kernel does: VmspliceArgumentsTest.
        assertThat(fs.vmsplice(t, writeEnd, addr + PAGE, PAGE).run()).isEqualTo(-Errno.EFAULT);
        assertThat(fs.vmsplice(t, readEnd, addr, PAGE).run()).as("the read end").isEqualTo(-Errno.EINVAL);
        assertThat(fs.vmsplice(t, file, addr, PAGE).run()).as("not a pipe").isEqualTo(-Errno.EBADF);
        assertThat(pipe.nrBufs()).isZero();
        assertThat(fs.close(t, readEnd).run()).isZero();
        assertThat(fs.vmsplice(t, writeEnd, addr, PAGE).run()).as("no reader").isEqualTo(-Errno.EPIPE);
        assertThat(fs.close(t, writeEnd).run()).isZero();
        assertThat(fs.vmsplice(t, writeEnd, addr, PAGE).run()).as("a closed fd").isEqualTo(-Errno.EBADF);
    }

    @Test
    void readingAnEmptyOrClosedPipe() {
        assertThat(fs.read(t, readEnd, 0).complete().ret()).isEqualTo(-Errno.EAGAIN);
        assertThat(fs.close(t, readEnd).run()).isZero();
        assertThat(fs.close(t, writeEnd).run()).isZero();
        assertThat(pipe.closed()).isTrue();
        assertThat(fs.read(t, readEnd, 0).complete().ret()).isEqualTo(-Errno.EBADF);
        assertThat(fs.close(t, readEnd).run()).isEqualTo(-Errno.EBADF);
        assertThat(fs.write(t, writeEnd, 1).run()).as("the fd is gone, not just the reader").isEqualTo(-Errno.EBADF);
    }

    @Test
    void aWriteWithoutAReaderIsEpipeAndAReadWithoutAWriterIsEndOfFile() {
        assertThat(fs.write(t, writeEnd, 1).run()).isEqualTo(8);
        assertThat(fs.close(t, writeEnd).run()).isZero();

        assertThat(fs.read(t, readEnd, 0).complete()).as("the buffer still queued").isEqualTo(new WordRead(1, 8));
        assertThat(fs.read(t, readEnd, 0).complete()).as("end of file").isEqualTo(new WordRead(0, 0));

        int[] other = pipe(k, t);
        assertThat(fs.close(t, other[0]).run()).isZero();
        assertThat(fs.write(t, other[1], 1).run()).isEqualTo(-Errno.EPIPE);
        assertThat(fs.read(t, other[1], 0).complete().ret()).as("the write end is not readable")
                .isEqualTo(-Errno.EBADF);
    }

    @Test
    void pipeWriteCopiesIntoAKernelPageThatTheReadFrees() {
        assertThat(fs.write(t, writeEnd, 77).run()).isEqualTo(8);
        int pfn = pipe.pfns()[0];
        assertThatPage(k, pfn).hasRefcount(1).hasMapcount(0);

        assertThat(fs.read(t, readEnd, 0).complete()).isEqualTo(new WordRead(77, 8));
        assertThatPage(k, pfn).isFree();
    }

    @Test
    void closingAPipeReleasesEveryBuffer() {
        long addr = mmapAnon(k, t, 2, RW);
        write(k, t, addr, 1);
        write(k, t, addr + PAGE, 2);
        fs.vmsplice(t, writeEnd, addr, 2 * PAGE).run();
        fs.write(t, writeEnd, 3).run();
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(3);

        assertThat(fs.close(t, readEnd).run()).isZero();
        assertThat(pipe.nrBufs()).as("the write end still holds the pipe").isEqualTo(3);
        assertThat(fs.close(t, writeEnd).run()).isZero();

        assertThat(pipe.nrBufs()).isZero();
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(2);
        assertThatPage(k, pfnAt(t, addr)).hasRefcount(1);
    }

    /**
     * Jann Horn's sequence (reference B2): parent writes D0, forks; the child vmsplices the page, unmaps it; the
     * parent writes D1; the child reads the pipe.
     */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"5.7, D1, true", "5.8, D0, false", "5.9, D0, false", "5.19, D0, false", "6.18, D0, false"})
    @InvariantsNotChecked(value = "under the mapcount rule the child reads the parent's later write: the isolation "
            + "violation is what the row shows", profiles = "5.7")
    void cve202029374(String profile, String expected, boolean leaks) {
        Kernel m = boot(profile);
        FileSyscalls mfs = m.fileSyscalls();
        Task parent = m.spawn("parent");
        long addr = mmapAnon(m, parent, 1, RW);
        write(m, parent, addr, D0);
        Task child = fork(m, parent, "child");
        int[] p = pipe(m, child);

        assertThat(mfs.vmsplice(child, p[1], addr, PAGE).run()).isEqualTo(PAGE);
        assertThat(m.syscalls().munmap(child, addr, PAGE).run()).isZero();
        write(m, parent, addr, D1);
        WordRead read = mfs.read(child, p[0], 0).complete();

        assertThat(read.ret()).isEqualTo(8);
        assertThat(read.value()).isEqualTo(expected.equals("D1") ? D1 : D0);
        assertThat(load(m, parent, addr)).isEqualTo(D1);
        assertThat(violatedInvariants(m)).isEqualTo(leaks ? List.of("isolation") : List.of());
    }

    /**
     * The mirror the 5.8 fix did not cover: the parent splices before fork, unmaps, and the child writes. Breaking
     * COW at GUP time cannot help (the page was exclusive when spliced); only the page-count rule (5.9) copies.
     */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"5.7, D1, true", "5.8, D1, true", "5.9, D0, false", "5.19, D0, false", "6.18, D0, false"})
    @InvariantsNotChecked(value = "under the mapcount rule the parent's pipe reads the child's later write: the "
            + "isolation violation is what the row shows", profiles = {"5.7", "5.8"})
    void aPageSplicedBeforeForkAndThenUnmapped(String profile, String expected, boolean leaks) {
        Kernel m = boot(profile);
        FileSyscalls mfs = m.fileSyscalls();
        Task parent = m.spawn("parent");
        long addr = mmapAnon(m, parent, 1, RW);
        write(m, parent, addr, D0);
        int[] p = pipe(m, parent);
        assertThat(mfs.vmsplice(parent, p[1], addr, PAGE).run()).isEqualTo(PAGE);
        Task child = fork(m, parent, "child");

        assertThat(m.syscalls().munmap(parent, addr, PAGE).run()).isZero();
        write(m, child, addr, D1);
        WordRead read = mfs.read(parent, p[0], 0).complete();

        assertThat(read.value()).isEqualTo(expected.equals("D1") ? D1 : D0);
        assertThat(violatedInvariants(m)).isEqualTo(leaks ? List.of("isolation") : List.of());
    }
}
