package org.mmsim.kernel.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.exit;
import static org.mmsim.kernel.testing.TestKernels.fork;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.pipe;
import static org.mmsim.kernel.testing.TestKernels.violatedInvariants;
import static org.mmsim.kernel.testing.TestKernels.write;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmsim.kernel.testing.TestKernels;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.rmap.Rmap;
import org.mmsim.kernel.profile.Profiles;
import org.mmsim.kernel.syscall.FileSyscalls;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.InvariantsNotChecked;
import org.mmsim.kernel.uapi.Mman;

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
                .containsExactly("accounting", "isolation", "pin-coherence", "device-coherence", "device-isolation",
                        "no-lost-write", "filesystem-state", "stable-pages", "pin-tracking-sound", "cache-alias",
                        "dmabuf-coherence");
        assertThat(Invariants.all()).allSatisfy(i -> assertThat(i.doc()).isNotBlank());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allProfiles")
    @InvariantsNotChecked(value = "under 4.8 and 4.9 the history's vmsplice leaks the parent's later store to the "
            + "child's pipe (CVE-2020-29374); the test checks accounting itself", profiles = {"2.6.19", "2.6.23", "2.6.27", "4.8", "4.9"})
    void accountingHoldsAfterEveryCallOfAMixedHistoryAndEverythingIsFreedAtTheEnd(String profile) {
        Kernel k = boot(profile);
        Syscalls sys = k.syscalls();
        FileSyscalls fs = k.fileSyscalls();
        Task p = k.spawn("parent");
        long a = mmapAnon(k, p, 4, RW);
        write(k, p, a, 1);
        write(k, p, a + PAGE, 2);
        load(k, p, a + 2 * PAGE);
        accountingHolds(k, "faults");
        Task c = fork(k, p, "child");
        accountingHolds(k, "fork");
        write(k, c, a, 3);
        accountingHolds(k, "COW");
        GupPages get = sys.getUserPagesFast(p, a, 2, 0).complete();
        GupPages pin = sys.pinUserPages(p, a + PAGE, 1, Foll.FOLL_WRITE | Foll.FOLL_LONGTERM).complete();
        accountingHolds(k, "gup");
        int[] pipe = pipe(k, c);
        fs.vmsplice(c, pipe[1], a + PAGE, PAGE).run();
        accountingHolds(k, "vmsplice");
        sys.munmap(c, a + PAGE, PAGE).run();
        accountingHolds(k, "munmap");
        write(k, p, a + PAGE, 4);
        sys.mprotect(p, a, 4 * PAGE, Mman.PROT_READ).run();
        sys.mprotect(p, a, 4 * PAGE, RW).run();
        accountingHolds(k, "mprotect");
        sys.madvise(p, a, PAGE, Mman.MADV_DONTNEED).run();
        accountingHolds(k, "MADV_DONTNEED");
        fs.read(c, pipe[0], 0).run();
        fs.write(c, pipe[1], 5).run();
        accountingHolds(k, "pipe");
        Task grandchild = fork(k, c, "grandchild");
        exit(k, c);
        accountingHolds(k, "fork and exit");
        TestKernels.release(sys, p, get, false).run();
        exit(k, p);
        accountingHolds(k, "release and exit");
        k.exports().unpinUserPagesDirtyLock(pin, true);
        exit(k, grandchild);
        accountingHolds(k, "teardown: the last fds on the pipe close with the grandchild");

        assertThat(Invariants.checkAllFree(k)).isEmpty();
        assertThat(k.pageAlloc().nrAllocated()).isZero();
    }

    @Test
    @InvariantsNotChecked("the pin-coherence violation under 5.7 is what this test shows")
    void pinCoherenceFailsWhenTheParentsWriteCopiesAwayFromAPinUnder57() {
        Kernel k = boot("5.7");
        Task p = k.spawn("parent");
        long a = mmapAnon(k, p, 1, RW);
        write(k, p, a, 1);
        k.syscalls().pinUserPages(p, a, 1, Foll.FOLL_WRITE | Foll.FOLL_LONGTERM).run();
        fork(k, p, "child");
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
        k.syscalls().pinUserPages(p, a, 1, Foll.FOLL_WRITE | Foll.FOLL_LONGTERM).run();
        fork(k, p, "child");

        write(k, p, a, 2);

        assertThat(violatedInvariants(k)).isEmpty();
    }

    /** The pipe lives as long as an fd on it: here the child's, inherited at fork. */
    @Test
    void leaksAreReportedLowestFrameFirstAtMostEight() {
        Kernel k = boot("6.18");
        List<Integer> leaked = new java.util.ArrayList<>();
        for (int n = 0; n < 10; n++) {
            leaked.add(k.pageAlloc().allocPage(org.mmsim.kernel.mm.page.PageAlloc.GFP_KERNEL));
        }
        leaked.sort(null);

        List<Violation> leaks = Invariants.checkAllFree(k);

        assertThat(leaks).hasSize(8);
        for (int n = 0; n < 8; n++) {
            assertThat(leaks.get(n).message()).startsWith("pfn " + leaked.get(n) + " leaked: refcount 1");
        }
    }

    @Test
    void anUnreleasedPipeBufferIsALeak() {
        Kernel k = boot("6.18");
        Task p = k.spawn("p");
        long a = mmapAnon(k, p, 1, RW);
        write(k, p, a, 1);
        int[] pipe = pipe(k, p);
        k.fileSyscalls().vmsplice(p, pipe[1], a, PAGE).run();
        Task child = fork(k, p, "child");
        assertThat(k.syscalls().munmap(child, a, PAGE).run()).isZero();

        exit(k, p);

        List<Violation> leaks = Invariants.checkAllFree(k);
        assertThat(leaks).as("the child's fds keep the pipe").hasSize(1);
        assertThat(leaks.get(0).invariant()).isEqualTo("accounting");
        assertThat(leaks.get(0).message()).contains("leaked").contains("refcount 1, mapcount 0");
        assertThat(violatedInvariants(k)).as("a live pipe reference is accounted").isEmpty();
        exit(k, child);
        assertThat(Invariants.checkAllFree(k)).isEmpty();
    }

    @Test
    void anUnreleasedPinIsALeak() {
        Kernel k = boot("6.18");
        Task p = k.spawn("p");
        long a = mmapAnon(k, p, 1, RW);
        k.syscalls().pinUserPages(p, a, 1, Foll.FOLL_WRITE).run();

        exit(k, p);

        assertThat(Invariants.checkAllFree(k)).singleElement()
                .satisfies(v -> assertThat(v.message()).contains("refcount " + Rmap.GUP_PIN_COUNTING_BIAS));
    }

    @Test
    void readingDataStoredBeforeTheForkIsNotALeak() {
        Kernel k = boot("5.7");
        Task p = k.spawn("p");
        long a = mmapAnon(k, p, 1, RW);
        write(k, p, a, 1);
        Task c = fork(k, p, "child");
        Task gc = fork(k, c, "grandchild");

        assertThat(load(k, c, a)).isEqualTo(1L);
        assertThat(load(k, gc, a)).isEqualTo(1L);

        assertThat(violatedInvariants(k)).isEmpty();
    }
}
