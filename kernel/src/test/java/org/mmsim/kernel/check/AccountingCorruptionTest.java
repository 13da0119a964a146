package org.mmsim.kernel.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.pfnAt;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.task.Task;

/**
 * The accounting invariant notices a struct page that disagrees with the references the model can name. The
 * corruption is done through the frames' setters, which no kernel path would call this way; no kernel call follows
 * it, so the per-call validator does not see it (InvariantCheckingTest shows that it would).
 */
class AccountingCorruptionTest {
    private final Kernel k = boot("6.18");
    private final Task t = k.spawn("p");
    private final long addr = mmapAnon(k, t, 1, RW);

    @Test
    void aStrayReferenceIsReported() {
        write(k, t, addr, 1);
        int pfn = pfnAt(t, addr);

        k.frames().setRefcount(pfn, 3);

        assertThat(Invariants.checkStep(k)).singleElement().satisfies(v -> {
            assertThat(v.invariant()).isEqualTo("accounting");
            assertThat(v.message()).isEqualTo("pfn " + pfn + " has refcount 3 but 1 reference can be named");
        });
    }

    @Test
    void aWrongMapcountIsReported() {
        write(k, t, addr, 1);
        int pfn = pfnAt(t, addr);

        k.frames().setMapcount(pfn, 2);

        assertThat(Invariants.checkStep(k)).singleElement()
                .satisfies(v -> assertThat(v.message()).isEqualTo("pfn " + pfn + " has mapcount 2 but 1 pte map it"));
    }

    @Test
    void aPteToAFreeFrameIsReported() {
        write(k, t, addr, 1);
        int pfn = pfnAt(t, addr);

        k.frames().setRefcount(pfn, 0);

        assertThat(Invariants.checkStep(k)).extracting(Violation::message)
                .anySatisfy(m -> assertThat(m).startsWith("mm " + t.mm().id() + " maps free pfn " + pfn));
    }

    @Test
    void ptesToFreeFramesAreNamedFirstInAddressOrderThenEachFrameThatDoesNotBalance() {
        long more = mmapAnon(k, t, 2, RW);
        write(k, t, addr, 1);
        write(k, t, more, 2);
        write(k, t, more + 4096, 3);
        int first = pfnAt(t, addr);
        int second = pfnAt(t, more);
        int third = pfnAt(t, more + 4096);

        k.frames().setRefcount(third, 0);
        k.frames().setRefcount(first, 0);
        k.frames().setMapcount(second, 2);

        long low = Math.min(addr, more);
        int lowPfn = low == addr ? first : third;
        int highPfn = low == addr ? third : first;
        long lowAddr = low == addr ? addr : more + 4096;
        long highAddr = low == addr ? more + 4096 : addr;
        assertThat(Invariants.checkStep(k)).extracting(Violation::message).containsExactly(
                String.format("mm %d maps free pfn %d at %#x", t.mm().id(), lowPfn, lowAddr),
                String.format("mm %d maps free pfn %d at %#x", t.mm().id(), highPfn, highAddr),
                "pfn " + first + " has refcount 0 but 1 reference can be named",
                "pfn " + second + " has mapcount 2 but 1 pte map it",
                "pfn " + third + " has refcount 0 but 1 reference can be named");
    }
}
