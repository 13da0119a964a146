package org.mmsim.kernel.mm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.memory.Mmu;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.InvariantsNotChecked;
import org.mmsim.kernel.testing.TestKernels;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.uapi.Mman;

/**
 * Per-CPU TLBs ({@link Tlb}, a scenario's {@code tlb}): what a walk caches, which pte changes shoot it down at once,
 * and the zap that gathers its flush until it drops the pte lock, with the delayed rmap of {@code zap_delay_rmap}.
 */
@InvariantsNotChecked("machines are stopped inside a zap, where the explorer does not check invariants either")
class TlbTest {
    private static final long PAGE = Page.PAGE_SIZE;

    private static Kernel boot(String profile) {
        Kernel k = TestKernels.boot(profile);
        k.mm().enableTlbs();
        return k;
    }

    private static long anon(Kernel k, Task t, int pages) {
        return k.syscalls().mmap(t, 0, pages * PAGE, TestKernels.RW, TestKernels.PRIVATE_ANON, -1, 0).run();
    }

    private static Mmu.Access store(Kernel k, Task t, long a, long v) {
        return k.syscalls().store(t, a, v).complete();
    }

    /** p's CPU caches {@code pages} anonymous pages it stored 1, 2, ...; then MADV_DONTNEED of the first two, stopped
     * after its first pte: the call. */
    private static KernelCall<Void> zapStoppedAfterOnePte(Kernel k, Task p, long a, int pages) {
        for (int i = 0; i < pages; i++) {
            store(k, p, a + i * PAGE, i + 1);
        }
        KernelCall<Void> zap = k.syscalls().madvise(p, a, 2 * PAGE, Mman.MADV_DONTNEED);
        zap.step();
        assertThat(zap.done()).isFalse();
        return zap;
    }

    @Test
    void entriesFilledInEitherOrderAreOneState() {
        Kernel k = boot("6.18");
        Task p = k.spawn("p");
        long a = anon(k, p, 2);
        Kernel other = k.copy();
        Task q = other.tasks().byPid(p.pid());
        k.syscalls().load(p, a + PAGE).complete();
        k.syscalls().load(p, a).complete();
        other.syscalls().load(q, a).complete();
        other.syscalls().load(q, a + PAGE).complete();
        assertThat(p.mm().tlb().size()).isEqualTo(2);
        assertThat(other.fingerprint()).isEqualTo(k.fingerprint());
    }

    @Test
    void aStoreCachesAWritableEntryAndALoadAReadOnlyOne() {
        Kernel k = boot("6.18");
        Task p = k.spawn("p");
        long a = anon(k, p, 2);
        assertThat(store(k, p, a, 7).signal()).isZero();
        Tlb tlb = p.mm().tlb();
        int pfn = tlb.lookup(p.pid(), a, true);
        assertThat(pfn).as("writable and dirty: a store goes through")
                .isEqualTo(Pte.pfn(p.mm().pte(a)));
        assertThat(k.syscalls().load(p, a + PAGE).complete().value()).isZero();
        assertThat(tlb.lookup(p.pid(), a + PAGE, false)).as("the zero page, read only").isNotNegative();
        assertThat(tlb.lookup(p.pid(), a + PAGE, true)).isEqualTo(-1);
        assertThat(tlb.lookup(p.pid() + 1, a, false)).as("another CPU caches nothing").isEqualTo(-1);
    }

    @Test
    void munmapMprotectAndForkShootDownEveryCpu() {
        Kernel k = boot("6.18");
        Task p = k.spawn("p");
        Task q = k.tasks().cloneThread(p, "q");
        long a = anon(k, p, 1);
        store(k, p, a, 1);
        store(k, q, a, 2);
        Tlb tlb = p.mm().tlb();
        assertThat(tlb.size()).isEqualTo(2);
        assertThat(k.syscalls().mprotect(p, a, PAGE, Mman.PROT_READ).run()).isZero();
        assertThat(tlb.size()).as("write taken away: both CPUs flushed").isZero();
        assertThat(store(k, q, a, 3).signal()).as("the store walks and faults").isNotZero();
        assertThat(k.syscalls().mprotect(p, a, PAGE, TestKernels.RW).run()).isZero();
        store(k, p, a, 4);
        assertThat(tlb.size()).isEqualTo(1);
        assertThat(k.syscalls().fork(p, "c").run()).isPositive();
        assertThat(tlb.size()).as("fork write-protects the parent's pte").isZero();
        store(k, p, a, 5);
        assertThat(tlb.size()).isEqualTo(1);
        assertThat(k.syscalls().munmap(p, a, PAGE).run()).isZero();
        assertThat(tlb.size()).isZero();
    }

    @Test
    void protNoneTakesAwayAReadOnlyEntry() {
        Kernel k = boot("6.18");
        Task p = k.spawn("p");
        long a = anon(k, p, 1);
        store(k, p, a, 1);
        assertThat(k.syscalls().mprotect(p, a, PAGE, Mman.PROT_READ).run()).isZero();
        assertThat(k.syscalls().load(p, a).complete().value()).isEqualTo(1);
        assertThat(p.mm().tlb().lookup(p.pid(), a, false)).isNotNegative();
        assertThat(k.syscalls().mprotect(p, a, PAGE, Mman.PROT_NONE).run()).isZero();
        assertThat(p.mm().tlb().size()).as("present but inaccessible: flushed").isZero();
        assertThat(k.syscalls().load(p, a).complete().signal()).isNotZero();
    }

    /** Only the ptes the zap clears wait for its flush; another change of the mm meanwhile flushes at once. */
    @Test
    void aGatherDefersOnlyTheZapsOwnPtes() {
        Kernel k = boot("6.18");
        Task p = k.spawn("p");
        long a = anon(k, p, 3);
        zapStoppedAfterOnePte(k, p, a, 3);
        assertThat(p.mm().tlb().size()).isEqualTo(3);
        p.mm().wrProtectPte(a + 2 * PAGE);
        assertThat(p.mm().tlb().lookup(p.pid(), a + 2 * PAGE, true)).as("not the zap's: at once").isEqualTo(-1);
        assertThat(p.mm().tlb().lookup(p.pid(), a, true)).as("the zap's: still there").isNotNegative();
    }

    /**
     * MADV_DONTNEED stops after each pte with the pte lock held; until it drops the lock the cleared ptes' entries and
     * pages stay (tlb_gather_mmu), and a store through the stale entry still reaches the page.
     */
    @Test
    void aZapFlushesWhenItDropsThePteLock() {
        Kernel k = boot("6.18");
        Task p = k.spawn("p");
        long a = anon(k, p, 2);
        store(k, p, a, 1);
        int pfn = p.mm().tlb().lookup(p.pid(), a, true);
        KernelCall<Void> zap = zapStoppedAfterOnePte(k, p, a, 2);
        assertThat(p.mm().pte(a)).isZero();
        assertThat(p.mm().tlb().lookup(p.pid(), a, true)).as("stale until the flush").isEqualTo(pfn);
        assertThat(k.frames().refcount(pfn)).as("tlb_remove_page: freed after the flush").isPositive();
        assertThat(store(k, p, a, 9).signal()).isZero();
        assertThat(k.frames().word(pfn, 0)).as("the store went through the stale entry").isEqualTo(9);
        while (!zap.done()) {
            zap.step();
        }
        assertThat(p.mm().tlb().size()).isZero();
        assertThat(k.frames().refcount(pfn)).isZero();
        assertThat(k.syscalls().load(p, a).complete().value()).as("a fresh zero page").isZero();
    }

    /** zap_delay_rmap: a dirty page of a shared file keeps its mapcount until the flush (6.2), or loses it at once. */
    @Test
    void aDirtyFilePageKeepsItsRmapUntilTheFlushFromSixTwo() {
        for (String profile : new String[] {"5.19", "6.18"}) {
            Kernel k = boot(profile);
            Task p = k.spawn("p");
            int fd = (int) k.fileSyscalls().creat(p, FsType.EXT4, "f", 2 * PAGE).run();
            long a = k.syscalls().mmap(p, 0, 2 * PAGE, TestKernels.RW, Mman.MAP_SHARED, fd, 0).run();
            store(k, p, a, 1);
            store(k, p, a + PAGE, 2);
            int pfn = p.mm().tlb().lookup(p.pid(), a, true);
            KernelCall<Void> zap = k.syscalls().madvise(p, a, 2 * PAGE, Mman.MADV_DONTNEED);
            zap.step();
            assertThat(k.frames().mapcount(pfn)).as(profile).isEqualTo(profile.equals("6.18") ? 1 : 0);
            while (!zap.done()) {
                zap.step();
            }
            assertThat(k.frames().mapcount(pfn)).as(profile).isZero();
        }
    }

    /**
     * With TLBs, wp_page_copy stops between its copy and its pte switch; a pte that changed meanwhile
     * ({@code !pte_same}) drops the copy and the access faults again.
     */
    @Test
    void wpPageCopyStopsAfterTheCopyAndRechecksThePte() {
        Kernel k = boot("6.18");
        Task p = k.spawn("p");
        Task q = k.tasks().cloneThread(p, "q");
        long a = anon(k, p, 1);
        store(k, p, a, 1);
        assertThat(k.syscalls().fork(p, "c").run()).isPositive();
        int shared = Pte.pfn(p.mm().pte(a));
        KernelCall<Mmu.Access> write = k.syscalls().store(p, a, 2);
        write.step();
        assertThat(write.done()).as("stopped after the copy").isFalse();
        assertThat(Pte.pfn(p.mm().pte(a))).as("the pte not switched yet")
                .isEqualTo(shared);
        assertThat(k.syscalls().madvise(q, a, PAGE, Mman.MADV_DONTNEED).run()).isZero();
        while (!write.done()) {
            write.step();
        }
        assertThat(write.result().signal()).isZero();
        assertThat(k.syscalls().load(p, a).complete().value()).as("refaulted: a fresh page, then the store")
                .isEqualTo(2);
        assertThat(k.frames().word(shared, 0)).as("the child's page is untouched").isEqualTo(1);
        assertThat(k.frames().mapcount(shared)).as("mapped by the child alone, unmapped once").isEqualTo(1);
        assertThat(k.frames().refcount(shared)).as("the child's reference alone").isEqualTo(1);
    }

    @Test
    void aMachineCopiedMidZapGoesOnAlike() {
        Kernel k = boot("5.19");
        Task p = k.spawn("p");
        long a = anon(k, p, 2);
        KernelCall<Void> zap = zapStoppedAfterOnePte(k, p, a, 2);
        Copier c = new Copier();
        Kernel copy = k.copy(c);
        KernelCall<Void> czap = c.copy(zap);
        assertThat(copy.fingerprint()).isEqualTo(k.fingerprint());
        Task cp = copy.tasks().byPid(p.pid());
        assertThat(cp.mm().tlb()).isNotSameAs(p.mm().tlb());
        assertThat(cp.mm().tlb().size()).isEqualTo(2);
        store(copy, cp, a, 5);
        assertThat(copy.fingerprint()).isNotEqualTo(k.fingerprint());
        store(k, p, a, 5);
        while (!zap.done()) {
            zap.step();
            czap.step();
        }
        assertThat(copy.fingerprint()).isEqualTo(k.fingerprint());
        assertThat(cp.mm().tlb().size()).isZero();
    }
}
