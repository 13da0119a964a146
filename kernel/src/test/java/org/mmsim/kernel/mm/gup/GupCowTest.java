package org.mmsim.kernel.mm.gup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.testing.KernelAssertions.pfnAt;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.dmaRead;
import static org.mmsim.kernel.testing.TestKernels.dmaWrite;
import static org.mmsim.kernel.testing.TestKernels.fork;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.pipe;
import static org.mmsim.kernel.testing.TestKernels.store;
import static org.mmsim.kernel.testing.TestKernels.violatedInvariants;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.rmap.Rmap;
import org.mmsim.kernel.profile.Profiles;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.GupEntry;
import org.mmsim.kernel.uapi.Mman;
import org.mmsim.kernel.uapi.Signal;

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
        child = fork(k, parent, "child");
    }

    static Iterable<String> allProfiles() {
        return Profiles.names();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(names = {"PIN_USER_PAGES", "PIN_USER_PAGES_FAST"})
    void under618AReadOnlyPinOfACowSharedPageUnsharesItFirst(GupEntry gup) {
        forkAfterWrite("6.18");

        GupPages pin = gup.take(k, parent, addr, 1, 0);

        assertThat(pin.ret()).isEqualTo(1);
        int pinned = pin.pfn(0);
        assertThat(pinned).isNotEqualTo(shared);
        assertThatPte(parent, addr).as("an unshare fault leaves the pte read-only").isReadOnly().mapsPfn(pinned);
        assertThatPage(k, pinned).hasRefcount(1 + Rmap.GUP_PIN_COUNTING_BIAS).hasMapcount(1).isAnonExclusive()
                .holds(0, D0);
        assertThatPage(k, shared).hasRefcount(1).hasMapcount(1);
        assertThatPte(child, addr).mapsPfn(shared);

        write(k, parent, addr, D1);
        assertThatPte(parent, addr).as("the exclusive page is reused").isWritable().mapsPfn(pinned);
        assertThat(dmaRead(k, pin, 0, 0)).isEqualTo(D1);
        assertThat(load(k, child, addr)).isEqualTo(D0);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(names = {"PIN_USER_PAGES", "PIN_USER_PAGES_FAST"})
    void under59AReadOnlyPinPinsTheSharedPageAndTheNextWriteLeavesIt(GupEntry gup) {
        forkAfterWrite("5.9");

        GupPages pin = gup.take(k, parent, addr, 1, 0);

        assertThat(pin.pfn(0)).isEqualTo(shared);
        assertThatPage(k, shared).hasRefcount(2 + Rmap.GUP_PIN_COUNTING_BIAS).hasMapcount(2);
        assertThatPte(parent, addr).isReadOnly().mapsPfn(shared);

        write(k, parent, addr, D1);
        assertThatPte(parent, addr).doesNotMapPfn(shared);
        assertThat(dmaRead(k, pin, 0, 0)).as("the R/O pin went stale").isEqualTo(D0);
    }

    @Test
    void under618AReadOnlyPinOfAnExclusivePageNeedsNoUnshare() {
        k = boot("6.18");
        parent = k.spawn("p");
        addr = mmapAnon(k, parent, 1, RW);
        write(k, parent, addr, D0);
        int pfn = pfnAt(parent, addr);

        GupPages pin = k.syscalls().pinUserPagesFast(parent, addr, 1, 0).complete();

        assertThat(pin.pfn(0)).isEqualTo(pfn);
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allProfiles")
    void aForcedWriteToAReadOnlyPrivateMappingWritesAnAnonCopy(String profile) {
        k = boot(profile);
        parent = k.spawn("p");
        addr = mmapAnon(k, parent, 1, Mman.PROT_READ);
        load(k, parent, addr);

        GupPages g = k.syscalls().getUserPages(parent, addr, 1, Foll.FOLL_WRITE | Foll.FOLL_FORCE).complete();

        assertThat(g.ret()).isEqualTo(1);
        assertThat(g.pfn(0)).isNotEqualTo(PageAlloc.ZERO_PFN);
        assertThatPage(k, g.pfn(0)).isAnon().hasRefcount(2).hasMapcount(1);
        assertThatPte(parent, addr).isReadOnly().mapsPfn(g.pfn(0));
        assertThat(parent.mm().vmaAt(addr).has(VmFlags.VM_WRITE)).isFalse();

        dmaWrite(k, g, 0, 0, 99);
        assertThat(load(k, parent, addr)).isEqualTo(99L);
        assertThat(store(k, parent, addr, 1)).as("user stores still fault").isEqualTo(Signal.SIGSEGV);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"5.7", "5.9", "6.18"})
    void aForcedWriteToAnUntouchedReadOnlyMappingFaultsInAnAnonPage(String profile) {
        k = boot(profile);
        parent = k.spawn("p");
        addr = mmapAnon(k, parent, 1, Mman.PROT_READ);

        GupPages g = k.syscalls().pinUserPages(parent, addr, 1, Foll.FOLL_WRITE | Foll.FOLL_FORCE).complete();

        assertThat(g.ret()).isEqualTo(1);
        assertThatPage(k, g.pfn(0)).isAnon().hasRefcount(1 + Rmap.GUP_PIN_COUNTING_BIAS).hasMapcount(1);
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
        assertThat(k.syscalls().mprotect(parent, addr, PAGE, Mman.PROT_NONE).run()).isZero();

        GupPages g = k.syscalls().getUserPages(parent, addr, 1, Foll.FOLL_FORCE).complete();

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

        GupPages g = k.syscalls().getUserPages(parent, addr, 1, 0).complete();

        assertThat(g.ret()).isEqualTo(1);
        assertThatPage(k, g.pfn(0)).isAnon().hasRefcount(2).hasMapcount(1);
        assertThatPte(parent, addr).isReadOnly().mapsPfn(g.pfn(0));
        int[] fds = pipe(k, parent);
        assertThat(k.fileSyscalls().vmsplice(parent, fds[1], addr, PAGE).run()).isEqualTo(PAGE);
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
        load(k, parent, addr);

        GupPages pin = k.syscalls().pinUserPages(parent, addr, 1, Foll.FOLL_LONGTERM).complete();

        assertThat(pin.pfn(0)).isNotEqualTo(PageAlloc.ZERO_PFN);
        assertThatPage(k, pin.pfn(0)).isAnonExclusive();
        assertThatPte(parent, addr).mapsPfn(pin.pfn(0));
        write(k, parent, addr, D1);
        assertThat(violatedInvariants(k)).doesNotContain("pin-coherence");
    }
}
