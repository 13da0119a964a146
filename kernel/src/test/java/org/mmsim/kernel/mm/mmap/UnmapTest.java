package org.mmsim.kernel.mm.mmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.testing.KernelAssertions.at;
import static org.mmsim.kernel.testing.KernelAssertions.pfnAt;
import static org.mmsim.kernel.testing.KernelAssertions.rmapWalk;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.fork;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.loadSignal;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.mmsim.kernel.testing.TestKernels;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Mman;
import org.mmsim.kernel.uapi.Signal;

/**
 * Taking pages away: {@code munmap()} and {@code madvise(MADV_DONTNEED)} ({@code zap_pte_range}). What they do to a
 * device mapping (VM_IO|VM_PFNMAP) is in the drivers module's {@code MmioDriverTest}.
 */
class UnmapTest {
    private final Kernel k = boot("6.18");
    private final Syscalls sys = k.syscalls();
    private final Task t = k.spawn("p");

    @Test
    void munmapFreesThePagesAndRemovesTheVma() {
        long addr = mmapAnon(k, t, 2, RW);
        write(k, t, addr, 1);
        write(k, t, addr + PAGE, 2);
        int a = pfnAt(t, addr);
        int b = pfnAt(t, addr + PAGE);
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(2);

        assertThat(sys.munmap(t, addr, 2 * PAGE).run()).isZero();

        assertThatPage(k, a).isFree();
        assertThatPage(k, b).isFree();
        assertThat(k.pageAlloc().nrAllocated()).isZero();
        assertThat(t.mm().rssAnon()).isZero();
        assertThat(t.mm().vmas()).isEmpty();
        assertThat(loadSignal(k, t, addr)).isEqualTo(Signal.SIGSEGV);
    }

    @Test
    void munmapOfTheMiddlePageSplitsTheVmaAndKeepsTheRest() {
        long addr = mmapAnon(k, t, 3, RW);
        for (int i = 0; i < 3; i++) {
            write(k, t, addr + i * PAGE, 10 + i);
        }

        assertThat(sys.munmap(t, addr + PAGE, PAGE).run()).isZero();

        assertThat(t.mm().vmas()).hasSize(2);
        assertThat(load(k, t, addr)).isEqualTo(10L);
        assertThat(load(k, t, addr + 2 * PAGE)).isEqualTo(12L);
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(2);
        assertThat(rmapWalk(k, pfnAt(t, addr + 2 * PAGE))).containsExactly(at(t, addr + 2 * PAGE));
    }

    @Test
    void munmapRejectsUnalignedOrEmptyRanges() {
        long addr = mmapAnon(k, t, 1, RW);
        assertThat(sys.munmap(t, addr + 8, PAGE).run()).isEqualTo(-Errno.EINVAL);
        assertThat(sys.munmap(t, addr, 0).run()).isEqualTo(-Errno.EINVAL);
        assertThat(sys.munmap(t, addr, Long.MAX_VALUE).run()).as("do_vmi_munmap: len > TASK_SIZE - start")
                .isEqualTo(-Errno.EINVAL);
        assertThat(t.mm().vmas()).hasSize(1);
    }

    @Test
    void madvDontneedFreesThePageAndTheNextReadSeesZeroThroughTheZeroPage() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 42);
        int pfn = pfnAt(t, addr);

        assertThat(sys.madvise(t, addr, PAGE, Mman.MADV_DONTNEED).run()).isZero();

        assertThatPage(k, pfn).isFree();
        assertThat(k.pageAlloc().nrAllocated()).isZero();
        assertThatPte(t, addr).isNone();
        assertThat(t.mm().vmaAt(addr)).isNotNull();
        assertThat(load(k, t, addr)).isZero();
        assertThatPte(t, addr).mapsZeroPage();
    }

    @Test
    void madvDontneedOfASharedPageDropsOnlyThisMapping() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 42);
        int pfn = pfnAt(t, addr);
        Task child = fork(k, t, "child");

        assertThat(sys.madvise(child, addr, PAGE, Mman.MADV_DONTNEED).run()).isZero();

        assertThatPage(k, pfn).hasRefcount(1).hasMapcount(1);
        assertThat(child.mm().rssAnon()).isZero();
        assertThat(load(k, t, addr)).isEqualTo(42L);
        assertThat(load(k, child, addr)).isZero();
    }

    @Test
    void aGupReferenceKeepsAZappedPageAllocatedUntilReleased() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 42);
        GupPages g = sys.getUserPages(t, addr, 1, 0).complete();
        int pfn = g.pfn(0);

        assertThat(sys.madvise(t, addr, PAGE, Mman.MADV_DONTNEED).run()).isZero();
        assertThatPage(k, pfn).hasRefcount(1).hasMapcount(0).holds(0, 42);

        assertThat(TestKernels.release(sys, t, g, false).run()).isZero();
        assertThatPage(k, pfn).isFree();
    }

    @Test
    void madviseErrnos() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 42);

        assertThat(sys.madvise(t, addr + 8, PAGE, Mman.MADV_DONTNEED).run()).isEqualTo(-Errno.EINVAL);
        assertThat(sys.madvise(t, addr, PAGE, 99).run()).isEqualTo(-Errno.EINVAL);
        assertThat(sys.madvise(t, addr, 0, Mman.MADV_DONTNEED).run()).isZero();
        assertThat(load(k, t, addr)).as("nothing was zapped so far").isEqualTo(42L);
    }

    @Test
    void madviseOverAHoleAdvisesTheMappedPartAndReturnsEnomem() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 42);

        assertThat(sys.madvise(t, addr, 2 * PAGE, Mman.MADV_DONTNEED).run()).isEqualTo(-Errno.ENOMEM);

        assertThat(k.pageAlloc().nrAllocated()).isZero();
        assertThat(load(k, t, addr)).isZero();
    }

    /** Expected per mm/madvise.c: {@code end < start} returns -EINVAL. */
    @Test
    void aLengthThatWrapsIsEinval() {
        long addr = mmapAnon(k, t, 4, RW);
        assertThat(sys.madvise(t, addr + 2 * PAGE, -PAGE, Mman.MADV_DONTNEED).run()).isEqualTo(-Errno.EINVAL);
        assertThat(t.mm().vmas()).hasSize(1);
    }

    /**
     * {@code zap_present_folio_ptes}: an anonymous page does not take the dirty bit of the pte being zapped (its data
     * is in the page), so a page the child still maps after the parent's munmap stays clean.
     */
    @Test
    void munmapDoesNotMarkAnAnonymousPageDirty() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 7);
        int pfn = pfnAt(t, addr);
        assertThatPte(t, addr).isDirty();
        Task child = fork(k, t, "c");

        assertThat(sys.munmap(t, addr, PAGE).run()).isZero();

        assertThat(pfnAt(child, addr)).isEqualTo(pfn);
        assertThatPage(k, pfn).isClean().hasMapcount(1);
        assertThat(load(k, child, addr)).isEqualTo(7L);
    }
}
