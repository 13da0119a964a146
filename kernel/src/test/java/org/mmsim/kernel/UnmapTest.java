package org.mmsim.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.KernelAssertions.pfnAt;
import static org.mmsim.kernel.TestKernels.PAGE;
import static org.mmsim.kernel.TestKernels.RW;
import static org.mmsim.kernel.TestKernels.boot;
import static org.mmsim.kernel.TestKernels.mmapAnon;
import static org.mmsim.kernel.TestKernels.write;

import org.junit.jupiter.api.Test;

/** Taking pages away: {@code munmap()} and {@code madvise(MADV_DONTNEED)} ({@code zap_pte_range}). */
class UnmapTest {
    private final Kernel k = boot("6.18");
    private final Task t = k.spawn("p");

    @Test
    void munmapFreesThePagesAndRemovesTheVma() {
        long addr = mmapAnon(k, t, 2, RW);
        write(k, t, addr, 1);
        write(k, t, addr + PAGE, 2);
        int a = pfnAt(t, addr);
        int b = pfnAt(t, addr + PAGE);
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(2);

        assertThat(k.munmap(t, addr, 2 * PAGE)).isZero();

        assertThatPage(k, a).isFree();
        assertThatPage(k, b).isFree();
        assertThat(k.pageAlloc().nrAllocated()).isZero();
        assertThat(t.mm().rssAnon()).isZero();
        assertThat(t.mm().vmas()).isEmpty();
        assertThat(k.load(t, addr)).isNull();
        assertThat(k.lastSignal()).isEqualTo(11);
    }

    @Test
    void munmapOfTheMiddlePageSplitsTheVmaAndKeepsTheRest() {
        long addr = mmapAnon(k, t, 3, RW);
        for (int i = 0; i < 3; i++) {
            write(k, t, addr + i * PAGE, 10 + i);
        }

        assertThat(k.munmap(t, addr + PAGE, PAGE)).isZero();

        assertThat(t.mm().vmas()).hasSize(2);
        assertThat(k.load(t, addr)).isEqualTo(10L);
        assertThat(k.load(t, addr + 2 * PAGE)).isEqualTo(12L);
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(2);
        assertThat(k.rmapWalk(pfnAt(t, addr + 2 * PAGE)))
                .containsExactly(String.format("mm %d %#x", t.mm().id(), addr + 2 * PAGE));
    }

    @Test
    void munmapRejectsUnalignedOrEmptyRanges() {
        long addr = mmapAnon(k, t, 1, RW);
        assertThat(k.munmap(t, addr + 8, PAGE)).isEqualTo(-Errno.EINVAL);
        assertThat(k.munmap(t, addr, 0)).isEqualTo(-Errno.EINVAL);
        assertThat(t.mm().vmas()).hasSize(1);
    }

    @Test
    void madvDontneedFreesThePageAndTheNextReadSeesZeroThroughTheZeroPage() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 42);
        int pfn = pfnAt(t, addr);

        assertThat(k.madvise(t, addr, PAGE, Mman.MADV_DONTNEED)).isZero();

        assertThatPage(k, pfn).isFree();
        assertThat(k.pageAlloc().nrAllocated()).isZero();
        assertThatPte(t, addr).isNone();
        assertThat(t.mm().vmaAt(addr)).isNotNull();
        assertThat(k.load(t, addr)).isZero();
        assertThatPte(t, addr).mapsZeroPage();
    }

    @Test
    void madvDontneedOfASharedPageDropsOnlyThisMapping() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 42);
        int pfn = pfnAt(t, addr);
        Task child = k.fork(t, "child");

        assertThat(k.madvise(child, addr, PAGE, Mman.MADV_DONTNEED)).isZero();

        assertThatPage(k, pfn).hasRefcount(1).hasMapcount(1);
        assertThat(child.mm().rssAnon()).isZero();
        assertThat(k.load(t, addr)).isEqualTo(42L);
        assertThat(k.load(child, addr)).isZero();
    }

    @Test
    void aGupReferenceKeepsAZappedPageAllocatedUntilReleased() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 42);
        GupPages g = k.gup(t, addr, 1, 0, false, false);
        int pfn = g.pfn(0);

        assertThat(k.madvise(t, addr, PAGE, Mman.MADV_DONTNEED)).isZero();
        assertThatPage(k, pfn).hasRefcount(1).hasMapcount(0).holds(0, 42);

        k.release(g, false);
        assertThatPage(k, pfn).isFree();
    }

    @Test
    void madviseErrnos() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 42);
        long dev = k.mmapDevice(t, PAGE, RW);

        assertThat(k.madvise(t, addr + 8, PAGE, Mman.MADV_DONTNEED)).isEqualTo(-Errno.EINVAL);
        assertThat(k.madvise(t, addr, PAGE, 99)).isEqualTo(-Errno.EINVAL);
        assertThat(k.madvise(t, dev, PAGE, Mman.MADV_DONTNEED)).as("VM_PFNMAP").isEqualTo(-Errno.EINVAL);
        assertThat(k.madvise(t, dev, PAGE, Mman.MADV_DOFORK)).as("VM_IO").isEqualTo(-Errno.EINVAL);
        assertThat(k.madvise(t, addr, 0, Mman.MADV_DONTNEED)).isZero();
        assertThat(k.load(t, addr)).as("nothing was zapped so far").isEqualTo(42L);
    }

    @Test
    void madviseOverAHoleAdvisesTheMappedPartAndReturnsEnomem() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 42);

        assertThat(k.madvise(t, addr, 2 * PAGE, Mman.MADV_DONTNEED)).isEqualTo(-Errno.ENOMEM);

        assertThat(k.pageAlloc().nrAllocated()).isZero();
        assertThat(k.load(t, addr)).isZero();
    }

    /** Expected per mm/madvise.c: {@code end < start} returns -EINVAL. */
    @Test
    void aLengthThatWrapsIsEinval() {
        long addr = mmapAnon(k, t, 4, RW);
        assertThat(k.madvise(t, addr + 2 * PAGE, -PAGE, Mman.MADV_DONTNEED)).isEqualTo(-Errno.EINVAL);
        assertThat(t.mm().vmas()).hasSize(1);
    }
}
