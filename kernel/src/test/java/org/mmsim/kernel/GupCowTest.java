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
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmsim.kernel.profile.Profiles;

/** How GUP meets copy-on-write: R/O pins and unsharing (5.19+), and FOLL_FORCE writes to R/O private memory. */
class GupCowTest {
    private static final long D0 = 0xD0;
    private static final long D1 = 0xD1;

    private Kernel k;
    private Task parent;
    private Task child;
    private long addr;
    private int shared;

    private void forkAfterWrite(String profile) {
        k = boot(profile);
        parent = k.spawn("parent");
        addr = mmapAnon(k, parent, 1, RW);
        write(k, parent, addr, D0);
        shared = pfnAt(parent, addr);
        child = k.fork(parent, "child");
    }

    static Iterable<String> allProfiles() {
        return Profiles.names();
    }

    @ParameterizedTest(name = "fast={0}")
    @ValueSource(booleans = {false, true})
    void under618AReadOnlyPinOfACowSharedPageUnsharesItFirst(boolean fast) {
        forkAfterWrite("6.18");

        GupPages pin = k.gup(parent, addr, 1, 0, true, fast);

        assertThat(pin.ret()).isEqualTo(1);
        int pinned = pin.pfn(0);
        assertThat(pinned).isNotEqualTo(shared);
        assertThatPte(parent, addr).as("an unshare fault leaves the pte read-only").isReadOnly().mapsPfn(pinned);
        assertThatPage(k, pinned).hasRefcount(1 + Kernel.GUP_PIN_COUNTING_BIAS).hasMapcount(1).isAnonExclusive()
                .holds(0, D0);
        assertThatPage(k, shared).hasRefcount(1).hasMapcount(1);
        assertThatPte(child, addr).mapsPfn(shared);

        write(k, parent, addr, D1);
        assertThatPte(parent, addr).as("the exclusive page is reused").isWritable().mapsPfn(pinned);
        assertThat(k.dmaRead(pin, 0, 0)).isEqualTo(D1);
        assertThat(k.load(child, addr)).isEqualTo(D0);
    }

    @ParameterizedTest(name = "fast={0}")
    @ValueSource(booleans = {false, true})
    void under59AReadOnlyPinPinsTheSharedPageAndTheNextWriteLeavesIt(boolean fast) {
        forkAfterWrite("5.9");

        GupPages pin = k.gup(parent, addr, 1, 0, true, fast);

        assertThat(pin.pfn(0)).isEqualTo(shared);
        assertThatPage(k, shared).hasRefcount(2 + Kernel.GUP_PIN_COUNTING_BIAS).hasMapcount(2);
        assertThatPte(parent, addr).isReadOnly().mapsPfn(shared);

        write(k, parent, addr, D1);
        assertThatPte(parent, addr).doesNotMapPfn(shared);
        assertThat(k.dmaRead(pin, 0, 0)).as("the R/O pin went stale").isEqualTo(D0);
    }

    @Test
    void under618AReadOnlyPinOfAnExclusivePageNeedsNoUnshare() {
        k = boot("6.18");
        parent = k.spawn("p");
        addr = mmapAnon(k, parent, 1, RW);
        write(k, parent, addr, D0);
        int pfn = pfnAt(parent, addr);

        GupPages pin = k.gup(parent, addr, 1, 0, true, true);

        assertThat(pin.pfn(0)).isEqualTo(pfn);
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allProfiles")
    void aForcedWriteToAReadOnlyPrivateMappingWritesAnAnonCopy(String profile) {
        k = boot(profile);
        parent = k.spawn("p");
        addr = mmapAnon(k, parent, 1, Mman.PROT_READ);
        k.load(parent, addr);

        GupPages g = k.gup(parent, addr, 1, Kernel.FOLL_WRITE | Kernel.FOLL_FORCE, false, false);

        assertThat(g.ret()).isEqualTo(1);
        assertThat(g.pfn(0)).isNotEqualTo(PageAlloc.ZERO_PFN);
        assertThatPage(k, g.pfn(0)).isAnon().hasRefcount(2).hasMapcount(1);
        assertThatPte(parent, addr).isReadOnly().mapsPfn(g.pfn(0));
        assertThat(parent.mm().vmaAt(addr).has(VmFlags.VM_WRITE)).isFalse();

        k.dmaWrite(g, 0, 0, 99);
        assertThat(k.load(parent, addr)).isEqualTo(99L);
        assertThat(k.store(parent, addr, 1)).as("user stores still fault").isEqualTo(11);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"5.7", "5.9", "6.18"})
    void aForcedWriteToAnUntouchedReadOnlyMappingFaultsInAnAnonPage(String profile) {
        k = boot(profile);
        parent = k.spawn("p");
        addr = mmapAnon(k, parent, 1, Mman.PROT_READ);

        GupPages g = k.gup(parent, addr, 1, Kernel.FOLL_WRITE | Kernel.FOLL_FORCE, true, false);

        assertThat(g.ret()).isEqualTo(1);
        assertThatPage(k, g.pfn(0)).isAnon().hasRefcount(1 + Kernel.GUP_PIN_COUNTING_BIAS).hasMapcount(1);
        assertThatPte(parent, addr).isReadOnly().mapsPfn(g.pfn(0));
    }

    /** Expected per mm/gup.c follow_page_pte: FOLL_FORCE follows PROT_NONE ptes (no FOLL_NUMA / FOLL_HONOR_NUMA_FAULT). */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"4.9", "5.9", "6.18"})
    void aForcedReadOfAProtNoneMappingReturnsItsPage(String profile) {
        k = boot(profile);
        parent = k.spawn("p");
        addr = mmapAnon(k, parent, 1, RW);
        write(k, parent, addr, D0);
        int pfn = pfnAt(parent, addr);
        assertThat(k.mprotect(parent, addr, PAGE, Mman.PROT_NONE)).isZero();

        GupPages g = k.gup(parent, addr, 1, Kernel.FOLL_FORCE, false, false);

        assertThat(g.ret()).isEqualTo(1);
        assertThat(g.pfn(0)).isEqualTo(pfn);
        assertThatPage(k, pfn).hasRefcount(2);
    }

    /** Expected per 17839856fd58, which dropped FOLL_FORCE from can_follow_write_pte for the forced COW break. */
    @Test
    void under58AReadReferenceToAReadOnlyPrivateMappingBreaksCow() {
        k = boot("5.8");
        parent = k.spawn("p");
        addr = mmapAnon(k, parent, 1, Mman.PROT_READ);

        GupPages g = k.gup(parent, addr, 1, 0, false, false);

        assertThat(g.ret()).isEqualTo(1);
        assertThatPage(k, g.pfn(0)).isAnon().hasRefcount(2).hasMapcount(1);
        assertThatPte(parent, addr).isReadOnly().mapsPfn(g.pfn(0));
        assertThat(k.vmsplice(parent, k.pipe(), addr, PAGE)).isEqualTo(PAGE);
    }

    /**
     * Expected per gup_must_unshare() for a non-anon page with FOLL_LONGTERM in a COW mapping (reference 2.7;
     * 6.2's "reliable R/O long-term pinning in MAP_PRIVATE mappings"): the zero page is unshared before the pin.
     */
    @Test
    void under618AReadOnlyLongtermPinOfTheZeroPagePinsAnAnonCopy() {
        k = boot("6.18");
        parent = k.spawn("p");
        addr = mmapAnon(k, parent, 1, RW);
        k.load(parent, addr);

        GupPages pin = k.gup(parent, addr, 1, Kernel.FOLL_LONGTERM, true, false);

        assertThat(pin.pfn(0)).isNotEqualTo(PageAlloc.ZERO_PFN);
        assertThatPage(k, pin.pfn(0)).isAnonExclusive();
        assertThatPte(parent, addr).mapsPfn(pin.pfn(0));
        write(k, parent, addr, D1);
        assertThat(violatedInvariants(k)).doesNotContain("pin-coherence");
    }
}
