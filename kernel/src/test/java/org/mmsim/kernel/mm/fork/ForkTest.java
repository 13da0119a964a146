package org.mmsim.kernel.mm.fork;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.testing.KernelAssertions.at;
import static org.mmsim.kernel.testing.KernelAssertions.pfnAt;
import static org.mmsim.kernel.testing.KernelAssertions.rmapWalk;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.dmaRead;
import static org.mmsim.kernel.testing.TestKernels.exit;
import static org.mmsim.kernel.testing.TestKernels.fork;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.loadSignal;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.pipe;
import static org.mmsim.kernel.testing.TestKernels.profile;
import static org.mmsim.kernel.testing.TestKernels.violatedInvariants;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.rmap.Rmap;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.InvariantsNotChecked;
import org.mmsim.kernel.testing.TestKernels;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Mman;
import org.mmsim.kernel.uapi.Signal;

/** {@code fork()}: {@code dup_mmap}, {@code copy_present_pte}, the early copy of pinned pages, and the fd table. */
class ForkTest {
    private static final long D0 = 0xD0;
    private static final long D1 = 0xD1;
    private static final int LONGTERM_WRITE = Foll.FOLL_WRITE | Foll.FOLL_LONGTERM;
    private static final int BIAS = Rmap.GUP_PIN_COUNTING_BIAS;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"5.7", "5.9", "6.18"})
    void madvDontforkLeavesAHoleInTheChild(String profile) {
        Kernel k = boot(profile);
        Task parent = k.spawn("parent");
        long addr = mmapAnon(k, parent, 1, RW);
        write(k, parent, addr, D0);
        int pfn = pfnAt(parent, addr);
        assertThat(k.syscalls().madvise(parent, addr, PAGE, Mman.MADV_DONTFORK).run()).isZero();

        Task child = fork(k, parent, "child");

        assertThat(child.mm().vmaAt(addr)).isNull();
        assertThat(loadSignal(k, child, addr)).isEqualTo(Signal.SIGSEGV);
        assertThatPte(parent, addr).as("not copied, so not write-protected").isWritable().mapsPfn(pfn);
        assertThatPage(k, pfn).hasRefcount(1).hasMapcount(1);
        assertThat(child.mm().rssAnon()).isZero();
    }

    @Test
    void madvDoforkRestoresCopyingIntoTheChild() {
        Kernel k = boot("6.18");
        Syscalls sys = k.syscalls();
        Task parent = k.spawn("parent");
        long addr = mmapAnon(k, parent, 1, RW);
        write(k, parent, addr, D0);
        assertThat(sys.madvise(parent, addr, PAGE, Mman.MADV_DONTFORK).run()).isZero();
        assertThat(sys.madvise(parent, addr, PAGE, Mman.MADV_DOFORK).run()).isZero();

        Task child = fork(k, parent, "child");

        assertThat(load(k, child, addr)).isEqualTo(D0);
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
        GupPages pin = k.syscalls().pinUserPages(parent, addr, 1, LONGTERM_WRITE).complete();
        int pinned = pin.pfn(0);

        Task child = fork(k, parent, "child");

        assertThatPte(parent, addr).isWritable().mapsPfn(pinned);
        int copy = pfnAt(child, addr);
        assertThat(copy).isNotEqualTo(pinned);
        assertThatPte(child, addr).isWritable();
        assertThatPage(k, pinned).hasRefcount(1 + BIAS).hasMapcount(1);
        assertThatPage(k, copy).hasRefcount(1).hasMapcount(1).isAnon().holds(0, D0);
        if (profile.equals("6.18")) {
            assertThatPage(k, pinned).isAnonExclusive();
            assertThatPage(k, copy).isAnonExclusive();
        }
        assertThat(child.mm().rssAnon()).isEqualTo(1);

        write(k, parent, addr, D1);
        assertThat(dmaRead(k, pin, 0, 0)).as("the device still sees the parent's page").isEqualTo(D1);
        assertThat(load(k, child, addr)).isEqualTo(D0);
        assertThat(violatedInvariants(k)).isEmpty();
    }

    @Test
    @InvariantsNotChecked("5.7 shares the pinned page and the parent's write copies away from the pin: the "
            + "pin-coherence violation is what this test shows")
    void before59APinnedPageIsSharedAndTheParentsWriteCopiesItAway() {
        Kernel k = boot("5.7");
        Task parent = k.spawn("parent");
        long addr = mmapAnon(k, parent, 1, RW);
        write(k, parent, addr, D0);
        GupPages pin = k.syscalls().pinUserPages(parent, addr, 1, LONGTERM_WRITE).complete();
        int pinned = pin.pfn(0);

        Task child = fork(k, parent, "child");

        assertThatPte(parent, addr).isReadOnly().mapsPfn(pinned);
        assertThatPte(child, addr).isReadOnly().mapsPfn(pinned);
        assertThatPage(k, pinned).hasRefcount(2 + BIAS).hasMapcount(2);

        write(k, parent, addr, D1);
        assertThatPte(parent, addr).doesNotMapPfn(pinned);
        assertThat(dmaRead(k, pin, 0, 0)).isEqualTo(D0);
        assertThat(violatedInvariants(k)).containsExactly("pin-coherence");
    }

    /**
     * copy_present_page() from 5.9 to 5.18 did not ask PageAnon: a maybe-pinned page-cache page of a COW mapping is
     * copied for the child at fork, which then no longer sees the file; 5.19 (fb3d824d1a46) shares it.
     */
    @ParameterizedTest(name = "{0}: copied {1}")
    @CsvSource({"5.9, true", "5.11, true", "5.19, false", "6.18, false"})
    void aPinnedPageCachePageOfAPrivateMappingIsCopiedAtForkOnlyBefore519(String profile, boolean copied) {
        Kernel k = boot(profile);
        Task parent = k.spawn("parent");
        int fd = TestKernels.creat(k, parent, FsType.TMPFS, "f", 2 * PAGE);
        TestKernels.pwrite(k, parent, fd, 0, D0);
        long addr = TestKernels.mmapFile(k, parent, fd, 2, RW, Mman.MAP_PRIVATE);
        write(k, parent, addr + PAGE, 1);                   // the VMA gets its anon_vma: fork copies its ptes
        assertThat(load(k, parent, addr)).isEqualTo(D0);    // the page-cache page, mapped read-only
        int cached = pfnAt(parent, addr);
        GupPages pin = k.syscalls().pinUserPages(parent, addr, 1, 0).complete();
        assertThat(pin.nr()).isEqualTo(1);

        Task child = fork(k, parent, "child");

        if (copied) {
            assertThatPte(child, addr).doesNotMapPfn(cached);
            assertThat(k.frames().test(pfnAt(child, addr), PageFlags.PG_ANON)).isTrue();
        } else {
            assertThatPte(child, addr).mapsPfn(cached);
        }
        TestKernels.pwrite(k, parent, fd, 0, D1);
        assertThat(load(k, child, addr)).isEqualTo(copied ? D0 : D1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"5.9", "5.11", "5.19", "6.18"})
    void aPinSetsMmfHasPinnedWhichTheChildDoesNotInherit(String profile) {
        Kernel k = boot(profile);
        Task parent = k.spawn("parent");
        long addr = mmapAnon(k, parent, 1, RW);
        assertThat(parent.mm().test(Mm.MMF_HAS_PINNED)).isFalse();

        k.syscalls().pinUserPagesFast(parent, addr, 1, Foll.FOLL_WRITE).run();
        Task child = fork(k, parent, "child");

        assertThat(parent.mm().test(Mm.MMF_HAS_PINNED)).isTrue();
        assertThat(child.mm().test(Mm.MMF_HAS_PINNED)).isFalse();
    }

    @Test
    void under57APinDoesNotSetMmfHasPinned() {
        Kernel k = boot("5.7");
        Task parent = k.spawn("parent");
        long addr = mmapAnon(k, parent, 1, RW);

        assertThat(k.syscalls().pinUserPages(parent, addr, 1, LONGTERM_WRITE).run()).isEqualTo(1);

        assertThat(parent.mm().test(Mm.MMF_HAS_PINNED)).isFalse();
    }

    @Test
    void aFollGetReferenceDoesNotSetMmfHasPinned() {
        Kernel k = boot("6.18");
        Task parent = k.spawn("parent");
        long addr = mmapAnon(k, parent, 1, RW);

        assertThat(k.syscalls().getUserPages(parent, addr, 1, Foll.FOLL_WRITE).run()).isEqualTo(1);

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
        load(k, parent, addr + 3 * PAGE);

        Task child = fork(k, parent, "child");

        assertThat(child.mm().rssAnon()).isEqualTo(3);
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            int pfn = pfnAt(parent, addr + i * PAGE);
            assertThatPte(child, addr + i * PAGE).isReadOnly().mapsPfn(pfn);
            assertThatPage(k, pfn).hasRefcount(2).hasMapcount(2).isNotAnonExclusive();
            assertThat(load(k, child, addr + i * PAGE)).isEqualTo(i + 1L);
        }
        assertThatPte(child, addr + 3 * PAGE).mapsZeroPage();
        assertThatPage(k, PageAlloc.ZERO_PFN).hasRefcount(1);
        assertThat(k.mm().mmParent(child.mm().id())).isEqualTo(parent.mm().id());
    }

    @Test
    void forkFailsWithNoFrameForTheEarlyCopyAndLeavesNoTrace() {
        Kernel k = boot(profile("5.9"), 1, 0);
        Task parent = k.spawn("parent");
        long addr = mmapAnon(k, parent, 1, RW);
        write(k, parent, addr, D0);
        GupPages pin = k.syscalls().pinUserPages(parent, addr, 1, LONGTERM_WRITE).complete();

        ForkCall fork = k.syscalls().fork(parent, "child");

        assertThat(fork.complete()).isNull();
        assertThat(fork.ret()).isEqualTo(-Errno.ENOMEM);
        assertThat(k.tasks().all()).containsExactly(parent);
        assertThat(k.mm().mms().get(1).dead()).isTrue();
        assertThatPte(parent, addr).isWritable().mapsPfn(pin.pfn(0));
        assertThatPage(k, pin.pfn(0)).hasRefcount(1 + BIAS).hasMapcount(1);
        assertThat(violatedInvariants(k)).isEmpty();
    }

    @Test
    void aFailedForkDropsTheChildsCopyOfTheFdTable() {
        Kernel k = boot(profile("5.9"), 1, 0);
        Task parent = k.spawn("parent");
        int[] fds = pipe(k, parent);
        long addr = mmapAnon(k, parent, 1, RW);
        write(k, parent, addr, D0);
        k.syscalls().pinUserPages(parent, addr, 1, LONGTERM_WRITE).run();

        assertThat(k.syscalls().fork(parent, "child").complete()).isNull();

        assertThat(parent.files().get(fds[0]).count()).as("the parent's fd only").isEqualTo(1);
        assertThat(parent.files().get(fds[1]).count()).isEqualTo(1);
    }

    @Test
    void theChildInheritsEveryOpenFdAndEachHoldsItsOwnReference() {
        Kernel k = boot("6.18");
        Task parent = k.spawn("parent");
        int[] fds = pipe(k, parent);

        Task child = fork(k, parent, "child");

        assertThat(child.files().get(fds[0])).isSameAs(parent.files().get(fds[0]));
        assertThat(child.files().get(fds[1]).count()).as("one per table").isEqualTo(2);
        assertThat(k.fileSyscalls().close(parent, fds[1]).run()).isZero();
        assertThat(child.files().get(fds[1]).released()).as("the child's fd keeps it open").isFalse();
        assertThat(k.fileSyscalls().write(child, fds[1], 7).run()).isEqualTo(8);
    }

    @Test
    void aThreadSharesTheMmAndTheLastExitTearsItDown() {
        Kernel k = boot("6.18");
        Task leader = k.spawn("leader");
        Task thread = k.cloneThread(leader, "thread");
        long addr = mmapAnon(k, leader, 1, RW);
        write(k, thread, addr, D0);
        Mm mm = thread.mm();

        exit(k, leader);
        assertThat(mm.dead()).isFalse();
        assertThat(load(k, thread, addr)).isEqualTo(D0);

        exit(k, thread);
        assertThat(mm.dead()).isTrue();
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
        Task child = fork(k, parent, "child");
        String inChild = at(child, addr + PAGE);

        assertThat(rmapWalk(k, shared)).containsExactly(at(parent, addr + PAGE), inChild);

        write(k, parent, addr + PAGE, D1);
        assertThat(rmapWalk(k, shared)).containsExactly(inChild);
        assertThat(rmapWalk(k, pfnAt(parent, addr + PAGE))).containsExactly(at(parent, addr + PAGE));

        exit(k, child);
        assertThat(rmapWalk(k, pfnAt(parent, addr + PAGE))).containsExactly(at(parent, addr + PAGE));
    }
}
