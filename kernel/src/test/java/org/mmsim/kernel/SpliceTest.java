package org.mmsim.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.KernelAssertions.pfnAt;
import static org.mmsim.kernel.TestKernels.PAGE;
import static org.mmsim.kernel.TestKernels.RW;
import static org.mmsim.kernel.TestKernels.boot;
import static org.mmsim.kernel.TestKernels.mmapAnon;
import static org.mmsim.kernel.TestKernels.violatedInvariants;
import static org.mmsim.kernel.TestKernels.write;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** vmsplice and pipe buffers (fs/splice.c, fs/pipe.c), and CVE-2020-29374 under each COW rule. */
class SpliceTest {
    private static final long D0 = 0xD0;
    private static final long D1 = 0xD1;

    private final Kernel k = boot("6.18");
    private final Task t = k.spawn("p");
    private final Pipe pipe = k.pipe();

    @Test
    void aPipeBufferHoldsAReferenceUntilItIsRead() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, D0);
        int pfn = pfnAt(t, addr);

        assertThat(k.vmsplice(t, pipe, addr, PAGE)).isEqualTo(PAGE);

        assertThat(pipe.nrBufs()).isEqualTo(1);
        assertThat(pipe.pfns()).containsExactly(pfn);
        assertThatPage(k, pfn).hasRefcount(2).hasMapcount(1);
        assertThat(k.gupHolders()).as("a pipe reference is not a GUP holder").isEmpty();

        Pipe.Read read = k.pipeRead(pipe, 0);
        assertThat(read).isEqualTo(new Pipe.Read(0, D0));
        assertThat(pipe.nrBufs()).isZero();
        assertThatPage(k, pfn).hasRefcount(1).hasMapcount(1);
    }

    @Test
    void theSplicedPageOutlivesItsMappingUntilTheBufferIsRead() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, D0);
        int pfn = pfnAt(t, addr);
        k.vmsplice(t, pipe, addr, PAGE);

        assertThat(k.munmap(t, addr, PAGE)).isZero();
        assertThatPage(k, pfn).hasRefcount(1).hasMapcount(0);

        assertThat(k.pipeRead(pipe, 0).value()).isEqualTo(D0);
        assertThatPage(k, pfn).isFree();
    }

    @Test
    void aPipeTakesAtMostSixteenBuffers() {
        long addr = mmapAnon(k, t, 17, RW);

        assertThat(k.vmsplice(t, pipe, addr, 17 * PAGE)).isEqualTo(Pipe.PIPE_DEF_BUFFERS * PAGE);
        assertThat(pipe.nrBufs()).isEqualTo(16);
        assertThat(k.vmsplice(t, pipe, addr + 16 * PAGE, PAGE)).isEqualTo(-Errno.EAGAIN);
        assertThat(k.pipeWrite(pipe, 1)).isEqualTo(-Errno.EAGAIN);
    }

    @Test
    void vmspliceErrnos() {
        long addr = mmapAnon(k, t, 1, RW);

        assertThat(k.vmsplice(t, pipe, addr + 8, PAGE)).isEqualTo(-Errno.EINVAL);
        assertThat(k.vmsplice(t, pipe, addr, 0)).isEqualTo(-Errno.EINVAL);
        assertThat(k.vmsplice(t, pipe, addr + PAGE, PAGE)).isEqualTo(-Errno.EFAULT);
        assertThat(k.vmsplice(t, pipe, k.mmapDevice(t, PAGE, RW), PAGE)).isEqualTo(-Errno.EFAULT);
        assertThat(pipe.nrBufs()).isZero();
        assertThat(k.pipeClose(pipe)).isZero();
        assertThat(k.vmsplice(t, pipe, addr, PAGE)).isEqualTo(-Errno.EPIPE);
    }

    @Test
    void readingAnEmptyOrClosedPipe() {
        assertThat(k.pipeRead(pipe, 0).error()).isEqualTo(Errno.EAGAIN);
        assertThat(k.pipeClose(pipe)).isZero();
        assertThat(pipe.closed()).isTrue();
        assertThat(k.pipeRead(pipe, 0).error()).isEqualTo(Errno.EBADF);
        assertThat(k.pipeClose(pipe)).isEqualTo(-Errno.EBADF);
        assertThat(k.pipeWrite(pipe, 1)).isEqualTo(-Errno.EPIPE);
    }

    @Test
    void pipeWriteCopiesIntoAKernelPageThatTheReadFrees() {
        assertThat(k.pipeWrite(pipe, 77)).isEqualTo(8);
        int pfn = pipe.pfns()[0];
        assertThatPage(k, pfn).hasRefcount(1).hasMapcount(0);

        assertThat(k.pipeRead(pipe, 0)).isEqualTo(new Pipe.Read(0, 77));
        assertThatPage(k, pfn).isFree();
    }

    @Test
    void closingAPipeReleasesEveryBuffer() {
        long addr = mmapAnon(k, t, 2, RW);
        write(k, t, addr, 1);
        write(k, t, addr + PAGE, 2);
        k.vmsplice(t, pipe, addr, 2 * PAGE);
        k.pipeWrite(pipe, 3);
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(3);

        assertThat(k.pipeClose(pipe)).isZero();

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
    void cve202029374(String profile, String expected, boolean leaks) {
        Kernel m = boot(profile);
        Task parent = m.spawn("parent");
        long addr = mmapAnon(m, parent, 1, RW);
        write(m, parent, addr, D0);
        Task child = m.fork(parent, "child");
        Pipe p = m.pipe();

        assertThat(m.vmsplice(child, p, addr, PAGE)).isEqualTo(PAGE);
        assertThat(m.munmap(child, addr, PAGE)).isZero();
        write(m, parent, addr, D1);
        Pipe.Read read = m.pipeRead(p, 0);

        assertThat(read.error()).isZero();
        assertThat(read.value()).isEqualTo(expected.equals("D1") ? D1 : D0);
        assertThat(m.load(parent, addr)).isEqualTo(D1);
        if (leaks) {
            assertThat(violatedInvariants(m)).containsExactly("isolation");
        } else {
            assertThat(violatedInvariants(m)).isEmpty();
        }
    }

    /**
     * The mirror the 5.8 fix did not cover: the parent splices before fork, unmaps, and the child writes. Breaking
     * COW at GUP time cannot help (the page was exclusive when spliced); only the page-count rule (5.9) copies.
     */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"5.7, D1, true", "5.8, D1, true", "5.9, D0, false", "5.19, D0, false", "6.18, D0, false"})
    void aPageSplicedBeforeForkAndThenUnmapped(String profile, String expected, boolean leaks) {
        Kernel m = boot(profile);
        Task parent = m.spawn("parent");
        long addr = mmapAnon(m, parent, 1, RW);
        write(m, parent, addr, D0);
        Pipe p = m.pipe();
        assertThat(m.vmsplice(parent, p, addr, PAGE)).isEqualTo(PAGE);
        Task child = m.fork(parent, "child");

        assertThat(m.munmap(parent, addr, PAGE)).isZero();
        write(m, child, addr, D1);
        Pipe.Read read = m.pipeRead(p, 0);

        assertThat(read.value()).isEqualTo(expected.equals("D1") ? D1 : D0);
        assertThat(violatedInvariants(m)).isEqualTo(leaks ? List.of("isolation") : List.of());
    }
}
