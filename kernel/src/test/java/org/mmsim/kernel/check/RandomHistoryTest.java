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
import org.mmsim.kernel.GupPages;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.Mman;
import org.mmsim.kernel.Pipe;
import org.mmsim.kernel.Task;
import org.mmsim.kernel.TestKernels;
import org.mmsim.kernel.profile.Profiles;

/**
 * Random histories of system calls over a few tasks and a four-page region, under a random profile: no call
 * throws, the accounting invariant holds after every call, and tearing everything down frees every frame. From
 * 5.9 on (the page-count COW rule) no history leaks data across fork either.
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
        List<Task> live = new ArrayList<>(List.of(k.spawn("init")));
        k.mmap(live.get(0), BASE, PAGES * PAGE, TestKernels.RW, TestKernels.PRIVATE_ANON | Mman.MAP_FIXED);
        Pipe pipe = k.pipe();
        for (int step = 0; step < history.size(); step++) {
            Op op = history.get(step);
            Task t = live.get(op.task() % live.size());
            apply(k, live, pipe, t, op);
            assertThat(Invariants.checkStep(k)).as("step %d %s under %s", step, op, profile)
                    .filteredOn(v -> checked.contains(v.invariant())).isEmpty();
        }
        for (GupPages g : List.copyOf(k.gupHolders())) {
            assertThat(k.release(g, false)).isZero();
        }
        k.pipeClose(pipe);
        live.forEach(k::exit);
        assertThat(Invariants.checkAllFree(k)).as("after teardown under %s", profile).isEmpty();
        assertThat(k.pageAlloc().nrAllocated()).isZero();
    }

    private static void apply(Kernel k, List<Task> live, Pipe pipe, Task t, Op op) {
        long addr = BASE + op.page() * PAGE;
        long len = (1 + op.arg() % 2) * PAGE;
        switch (op.kind()) {
            case MMAP -> k.mmap(t, addr, len, PROTS[op.arg() % 4], TestKernels.PRIVATE_ANON | Mman.MAP_FIXED);
            case STORE -> k.store(t, addr, op.arg());
            case LOAD -> k.load(t, addr);
            case FORK -> {
                if (live.size() < MAX_TASKS) {
                    Task child = k.fork(t, "child");
                    if (child != null) {
                        live.add(child);
                    }
                }
            }
            case MUNMAP -> k.munmap(t, addr, len);
            case MADVISE -> k.madvise(t, addr, PAGE, ADVICE[op.arg() % 4]);
            case MPROTECT -> k.mprotect(t, addr, PAGE, PROTS[op.arg() % 4]);
            case VMSPLICE -> k.vmsplice(t, pipe, addr, len);
            case PIPE_READ -> k.pipeRead(pipe, op.arg() % 2);
            case GUP -> k.gup(t, addr, 1 + op.arg() % 2, gupFlags(op.arg()), (op.arg() & 4) != 0,
                    (op.arg() & 8) != 0);
            case RELEASE -> {
                if (!k.gupHolders().isEmpty()) {
                    k.release(k.gupHolders().get(op.arg() % k.gupHolders().size()), (op.arg() & 1) != 0);
                }
            }
            case EXIT -> {
                if (live.size() > 1) {
                    k.exit(t);
                    live.remove(t);
                }
            }
        }
    }

    private static int gupFlags(int arg) {
        int flags = 0;
        if ((arg & 1) != 0) {
            flags |= Kernel.FOLL_WRITE;
        }
        if ((arg & 16) != 0) {
            flags |= Kernel.FOLL_FORCE;
        }
        if ((arg & 2) != 0) {
            flags |= Kernel.FOLL_LONGTERM;
        }
        return flags;
    }

}
