package org.mmsim.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.KernelAssertions.pfnAt;
import static org.mmsim.kernel.TestKernels.PAGE;
import static org.mmsim.kernel.TestKernels.RW;
import static org.mmsim.kernel.TestKernels.boot;
import static org.mmsim.kernel.TestKernels.mmapAnon;
import static org.mmsim.kernel.TestKernels.violatedInvariants;
import static org.mmsim.kernel.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmsim.kernel.profile.Profiles;

/** {@code fork()}: {@code dup_mmap}, {@code copy_present_pte} and the early copy of pinned pages. */
class ForkTest {
    private static final long D0 = 0xD0;
    private static final long D1 = 0xD1;
    private static final int LONGTERM_WRITE = Kernel.FOLL_WRITE | Kernel.FOLL_LONGTERM;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"5.7", "5.9", "6.18"})
    void madvDontforkLeavesAHoleInTheChild(String profile) {
        Kernel k = boot(profile);
        Task parent = k.spawn("parent");
        long addr = mmapAnon(k, parent, 1, RW);
        write(k, parent, addr, D0);
        int pfn = pfnAt(parent, addr);
        assertThat(k.madvise(parent, addr, PAGE, Mman.MADV_DONTFORK)).isZero();

        Task child = k.fork(parent, "child");

        assertThat(child.mm().vmaAt(addr)).isNull();
        assertThat(k.load(child, addr)).isNull();
        assertThat(k.lastSignal()).isEqualTo(11);
        assertThatPte(parent, addr).as("not copied, so not write-protected").isWritable().mapsPfn(pfn);
        assertThatPage(k, pfn).hasRefcount(1).hasMapcount(1);
        assertThat(child.mm().rssAnon()).isZero();
    }

    @Test
    void madvDoforkRestoresCopyingIntoTheChild() {
        Kernel k = boot("6.18");
        Task parent = k.spawn("parent");
        long addr = mmapAnon(k, parent, 1, RW);
        write(k, parent, addr, D0);
        assertThat(k.madvise(parent, addr, PAGE, Mman.MADV_DONTFORK)).isZero();
        assertThat(k.madvise(parent, addr, PAGE, Mman.MADV_DOFORK)).isZero();

        Task child = k.fork(parent, "child");

        assertThat(k.load(child, addr)).isEqualTo(D0);
        assertThatPte(child, addr).mapsPfn(pfnAt(parent, addr));
        assertThatPage(k, pfnAt(parent, addr)).hasRefcount(2).hasMapcount(2);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"5.9", "6.18"})
    void aPinnedPageIsCopiedForTheChildAtFork(String profile) {
        Kernel k = boot(profile);
        Task parent = k.spawn("parent");
        long addr = mmapAnon(k, parent, 1, RW);
        write(k, parent, addr, D0);
        GupPages pin = k.gup(parent, addr, 1, LONGTERM_WRITE, true, false);
        int pinned = pin.pfn(0);

        Task child = k.fork(parent, "child");

        assertThatPte(parent, addr).isWritable().mapsPfn(pinned);
        int copy = pfnAt(child, addr);
        assertThat(copy).isNotEqualTo(pinned);
        assertThatPte(child, addr).isWritable();
        assertThatPage(k, pinned).hasRefcount(1 + Kernel.GUP_PIN_COUNTING_BIAS).hasMapcount(1);
        assertThatPage(k, copy).hasRefcount(1).hasMapcount(1).isAnon().holds(0, D0);
        if (profile.equals("6.18")) {
            assertThatPage(k, pinned).isAnonExclusive();
            assertThatPage(k, copy).isAnonExclusive();
        }
        assertThat(child.mm().rssAnon()).isEqualTo(1);

        write(k, parent, addr, D1);
        assertThat(k.dmaRead(pin, 0, 0)).as("the device still sees the parent's page").isEqualTo(D1);
        assertThat(k.load(child, addr)).isEqualTo(D0);
        assertThat(violatedInvariants(k)).isEmpty();
    }

    @Test
    void before59APinnedPageIsSharedAndTheParentsWriteCopiesItAway() {
        Kernel k = boot("5.7");
        Task parent = k.spawn("parent");
        long addr = mmapAnon(k, parent, 1, RW);
        write(k, parent, addr, D0);
        GupPages pin = k.gup(parent, addr, 1, LONGTERM_WRITE, true, false);
        int pinned = pin.pfn(0);

        Task child = k.fork(parent, "child");

        assertThatPte(parent, addr).isReadOnly().mapsPfn(pinned);
        assertThatPte(child, addr).isReadOnly().mapsPfn(pinned);
        assertThatPage(k, pinned).hasRefcount(2 + Kernel.GUP_PIN_COUNTING_BIAS).hasMapcount(2);

        write(k, parent, addr, D1);
        assertThatPte(parent, addr).doesNotMapPfn(pinned);
        assertThat(k.dmaRead(pin, 0, 0)).isEqualTo(D0);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"5.9", "5.11", "5.19", "6.18"})
    void aPinSetsMmfHasPinnedWhichTheChildDoesNotInherit(String profile) {
        Kernel k = boot(profile);
        Task parent = k.spawn("parent");
        long addr = mmapAnon(k, parent, 1, RW);
        assertThat(parent.mm().test(Mm.MMF_HAS_PINNED)).isFalse();

        k.gup(parent, addr, 1, Kernel.FOLL_WRITE, true, true);
        Task child = k.fork(parent, "child");

        assertThat(parent.mm().test(Mm.MMF_HAS_PINNED)).isTrue();
        assertThat(child.mm().test(Mm.MMF_HAS_PINNED)).isFalse();
    }

    @Test
    void under57APinDoesNotSetMmfHasPinned() {
        Kernel k = boot("5.7");
        Task parent = k.spawn("parent");
        long addr = mmapAnon(k, parent, 1, RW);

        assertThat(k.gup(parent, addr, 1, LONGTERM_WRITE, true, false).ret()).isEqualTo(1);

        assertThat(parent.mm().test(Mm.MMF_HAS_PINNED)).isFalse();
    }

    @Test
    void aFollGetReferenceDoesNotSetMmfHasPinned() {
        Kernel k = boot("6.18");
        Task parent = k.spawn("parent");
        long addr = mmapAnon(k, parent, 1, RW);

        assertThat(k.gup(parent, addr, 1, Kernel.FOLL_WRITE, false, false).ret()).isEqualTo(1);

        assertThat(parent.mm().test(Mm.MMF_HAS_PINNED)).isFalse();
    }

    @Test
    void forkSharesEveryAnonPageAndTheZeroPage() {
        Kernel k = boot("6.18");
        Task parent = k.spawn("parent");
        long addr = mmapAnon(k, parent, 4, RW);
        for (int i = 0; i < 3; i++) {
            write(k, parent, addr + i * PAGE, i + 1);
        }
        k.load(parent, addr + 3 * PAGE);

        Task child = k.fork(parent, "child");

        assertThat(child.mm().rssAnon()).isEqualTo(3);
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            int pfn = pfnAt(parent, addr + i * PAGE);
            assertThatPte(child, addr + i * PAGE).isReadOnly().mapsPfn(pfn);
            assertThatPage(k, pfn).hasRefcount(2).hasMapcount(2).isNotAnonExclusive();
            assertThat(k.load(child, addr + i * PAGE)).isEqualTo(i + 1L);
        }
        assertThatPte(child, addr + 3 * PAGE).mapsZeroPage();
        assertThatPage(k, PageAlloc.ZERO_PFN).hasRefcount(1);
        assertThat(k.mmParent(child.mm().id())).isEqualTo(parent.mm().id());
    }

    @Test
    void forkFailsWithNoFrameForTheEarlyCopyAndLeavesNoTrace() {
        Kernel k = Kernel.boot(Profiles.byName("5.9"), 1, 0);
        Task parent = k.spawn("parent");
        long addr = mmapAnon(k, parent, 1, RW);
        write(k, parent, addr, D0);
        GupPages pin = k.gup(parent, addr, 1, LONGTERM_WRITE, true, false);

        assertThat(k.fork(parent, "child")).isNull();

        assertThat(k.tasks()).containsExactly(parent);
        assertThat(k.mms().get(1).dead()).isTrue();
        assertThatPte(parent, addr).isWritable().mapsPfn(pin.pfn(0));
        assertThatPage(k, pin.pfn(0)).hasRefcount(1 + Kernel.GUP_PIN_COUNTING_BIAS).hasMapcount(1);
        assertThat(violatedInvariants(k)).isEmpty();
    }

    @Test
    void aThreadSharesTheMmAndTheLastExitTearsItDown() {
        Kernel k = boot("6.18");
        Task leader = k.spawn("leader");
        Task thread = k.cloneThread(leader, "thread");
        long addr = mmapAnon(k, leader, 1, RW);
        write(k, thread, addr, D0);

        k.exit(leader);
        assertThat(thread.mm().dead()).isFalse();
        assertThat(k.load(thread, addr)).isEqualTo(D0);

        k.exit(thread);
        assertThat(k.pageAlloc().nrAllocated()).isZero();
        assertThat(thread.tgid()).isEqualTo(leader.pid());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"5.7", "6.18"})
    void rmapWalkFindsEveryPteThatMapsTheSharedPageAndOnlyThose(String profile) {
        Kernel k = boot(profile);
        Task parent = k.spawn("parent");
        long addr = mmapAnon(k, parent, 2, RW);
        write(k, parent, addr + PAGE, D0);
        int shared = pfnAt(parent, addr + PAGE);
        Task child = k.fork(parent, "child");
        String where = String.format("%#x", addr + PAGE);

        assertThat(k.rmapWalk(shared)).containsExactly("mm 1 " + where, "mm 2 " + where);

        write(k, parent, addr + PAGE, D1);
        assertThat(k.rmapWalk(shared)).containsExactly("mm 2 " + where);
        assertThat(k.rmapWalk(pfnAt(parent, addr + PAGE))).containsExactly("mm 1 " + where);

        k.exit(child);
        assertThat(k.rmapWalk(pfnAt(parent, addr + PAGE))).containsExactly("mm 1 " + where);
    }
}
