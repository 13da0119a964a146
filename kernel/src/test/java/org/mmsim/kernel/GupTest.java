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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** GUP accounting (FOLL_GET / FOLL_PIN), its error returns, and GUP-fast agreeing with the slow path. */
class GupTest {
    private static final int BIAS = Kernel.GUP_PIN_COUNTING_BIAS;

    private final Kernel k = boot("6.18");
    private final Task t = k.spawn("p");

    private long writtenPage() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 5);
        return addr;
    }

    @ParameterizedTest(name = "fast={0}")
    @ValueSource(booleans = {false, true})
    void follGetTakesOneReferenceAndReleaseGivesItBack(boolean fast) {
        long addr = writtenPage();
        int pfn = pfnAt(t, addr);

        GupPages g = k.gup(t, addr, 1, 0, false, fast);

        assertThat(g.ret()).isEqualTo(1);
        assertThat(g.nr()).isEqualTo(1);
        assertThat(g.pfn(0)).isEqualTo(pfn);
        assertThat(g.pinned()).isFalse();
        assertThatPage(k, pfn).hasRefcount(2).hasMapcount(1);
        assertThat(k.gupHolders()).containsExactly(g);

        assertThat(k.release(g, false)).isZero();
        assertThatPage(k, pfn).hasRefcount(1).hasMapcount(1);
        assertThat(k.gupHolders()).isEmpty();
        assertThat(k.release(g, false)).as("a second release").isEqualTo(-Errno.EINVAL);
    }

    @ParameterizedTest(name = "fast={0}")
    @ValueSource(booleans = {false, true})
    void follPinAddsTheCountingBiasAndUnpinRemovesIt(boolean fast) {
        long addr = writtenPage();
        int pfn = pfnAt(t, addr);

        GupPages g = k.gup(t, addr, 1, Kernel.FOLL_WRITE, true, fast);

        assertThat(BIAS).isEqualTo(1024);
        assertThat(g.ret()).isEqualTo(1);
        assertThat(g.pinned()).isTrue();
        assertThatPage(k, pfn).hasRefcount(1 + BIAS).hasMapcount(1).isMaybeDmaPinned();
        assertThat(k.nrFollPinAcquired()).isEqualTo(1);

        assertThat(k.release(g, true)).isZero();
        assertThatPage(k, pfn).hasRefcount(1);
        assertThat(k.nrFollPinReleased()).isEqualTo(1);
        assertThat(k.frames().test(pfn, PageFlags.PG_DIRTY)).as("released dirty").isTrue();
    }

    @Test
    void aFollWriteLookupOfAnUntouchedPageFaultsItInWritable() {
        long addr = mmapAnon(k, t, 1, RW);

        GupPages g = k.gup(t, addr, 1, Kernel.FOLL_WRITE, false, true);

        assertThat(g.ret()).isEqualTo(1);
        assertThatPte(t, addr).isWritable().mapsPfn(g.pfn(0));
        assertThatPage(k, g.pfn(0)).hasRefcount(2).hasMapcount(1).isAnonExclusive();
    }

    @Test
    void aReadLookupOfAnUntouchedPageGetsTheZeroPageWithoutCountingIt() {
        long addr = mmapAnon(k, t, 1, RW);

        GupPages g = k.gup(t, addr, 1, 0, false, false);

        assertThat(g.pfn(0)).isEqualTo(PageAlloc.ZERO_PFN);
        assertThatPte(t, addr).mapsZeroPage();
        assertThatPage(k, PageAlloc.ZERO_PFN).hasRefcount(1);
        assertThat(k.release(g, false)).isZero();
        assertThatPage(k, PageAlloc.ZERO_PFN).hasRefcount(1);
    }

    @ParameterizedTest(name = "fast={0}")
    @ValueSource(booleans = {false, true})
    void efaultOnAProtNoneMapping(boolean fast) {
        long addr = mmapAnon(k, t, 1, Mman.PROT_NONE);
        assertThat(k.gup(t, addr, 1, 0, false, fast).ret()).isEqualTo(-Errno.EFAULT);
        assertThat(k.gupHolders()).isEmpty();
    }

    @ParameterizedTest(name = "fast={0}")
    @ValueSource(booleans = {false, true})
    void efaultOnAnUnmappedAddress(boolean fast) {
        long addr = mmapAnon(k, t, 1, RW);
        assertThat(k.gup(t, addr + PAGE, 1, 0, true, fast).ret()).isEqualTo(-Errno.EFAULT);
    }

    @ParameterizedTest(name = "fast={0}")
    @ValueSource(booleans = {false, true})
    void efaultOnAWriteToAReadOnlyMappingWithoutFollForce(boolean fast) {
        long addr = mmapAnon(k, t, 1, Mman.PROT_READ);
        assertThat(k.gup(t, addr, 1, Kernel.FOLL_WRITE, false, fast).ret()).isEqualTo(-Errno.EFAULT);
        assertThat(k.pageAlloc().nrAllocated()).isZero();
    }

    @ParameterizedTest(name = "fast={0}")
    @ValueSource(booleans = {false, true})
    void efaultOnAVmIoPfnmapDeviceMapping(boolean fast) {
        long addr = k.mmapDevice(t, PAGE, RW);
        assertThat(t.mm().vmaAt(addr).has(VmFlags.VM_IO | VmFlags.VM_PFNMAP)).isTrue();

        assertThat(k.gup(t, addr, 1, 0, false, fast).ret()).isEqualTo(-Errno.EFAULT);
        assertThat(k.gup(t, addr, 1, Kernel.FOLL_WRITE | Kernel.FOLL_LONGTERM, true, fast).ret())
                .isEqualTo(-Errno.EFAULT);
    }

    @Test
    void efaultWithFollNofaultOnAMissingPage() {
        long addr = mmapAnon(k, t, 1, RW);
        assertThat(k.gup(t, addr, 1, Kernel.FOLL_NOFAULT, false, false).ret()).isEqualTo(-Errno.EFAULT);
        assertThatPte(t, addr).isNone();
    }

    @Test
    void before56ThereIsNoPinUserPages() {
        Kernel old = boot("4.8");
        Task p = old.spawn("p");
        long addr = mmapAnon(old, p, 1, RW);

        assertThat(old.gup(p, addr, 1, Kernel.FOLL_WRITE, true, false).ret()).isEqualTo(-Errno.ENOSYS);
        assertThat(old.gup(p, addr, 1, Kernel.FOLL_LONGTERM, false, false).ret()).isEqualTo(-Errno.EINVAL);
        assertThat(old.gup(p, addr, 1, Kernel.FOLL_LONGTERM, true, false).ret()).isEqualTo(-Errno.EINVAL);
        assertThat(old.gup(p, addr, 1, Kernel.FOLL_WRITE, false, false).ret()).isEqualTo(1);
    }

    @Test
    void einvalForInternalFlagsOrNoPages() {
        long addr = writtenPage();
        int follGet = 1 << 1;
        assertThat(k.gup(t, addr, 1, follGet, false, false).ret()).isEqualTo(-Errno.EINVAL);
        assertThat(k.gup(t, addr, 0, 0, false, false).ret()).isEqualTo(-Errno.EINVAL);
        assertThatPage(k, pfnAt(t, addr)).hasRefcount(1);
    }

    /**
     * mm/gup.c {@code is_valid_gup_args()} (6.3, d64e2dbc33a1 "mm/gup: simplify the external interface functions
     * and consolidate invariants"): "LONGTERM can only be specified when pinning", so get_user_pages*() with
     * FOLL_LONGTERM and without FOLL_PIN returns -EINVAL and takes nothing.
     */
    @ParameterizedTest(name = "fast={0}")
    @ValueSource(booleans = {false, true})
    void under618FollLongtermWithoutFollPinIsEinval(boolean fast) {
        long addr = writtenPage();

        GupPages g = k.gup(t, addr, 1, Kernel.FOLL_LONGTERM | Kernel.FOLL_WRITE, false, fast);

        assertThat(g.ret()).isEqualTo(-Errno.EINVAL);
        assertThat(k.gupHolders()).isEmpty();
        assertThatPage(k, pfnAt(t, addr)).hasRefcount(1);
    }

    @Test
    void aRangeRunningOffTheVmaReturnsThePagesBeforeTheHole() {
        long addr = writtenPage();

        GupPages g = k.gup(t, addr, 3, 0, false, false);

        assertThat(g.ret()).isEqualTo(1);
        assertThat(g.nr()).isEqualTo(1);
        assertThatPage(k, g.pfn(0)).hasRefcount(2);
    }

    @ParameterizedTest(name = "pin={0}")
    @ValueSource(booleans = {false, true})
    void gupFastAndTheSlowPathReturnTheSamePages(boolean pin) {
        int[][] pfns = new int[2][];
        for (int run = 0; run < 2; run++) {
            Kernel m = boot("6.18");
            Task p = m.spawn("p");
            long addr = mmapAnon(m, p, 4, RW);
            write(m, p, addr, 1);
            write(m, p, addr + 2 * PAGE, 3);
            m.load(p, addr + PAGE);
            GupPages g = m.gup(p, addr, 4, 0, pin, run == 1);
            assertThat(g.ret()).isEqualTo(4);
            pfns[run] = new int[] {g.pfn(0), g.pfn(1), g.pfn(2), g.pfn(3)};
        }
        assertThat(pfns[1]).containsExactly(pfns[0]);
        assertThat(pfns[0][1]).isEqualTo(PageAlloc.ZERO_PFN);
        assertThat(pfns[0][3]).isEqualTo(PageAlloc.ZERO_PFN);
    }
}
