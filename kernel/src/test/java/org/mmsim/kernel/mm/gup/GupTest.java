package org.mmsim.kernel.mm.gup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.testing.KernelAssertions.pfnAt;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmsim.kernel.testing.TestKernels;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.rmap.Rmap;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.GupEntry;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Mman;

/**
 * GUP accounting (FOLL_GET / FOLL_PIN), its error returns, and GUP-fast agreeing with the slow path. That GUP refuses
 * a VM_IO|VM_PFNMAP device mapping is in the drivers module's {@code MmioDriverTest}.
 */
class GupTest {
    private static final int BIAS = Rmap.GUP_PIN_COUNTING_BIAS;

    private final Kernel k = boot("6.18");
    private final Syscalls sys = k.syscalls();
    private final Task t = k.spawn("p");

    private long writtenPage() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 5);
        return addr;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(names = {"GET_USER_PAGES", "GET_USER_PAGES_FAST"})
    void follGetTakesOneReferenceAndReleaseGivesItBack(GupEntry gup) {
        long addr = writtenPage();
        int pfn = pfnAt(t, addr);

        GupPages g = gup.take(k, t, addr, 1, 0);

        assertThat(g.ret()).isEqualTo(1);
        assertThat(g.nr()).isEqualTo(1);
        assertThat(g.pfn(0)).isEqualTo(pfn);
        assertThat(g.pinned()).isFalse();
        assertThatPage(k, pfn).hasRefcount(2).hasMapcount(1).isReferenced();
        assertThat(k.gupHolders().held()).containsExactly(g);

        assertThat(TestKernels.release(sys, t, g, false).run()).isZero();
        assertThatPage(k, pfn).hasRefcount(1).hasMapcount(1);
        assertThat(k.gupHolders().held()).isEmpty();
        assertThat(TestKernels.release(sys, t, g, false).run()).as("a second release").isEqualTo(-Errno.EINVAL);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(names = {"PIN_USER_PAGES", "PIN_USER_PAGES_FAST"})
    void follPinAddsTheCountingBiasAndUnpinRemovesIt(GupEntry gup) {
        long addr = writtenPage();
        int pfn = pfnAt(t, addr);

        GupPages g = gup.take(k, t, addr, 1, Foll.FOLL_WRITE);

        assertThat(BIAS).isEqualTo(1024);
        assertThat(g.ret()).isEqualTo(1);
        assertThat(g.pinned()).isTrue();
        assertThatPage(k, pfn).hasRefcount(1 + BIAS).hasMapcount(1).isMaybeDmaPinned();
        assertThat(k.gupHolders().nrFollPinAcquired()).isEqualTo(1);

        assertThat(TestKernels.release(sys, t, g, true).run()).isZero();
        assertThatPage(k, pfn).hasRefcount(1).isDirty();
        assertThat(k.gupHolders().nrFollPinReleased()).isEqualTo(1);
    }

    @Test
    void aFollWriteLookupOfAnUntouchedPageFaultsItInWritable() {
        long addr = mmapAnon(k, t, 1, RW);

        GupPages g = sys.getUserPagesFast(t, addr, 1, Foll.FOLL_WRITE).complete();

        assertThat(g.ret()).isEqualTo(1);
        assertThatPte(t, addr).isWritable().mapsPfn(g.pfn(0));
        assertThatPage(k, g.pfn(0)).hasRefcount(2).hasMapcount(1).isAnonExclusive();
    }

    @Test
    void aReadLookupOfAnUntouchedPageGetsTheZeroPageWithoutCountingIt() {
        long addr = mmapAnon(k, t, 1, RW);

        GupPages g = sys.getUserPages(t, addr, 1, 0).complete();

        assertThat(g.pfn(0)).isEqualTo(PageAlloc.ZERO_PFN);
        assertThatPte(t, addr).mapsZeroPage();
        assertThatPage(k, PageAlloc.ZERO_PFN).hasRefcount(1);
        assertThat(TestKernels.release(sys, t, g, false).run()).isZero();
        assertThatPage(k, PageAlloc.ZERO_PFN).hasRefcount(1);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(names = {"GET_USER_PAGES", "GET_USER_PAGES_FAST"})
    void efaultOnAProtNoneMapping(GupEntry gup) {
        long addr = mmapAnon(k, t, 1, Mman.PROT_NONE);
        assertThat(gup.take(k, t, addr, 1, 0).ret()).isEqualTo(-Errno.EFAULT);
        assertThat(k.gupHolders().held()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(names = {"PIN_USER_PAGES", "PIN_USER_PAGES_FAST"})
    void efaultOnAnUnmappedAddress(GupEntry gup) {
        long addr = mmapAnon(k, t, 1, RW);
        assertThat(gup.take(k, t, addr + PAGE, 1, 0).ret()).isEqualTo(-Errno.EFAULT);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(names = {"GET_USER_PAGES", "GET_USER_PAGES_FAST"})
    void efaultOnAWriteToAReadOnlyMappingWithoutFollForce(GupEntry gup) {
        long addr = mmapAnon(k, t, 1, Mman.PROT_READ);
        assertThat(gup.take(k, t, addr, 1, Foll.FOLL_WRITE).ret()).isEqualTo(-Errno.EFAULT);
        assertThat(k.pageAlloc().nrAllocated()).isZero();
    }

    @Test
    void efaultWithFollNofaultOnAMissingPage() {
        long addr = mmapAnon(k, t, 1, RW);
        assertThat(sys.getUserPages(t, addr, 1, Foll.FOLL_NOFAULT).run()).isEqualTo(-Errno.EFAULT);
        assertThatPte(t, addr).isNone();
    }

    @Test
    void before56ThereIsNoPinUserPages() {
        Kernel old = boot("4.8");
        Syscalls oldSys = old.syscalls();
        Task p = old.spawn("p");
        long addr = mmapAnon(old, p, 1, RW);

        assertThat(oldSys.pinUserPages(p, addr, 1, Foll.FOLL_WRITE).run()).isEqualTo(-Errno.ENOSYS);
        assertThat(oldSys.getUserPages(p, addr, 1, Foll.FOLL_LONGTERM).run()).isEqualTo(-Errno.EINVAL);
        assertThat(oldSys.pinUserPages(p, addr, 1, Foll.FOLL_LONGTERM).run()).isEqualTo(-Errno.EINVAL);
        assertThat(oldSys.getUserPages(p, addr, 1, Foll.FOLL_WRITE).run()).isEqualTo(1);
    }

    @Test
    void einvalForInternalFlags() {
        long addr = writtenPage();
        assertThat(sys.getUserPages(t, addr, 1, Foll.FOLL_GET).run()).isEqualTo(-Errno.EINVAL);
        assertThat(sys.getUserPages(t, addr, 0, Foll.FOLL_GET).run()).as("flags before nr_pages")
                .isEqualTo(-Errno.EINVAL);
        assertThatPage(k, pfnAt(t, addr)).hasRefcount(1);
    }

    /**
     * mm/gup.c: {@code is_valid_gup_args()} does not look at nr_pages; {@code __get_user_pages()} returns 0 for
     * nr_pages 0 and {@code gup_fast_fallback()} returns the 0 pages {@code gup_fast} took. A pin still sets
     * MMF_HAS_PINNED first ({@code mm_set_has_pinned_flag}, in both paths).
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(GupEntry.class)
    void getUserPagesOfZeroPagesReturnsZeroAsGetUserPagesDoes(GupEntry gup) {
        long addr = writtenPage();

        GupPages g = gup.take(k, t, addr, 0, 0);

        assertThat(g.ret()).isZero();
        assertThat(g.nr()).isZero();
        assertThatPage(k, pfnAt(t, addr)).hasRefcount(1);
        assertThat(t.mm().test(Mm.MMF_HAS_PINNED)).isEqualTo(gup.name().startsWith("PIN"));
    }

    /**
     * mm/gup.c {@code is_valid_gup_args()} (6.3, d64e2dbc33a1 "mm/gup: simplify the external interface functions
     * and consolidate invariants"): "LONGTERM can only be specified when pinning", so get_user_pages*() with
     * FOLL_LONGTERM and without FOLL_PIN returns -EINVAL and takes nothing.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(names = {"GET_USER_PAGES", "GET_USER_PAGES_FAST"})
    void under618FollLongtermWithoutFollPinIsEinval(GupEntry gup) {
        long addr = writtenPage();

        GupPages g = gup.take(k, t, addr, 1, Foll.FOLL_LONGTERM | Foll.FOLL_WRITE);

        assertThat(g.ret()).isEqualTo(-Errno.EINVAL);
        assertThat(k.gupHolders().held()).isEmpty();
        assertThatPage(k, pfnAt(t, addr)).hasRefcount(1);
    }

    @Test
    void aRangeRunningOffTheVmaReturnsThePagesBeforeTheHole() {
        long addr = writtenPage();

        GupPages g = sys.getUserPages(t, addr, 3, 0).complete();

        assertThat(g.ret()).isEqualTo(1);
        assertThat(g.nr()).isEqualTo(1);
        assertThatPage(k, g.pfn(0)).hasRefcount(2);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({"GET_USER_PAGES, GET_USER_PAGES_FAST", "PIN_USER_PAGES, PIN_USER_PAGES_FAST"})
    void gupFastAndTheSlowPathReturnTheSamePages(GupEntry slow, GupEntry fast) {
        int[][] pfns = new int[2][];
        GupEntry[] entries = {slow, fast};
        for (int run = 0; run < 2; run++) {
            Kernel m = boot("6.18");
            Task p = m.spawn("p");
            long addr = mmapAnon(m, p, 4, RW);
            write(m, p, addr, 1);
            write(m, p, addr + 2 * PAGE, 3);
            load(m, p, addr + PAGE);
            GupPages g = entries[run].take(m, p, addr, 4, 0);
            assertThat(g.ret()).isEqualTo(4);
            pfns[run] = new int[] {g.pfn(0), g.pfn(1), g.pfn(2), g.pfn(3)};
        }
        assertThat(pfns[1]).containsExactly(pfns[0]);
        assertThat(pfns[0][1]).isEqualTo(PageAlloc.ZERO_PFN);
        assertThat(pfns[0][3]).isEqualTo(PageAlloc.ZERO_PFN);
    }
}
