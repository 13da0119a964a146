package org.mmsim.kernel.mm.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.testing.KernelAssertions.pfnAt;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.dmaRead;
import static org.mmsim.kernel.testing.TestKernels.exit;
import static org.mmsim.kernel.testing.TestKernels.fork;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmsim.kernel.testing.TestKernels;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.rmap.Rmap;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Mman;

/**
 * {@code do_wp_page}: a write to a present read-only pte of a private anon page, under the three reuse rules:
 * "5.7" (mapcount), "5.9" (page_count) and "6.18" (anon_exclusive, then page_count).
 */
class DoWpPageTest {
    private static final long D0 = 0xD0;
    private static final long D1 = 0xD1;

    private Kernel k;
    private Syscalls sys;
    private Task parent;
    private Task child;
    private long addr;
    private int shared;

    /** Parent writes D0, then forks: the page is shared copy-on-write. */
    private void forkAfterWrite(String profile) {
        k = boot(profile);
        sys = k.syscalls();
        parent = k.spawn("parent");
        addr = mmapAnon(k, parent, 1, RW);
        write(k, parent, addr, D0);
        shared = pfnAt(parent, addr);
        child = fork(k, parent, "child");
    }

    private static boolean tracksExclusive(String profile) {
        return profile.equals("6.18");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"5.7", "5.9", "6.18"})
    void afterForkBothPtesAreReadOnlyOnTheSharedPage(String profile) {
        forkAfterWrite(profile);

        assertThatPte(parent, addr).isReadOnly().mapsPfn(shared);
        assertThatPte(child, addr).isReadOnly().mapsPfn(shared);
        assertThatPage(k, shared).hasRefcount(2).hasMapcount(2).isAnon().isNotAnonExclusive();
        assertThat(child.mm().rssAnon()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"5.7", "5.9", "6.18"})
    void parentWriteCopiesTheSharedPage(String profile) {
        forkAfterWrite(profile);

        write(k, parent, addr, D1);

        int copy = pfnAt(parent, addr);
        assertThat(copy).isNotEqualTo(shared);
        assertThatPte(parent, addr).isWritable().isDirty();
        assertThatPte(child, addr).isReadOnly().mapsPfn(shared);
        assertThatPage(k, copy).hasRefcount(1).hasMapcount(1).isAnon().holds(0, D1)
                .hasAnonExclusive(tracksExclusive(profile));
        assertThatPage(k, shared).hasRefcount(1).hasMapcount(1).holds(0, D0);
        assertThat(load(k, child, addr)).isEqualTo(D0);
        assertThat(parent.mm().rssAnon()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"5.7", "5.9", "6.18"})
    void childWriteCopiesAndTheParentKeepsTheOriginal(String profile) {
        forkAfterWrite(profile);

        write(k, child, addr, D1);

        assertThatPte(child, addr).isWritable().doesNotMapPfn(shared);
        assertThatPte(parent, addr).isReadOnly().mapsPfn(shared);
        assertThat(load(k, parent, addr)).isEqualTo(D0);
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"5.7", "5.9", "6.18"})
    void afterTheChildExitsTheParentWriteReusesThePage(String profile) {
        forkAfterWrite(profile);
        exit(k, child);
        assertThatPage(k, shared).hasRefcount(1).hasMapcount(1);

        write(k, parent, addr, D1);

        assertThatPte(parent, addr).isWritable().mapsPfn(shared);
        assertThatPage(k, shared).hasRefcount(1).hasMapcount(1).holds(0, D1)
                .hasAnonExclusive(tracksExclusive(profile));
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"5.7"})
    void theMapcountRuleReusesThePageDespiteAGupReference(String profile) {
        forkAfterWrite(profile);
        exit(k, child);
        GupPages ref = sys.getUserPages(parent, addr, 1, 0).complete();
        assertThat(ref.ret()).isEqualTo(1);
        assertThatPage(k, shared).hasRefcount(2).hasMapcount(1);

        write(k, parent, addr, D1);

        assertThatPte(parent, addr).isWritable().mapsPfn(shared);
        assertThat(dmaRead(k, ref, 0, 0)).as("the GUP holder sees the write").isEqualTo(D1);
        assertThat(TestKernels.release(sys, parent, ref, false).run()).isZero();
        assertThatPage(k, shared).hasRefcount(1).hasMapcount(1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"5.9", "6.18"})
    void thePageCountRuleCopiesWhenAGupReferenceIsHeld(String profile) {
        forkAfterWrite(profile);
        exit(k, child);
        GupPages ref = sys.getUserPages(parent, addr, 1, 0).complete();
        assertThat(ref.ret()).isEqualTo(1);
        assertThat(ref.pfn(0)).isEqualTo(shared);
        assertThatPage(k, shared).hasRefcount(2).hasMapcount(1).isNotAnonExclusive();

        write(k, parent, addr, D1);

        int copy = pfnAt(parent, addr);
        assertThat(copy).isNotEqualTo(shared);
        assertThatPte(parent, addr).isWritable();
        assertThatPage(k, copy).hasRefcount(1).hasMapcount(1).holds(0, D1);
        assertThatPage(k, shared).hasRefcount(1).hasMapcount(0).holds(0, D0);
        assertThat(dmaRead(k, ref, 0, 0)).as("the GUP holder keeps the old data").isEqualTo(D0);

        assertThat(TestKernels.release(sys, parent, ref, false).run()).isZero();
        assertThatPage(k, shared).isFree();
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(1);
    }

    /** 5.19 has the exclusive rule but not the 6.0 mprotect shortcut, so the write really faults. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"5.19"})
    void anExclusivePageIsReusedWhateverItsRefcount(String profile) {
        k = boot(profile);
        sys = k.syscalls();
        parent = k.spawn("p");
        addr = mmapAnon(k, parent, 1, RW);
        write(k, parent, addr, D0);
        int pfn = pfnAt(parent, addr);
        GupPages pin = sys.pinUserPages(parent, addr, 1, Foll.FOLL_WRITE).complete();
        assertThat(sys.mprotect(parent, addr, PAGE, Mman.PROT_READ).run()).isZero();
        assertThat(sys.mprotect(parent, addr, PAGE, RW).run()).isZero();
        assertThatPte(parent, addr).isReadOnly();
        assertThatPage(k, pfn).hasRefcount(1 + Rmap.GUP_PIN_COUNTING_BIAS).hasMapcount(1).isAnonExclusive();

        write(k, parent, addr, D1);

        assertThatPte(parent, addr).isWritable().mapsPfn(pfn);
        assertThat(dmaRead(k, pin, 0, 0)).isEqualTo(D1);
    }
}
