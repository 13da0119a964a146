package org.mmsim.kernel.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.profile.Profiles;
import org.mmsim.kernel.syscall.FileSyscalls;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.GupEntry;
import org.mmsim.kernel.testing.TestKernels;
import org.mmsim.kernel.uapi.Mman;

/**
 * Random histories of system calls over a few tasks and a four-page region, under a random profile: no call
 * throws, the accounting invariant holds after every call, and tearing everything down frees every frame. From
 * 5.9 on (the page-count COW rule) no history leaks data across fork either. Every task shares one pipe, made
 * by the first before any fork. jqwik runs these properties outside JUnit Jupiter, so
 * {@code org.mmsim.kernel.testing.InvariantChecking} does not follow their calls: they check the invariants they
 * state themselves, after every call.
 */
class RandomHistoryTest {
    private static final long BASE = 0x10_0000_0000L;
    private static final long PAGE = TestKernels.PAGE;
    private static final int PAGES = 4;
    private static final int MAX_TASKS = 3;
    private static final int[] PROTS = {TestKernels.RW, TestKernels.RW, Mman.PROT_READ, Mman.PROT_NONE};
    private static final int[] ADVICE = {Mman.MADV_DONTNEED, Mman.MADV_DONTNEED, Mman.MADV_DONTFORK, Mman.MADV_DOFORK};

    enum Kind { MMAP, STORE, LOAD, FORK, MUNMAP, MADVISE, MPROTECT, VMSPLICE, PIPE_READ, GUP, RELEASE, EXIT }

    /** One call: what, by which live task (modulo), at which page of the region, and a small argument. */
    record Op(Kind kind, int task, int page, int arg) {}

    @Provide
    Arbitrary<String> profiles() {
        return Arbitraries.of(Profiles.names());
    }

    @Provide
    Arbitrary<String> pageCountProfiles() {
        return Arbitraries.of("5.9", "5.11", "5.19", "6.18");
    }

    @Provide
    Arbitrary<List<Op>> histories() {
        Arbitrary<Op> op = Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, PAGES - 1), Arbitraries.integers().between(0, 31)).as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(30);
    }

    @Property(tries = 200)
    void accountingHoldsAfterEveryCallAndTeardownFreesEverything(
            @ForAll("profiles") String profile, @ForAll("histories") List<Op> history) {
        run(profile, history, Set.of("accounting"));
    }

    @Property(tries = 200)
    void fromFiveNineNoHistoryLeaksDataAcrossFork(
            @ForAll("pageCountProfiles") String profile, @ForAll("histories") List<Op> history) {
        run(profile, history, Set.of("accounting", "isolation"));
    }

    private static void run(String profile, List<Op> history, Set<String> checked) {
        Kernel k = TestKernels.boot(profile);
        Task init = k.spawn("init");
        List<Task> live = new ArrayList<>(List.of(init));
        k.syscalls().mmap(init, BASE, PAGES * PAGE, TestKernels.RW, TestKernels.PRIVATE_ANON | Mman.MAP_FIXED).run();
        int[] pipe = k.fileSyscalls().pipe(init).complete();
        for (int step = 0; step < history.size(); step++) {
            Op op = history.get(step);
            Task t = live.get(op.task() % live.size());
            apply(k, live, pipe, t, op);
            assertThat(Invariants.checkStep(k)).as("step %d %s under %s", step, op, profile)
                    .filteredOn(v -> checked.contains(v.invariant())).isEmpty();
        }
        for (GupPages g : List.copyOf(k.gupHolders().held())) {
            assertThat(TestKernels.release(k.syscalls(), live.get(0), g, false).run()).isZero();
        }
        live.forEach(t -> k.syscalls().exit(t).run());
        assertThat(Invariants.checkAllFree(k)).as("after teardown under %s", profile).isEmpty();
        assertThat(k.pageAlloc().nrAllocated()).isZero();
    }

    private static void apply(Kernel k, List<Task> live, int[] pipe, Task t, Op op) {
        Syscalls sys = k.syscalls();
        FileSyscalls fs = k.fileSyscalls();
        long addr = BASE + op.page() * PAGE;
        long len = (1 + op.arg() % 2) * PAGE;
        switch (op.kind()) {
            case MMAP -> sys.mmap(t, addr, len, PROTS[op.arg() % 4], TestKernels.PRIVATE_ANON | Mman.MAP_FIXED).run();
            case STORE -> sys.store(t, addr, op.arg()).run();
            case LOAD -> sys.load(t, addr).run();
            case FORK -> {
                if (live.size() < MAX_TASKS) {
                    Task child = sys.fork(t, "child").complete();
                    if (child != null) {
                        live.add(child);
                    }
                }
            }
            case MUNMAP -> sys.munmap(t, addr, len).run();
            case MADVISE -> sys.madvise(t, addr, PAGE, ADVICE[op.arg() % 4]).run();
            case MPROTECT -> sys.mprotect(t, addr, PAGE, PROTS[op.arg() % 4]).run();
            case VMSPLICE -> fs.vmsplice(t, pipe[1], addr, len).run();
            case PIPE_READ -> fs.read(t, pipe[0], 8L * (op.arg() % 2)).run();
            case GUP -> gupEntry(op.arg()).take(k, t, addr, 1 + op.arg() % 2, gupFlags(op.arg()));
            case RELEASE -> {
                List<GupPages> held = k.gupHolders().held();
                if (!held.isEmpty()) {
                    TestKernels.release(sys, t, held.get(op.arg() % held.size()), (op.arg() & 1) != 0).run();
                }
            }
            case EXIT -> {
                if (live.size() > 1) {
                    sys.exit(t).run();
                    live.remove(t);
                }
            }
        }
    }

    /** Bit 2 of {@code arg} pins (else FOLL_GET), bit 3 takes the fast path. */
    private static GupEntry gupEntry(int arg) {
        return GupEntry.values()[((arg >> 2) & 1) * 2 + ((arg >> 3) & 1)];
    }

    private static int gupFlags(int arg) {
        int flags = 0;
        if ((arg & 1) != 0) {
            flags |= Foll.FOLL_WRITE;
        }
        if ((arg & 16) != 0) {
            flags |= Foll.FOLL_FORCE;
        }
        if ((arg & 2) != 0) {
            flags |= Foll.FOLL_LONGTERM;
        }
        return flags;
    }
}
