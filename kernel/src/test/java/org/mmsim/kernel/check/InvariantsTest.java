package org.mmsim.kernel.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.TestKernels.PAGE;
import static org.mmsim.kernel.TestKernels.RW;
import static org.mmsim.kernel.TestKernels.boot;
import static org.mmsim.kernel.TestKernels.mmapAnon;
import static org.mmsim.kernel.TestKernels.violatedInvariants;
import static org.mmsim.kernel.TestKernels.write;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmsim.kernel.GupPages;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.Mman;
import org.mmsim.kernel.Pipe;
import org.mmsim.kernel.Task;
import org.mmsim.kernel.Violation;
import org.mmsim.kernel.profile.Profiles;

/** The invariant registry: it holds on a sane history under every profile, and it can fail. */
class InvariantsTest {

    static Iterable<String> allProfiles() {
        return Profiles.names();
    }

    private static void accountingHolds(Kernel k, String after) {
        assertThat(Invariants.checkStep(k)).as("after %s under %s", after, k.profile())
                .filteredOn(v -> v.invariant().equals("accounting")).isEmpty();
    }

    @Test
    void theRegistryNamesEveryInvariant() {
        assertThat(Invariants.all()).extracting(Invariant::name)
                .containsExactly("accounting", "isolation", "pin-coherence");
        assertThat(Invariants.all()).allSatisfy(i -> assertThat(i.doc()).isNotBlank());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allProfiles")
    void accountingHoldsAfterEveryCallOfAMixedHistoryAndEverythingIsFreedAtTheEnd(String profile) {
        Kernel k = boot(profile);
        Task p = k.spawn("parent");
        long a = mmapAnon(k, p, 4, RW);
        write(k, p, a, 1);
        write(k, p, a + PAGE, 2);
        k.load(p, a + 2 * PAGE);
        accountingHolds(k, "faults");
        Task c = k.fork(p, "child");
        accountingHolds(k, "fork");
        write(k, c, a, 3);
        accountingHolds(k, "COW");
        GupPages get = k.gup(p, a, 2, 0, false, true);
        GupPages pin = k.gup(p, a + PAGE, 1, Kernel.FOLL_WRITE | Kernel.FOLL_LONGTERM, true, false);
        accountingHolds(k, "gup");
        Pipe pipe = k.pipe();
        k.vmsplice(c, pipe, a + PAGE, PAGE);
        accountingHolds(k, "vmsplice");
        k.munmap(c, a + PAGE, PAGE);
        accountingHolds(k, "munmap");
        write(k, p, a + PAGE, 4);
        k.mprotect(p, a, 4 * PAGE, Mman.PROT_READ);
        k.mprotect(p, a, 4 * PAGE, RW);
        accountingHolds(k, "mprotect");
        k.madvise(p, a, PAGE, Mman.MADV_DONTNEED);
        accountingHolds(k, "MADV_DONTNEED");
        k.pipeRead(pipe, 0);
        k.pipeWrite(pipe, 5);
        accountingHolds(k, "pipe");
        Task grandchild = k.fork(c, "grandchild");
        k.exit(c);
        accountingHolds(k, "fork and exit");
        k.release(get, false);
        k.exit(p);
        accountingHolds(k, "release and exit");
        k.release(pin, true);
        k.exit(grandchild);
        k.pipeClose(pipe);
        accountingHolds(k, "teardown");

        assertThat(Invariants.checkAllFree(k)).isEmpty();
        assertThat(k.pageAlloc().nrAllocated()).isZero();
    }

    @Test
    void pinCoherenceFailsWhenTheParentsWriteCopiesAwayFromAPinUnder57() {
        Kernel k = boot("5.7");
        Task p = k.spawn("parent");
        long a = mmapAnon(k, p, 1, RW);
        write(k, p, a, 1);
        k.gup(p, a, 1, Kernel.FOLL_WRITE | Kernel.FOLL_LONGTERM, true, false);
        k.fork(p, "child");
        assertThat(violatedInvariants(k)).isEmpty();

        write(k, p, a, 2);

        List<Violation> violations = Invariants.checkStep(k);
        assertThat(violations).extracting(Violation::invariant).containsExactly("pin-coherence");
        assertThat(violations.get(0).message()).contains("long-term pin of mm " + p.mm().id());
    }

    @Test
    void theSameHistoryKeepsPinCoherenceUnder59() {
        Kernel k = boot("5.9");
        Task p = k.spawn("parent");
        long a = mmapAnon(k, p, 1, RW);
        write(k, p, a, 1);
        k.gup(p, a, 1, Kernel.FOLL_WRITE | Kernel.FOLL_LONGTERM, true, false);
        k.fork(p, "child");

        write(k, p, a, 2);

        assertThat(violatedInvariants(k)).isEmpty();
    }

    @Test
    void anUnreleasedPipeBufferIsALeak() {
        Kernel k = boot("6.18");
        Task p = k.spawn("p");
        long a = mmapAnon(k, p, 1, RW);
        write(k, p, a, 1);
        k.vmsplice(p, k.pipe(), a, PAGE);

        k.exit(p);

        List<Violation> leaks = Invariants.checkAllFree(k);
        assertThat(leaks).hasSize(1);
        assertThat(leaks.get(0).invariant()).isEqualTo("accounting");
        assertThat(leaks.get(0).message()).contains("leaked").contains("refcount 1, mapcount 0");
        assertThat(violatedInvariants(k)).as("a live pipe reference is accounted").isEmpty();
    }

    @Test
    void anUnreleasedPinIsALeak() {
        Kernel k = boot("6.18");
        Task p = k.spawn("p");
        long a = mmapAnon(k, p, 1, RW);
        k.gup(p, a, 1, Kernel.FOLL_WRITE, true, false);

        k.exit(p);

        assertThat(Invariants.checkAllFree(k)).singleElement()
                .satisfies(v -> assertThat(v.message()).contains("refcount " + Kernel.GUP_PIN_COUNTING_BIAS));
    }

    @Test
    void readingDataStoredBeforeTheForkIsNotALeak() {
        Kernel k = boot("5.7");
        Task p = k.spawn("p");
        long a = mmapAnon(k, p, 1, RW);
        write(k, p, a, 1);
        Task c = k.fork(p, "child");
        Task gc = k.fork(c, "grandchild");

        assertThat(k.load(c, a)).isEqualTo(1L);
        assertThat(k.load(gc, a)).isEqualTo(1L);

        assertThat(violatedInvariants(k)).isEmpty();
    }
}
