package org.mmsim.kernel.mm.notifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.bootWithMovable;
import static org.mmsim.kernel.testing.TestKernels.exit;
import static org.mmsim.kernel.testing.TestKernels.fork;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.mm.hmm.HmmRange;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Mman;

/**
 * Which {@code mmu_notifier_range} event each path that changes or removes ptes raises, and where (mm/memory.c,
 * mm/mmap.c, mm/mprotect.c, fs/proc/task_mmu.c, mm/migrate.c, mm/mmu_notifier.c), and the interval notifier's
 * sequence protocol with {@code hmm_range_fault}.
 */
class NotifierTest {
    private final Kernel k = boot("6.18");
    private final Task p = k.spawn("p");
    private final RecordingNotifier sub = new RecordingNotifier();

    private String range(String event, long start, long end) {
        return String.format("%s %#x-%#x", event, start, end);
    }

    @Test
    void munmapRaisesUnmapOverTheWholeRange() {
        long a = mmapAnon(k, p, 2, RW);
        write(k, p, a, 1);
        k.notifiers().register(sub, p.mm());
        assertThat(k.syscalls().munmap(p, a, 2 * PAGE).run()).isZero();
        assertThat(sub.take()).containsExactly("start " + range("UNMAP", a, a + 2 * PAGE),
                "end " + range("UNMAP", a, a + 2 * PAGE));
    }

    @Test
    void madviseDontneedRaisesClearPerVmaPart() {
        long a = mmapAnon(k, p, 2, RW);
        write(k, p, a, 1);
        write(k, p, a + PAGE, 2);
        k.notifiers().register(sub, p.mm());
        KernelCall<Void> madv = k.syscalls().madvise(p, a, 2 * PAGE, Mman.MADV_DONTNEED);
        madv.step();
        assertThat(sub.lines()).as("the range is open while the zap is suspended")
                .containsExactly("start " + range("CLEAR", a, a + 2 * PAGE));
        madv.run();
        assertThat(madv.ret()).isZero();
        assertThat(sub.take()).containsExactly("start " + range("CLEAR", a, a + 2 * PAGE),
                "end " + range("CLEAR", a, a + 2 * PAGE));
    }

    /**
     * {@code __mmu_notifier_release}: {@code mn_itree_release} first (every interval notifier hears RELEASE), then the
     * hlist's {@code ->release}; then the teardown's UNMAP, which only interval notifiers still hear.
     */
    @Test
    void exitReleasesIntervalNotifiersThenTheHlistAndOnlyIntervalNotifiersHearTheUnmap() {
        long a = mmapAnon(k, p, 1, RW);
        write(k, p, a, 1);
        MmuNotifier n = k.notifiers().register(sub, p.mm());
        RecordingNotifier interval = new RecordingNotifier();
        MmuIntervalNotifier mni = k.notifiers().insert(p.mm(), a, PAGE, interval);
        exit(k, p);
        assertThat(sub.take()).containsExactly("release");
        assertThat(n.released()).isTrue();
        assertThat(interval.take()).containsExactly("invalidate RELEASE 0x0-0x800000000000 seq 3",
                "invalidate UNMAP 0x0-0x800000000000 seq 5");
        assertThat(mni.invalidateSeq()).isEqualTo(5);
        assertThat(k.notifiers().invalidateSeq(mni.mm())).as("even again after the end").isEqualTo(6);
    }

    /** With no VMA left there is no UNMAP at exit, but RELEASE still tells a driver's read_retry to retry. */
    @Test
    void exitOfAnMmWithNoVmaStillInvalidatesIntervalNotifiers() {
        long a = mmapAnon(k, p, 1, RW);
        RecordingNotifier interval = new RecordingNotifier();
        MmuIntervalNotifier mni = k.notifiers().insert(p.mm(), a, PAGE, interval);
        long seq = k.notifiers().readBegin(mni);
        assertThat(k.syscalls().munmap(p, a, PAGE).run()).isZero();
        assertThat(k.notifiers().readRetry(mni, seq)).as("the munmap invalidated it").isTrue();
        seq = k.notifiers().readBegin(mni);
        interval.take();

        exit(k, p);

        assertThat(interval.take()).containsExactly("invalidate RELEASE 0x0-0x800000000000 seq 5");
        assertThat(k.notifiers().readRetry(mni, seq)).isTrue();
    }

    @Test
    void cowReplacementRaisesClearForThePage() {
        long a = mmapAnon(k, p, 1, RW);
        write(k, p, a, 1);
        Task c = fork(k, p, "c");
        k.notifiers().register(sub, p.mm());
        write(k, p, a, 2);
        assertThat(sub.take()).containsExactly("start " + range("CLEAR", a, a + PAGE),
                "end " + range("CLEAR", a, a + PAGE));
        assertThat(c.mm().id()).isNotEqualTo(p.mm().id());
    }

    @Test
    void mprotectRaisesProtectionVmaWhereThereAreTables() {
        long a = mmapAnon(k, p, 2, RW);
        long b = mmapAnon(k, p, 1, RW);
        write(k, p, a, 1);
        k.notifiers().register(sub, p.mm());
        assertThat(k.syscalls().mprotect(p, b, PAGE, Mman.PROT_READ).run()).isZero();
        assertThat(sub.take()).as("b shares a's PTE table").containsExactly(
                "start " + range("PROTECTION_VMA", b, b + PAGE), "end " + range("PROTECTION_VMA", b, b + PAGE));
    }

    @Test
    void forkRaisesProtectionPageForEachCowVma() {
        long a = mmapAnon(k, p, 1, RW);
        long s = org.mmsim.kernel.testing.TestKernels.mmapSharedAnon(k, p, 1, RW);
        write(k, p, a, 1);
        write(k, p, s, 1);
        k.notifiers().register(sub, p.mm());
        fork(k, p, "c");
        assertThat(sub.take()).as("the shared mapping is not write-protected").containsExactly(
                "start " + range("PROTECTION_PAGE", a, a + PAGE), "end " + range("PROTECTION_PAGE", a, a + PAGE));
    }

    @Test
    void clearRefsSoftDirtyRaisesSoftDirtyOverTheAddressSpaceAndOtherValuesNothing() {
        long a = mmapAnon(k, p, 1, RW);
        write(k, p, a, 1);
        k.notifiers().register(sub, p.mm());
        assertThat(k.syscalls().clearRefs(p, 1).run()).isZero();
        assertThat(sub.take()).isEmpty();
        assertThat(k.syscalls().clearRefs(p, 4).run()).isZero();
        assertThat(sub.take()).containsExactly("start SOFT_DIRTY 0x0-0x800000000000",
                "end SOFT_DIRTY 0x0-0x800000000000");
    }

    @Test
    void migrationOutOfTheMovableZoneRaisesClear() {
        Kernel m = bootWithMovable("6.18", 64);
        Task t = m.spawn("t");
        long a = mmapAnon(m, t, 1, RW);
        write(m, t, a, 1);
        m.notifiers().register(sub, t.mm());
        assertThat(m.syscalls().pinUserPages(t, a, 1, Foll.FOLL_WRITE | Foll.FOLL_LONGTERM).complete().nr()).isOne();
        assertThat(sub.take()).containsExactly("start " + range("CLEAR", a, a + PAGE),
                "end " + range("CLEAR", a, a + PAGE));
    }

    @Test
    void truncationRaisesClearForEveryMappingOfThePagesBeyondTheEnd() {
        int fd = org.mmsim.kernel.testing.TestKernels.creat(k, p, org.mmsim.kernel.fs.FsType.EXT4, "f", 2 * PAGE);
        long a = org.mmsim.kernel.testing.TestKernels.mmapFile(k, p, fd, 2, RW, Mman.MAP_SHARED);
        write(k, p, a, 1);
        write(k, p, a + PAGE, 2);
        k.notifiers().register(sub, p.mm());
        assertThat(k.fileSyscalls().ftruncate(p, fd, PAGE).run()).isZero();
        assertThat(sub.take()).containsExactly("start " + range("CLEAR", a + PAGE, a + 2 * PAGE),
                "end " + range("CLEAR", a + PAGE, a + 2 * PAGE));
        assertThat(p.mm().pte(a + PAGE)).as("unmapped").isZero();
        assertThat(org.mmsim.kernel.testing.TestKernels.inode(p, fd).mapping().pageAt(1)).as("dropped").isEqualTo(-1);
        assertThat(org.mmsim.kernel.testing.TestKernels.loadSignal(k, p, a + PAGE)).as("beyond EOF")
                .isEqualTo(org.mmsim.kernel.uapi.Signal.SIGBUS);
        assertThat(k.fileSyscalls().ftruncate(p, fd, -1).run()).isEqualTo(-Errno.EINVAL);
    }

    @Test
    void writebackRaisesProtectionPageForEachSharedMappingOfThePage() {
        int fd = org.mmsim.kernel.testing.TestKernels.creat(k, p, org.mmsim.kernel.fs.FsType.EXT4, "f", PAGE);
        long a = org.mmsim.kernel.testing.TestKernels.mmapFile(k, p, fd, 1, RW, Mman.MAP_SHARED);
        write(k, p, a, 1);
        k.notifiers().register(sub, p.mm());
        org.mmsim.kernel.testing.TestKernels.fsync(k, p, fd);
        assertThat(sub.take()).as("folio_mkclean -> page_mkclean_one").containsExactly(
                "start " + range("PROTECTION_PAGE", a, a + PAGE), "end " + range("PROTECTION_PAGE", a, a + PAGE));
    }

    @Test
    void unregisterBeforeExitCallsReleaseOnceAndNothingFollows() {
        long a = mmapAnon(k, p, 1, RW);
        MmuNotifier n = k.notifiers().register(sub, p.mm());
        k.notifiers().unregister(n);
        assertThat(sub.take()).containsExactly("release");
        write(k, p, a, 1);
        assertThat(k.syscalls().munmap(p, a, PAGE).run()).isZero();
        assertThat(sub.take()).isEmpty();
        assertThatThrownBy(() -> k.notifiers().unregister(n)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anIntervalNotifierHearsOnlyOverlappingRangesWithAnOddSequence() {
        long a = mmapAnon(k, p, 4, RW);
        for (int i = 0; i < 4; i++) {
            write(k, p, a + i * PAGE, i);
        }
        MmuIntervalNotifier mni = k.notifiers().insert(p.mm(), a + PAGE, PAGE, sub);
        assertThat(mni.invalidateSeq()).as("mm seq - 1: read_begin proceeds at once").isEqualTo(1);
        long seq = k.notifiers().readBegin(mni);
        assertThat(k.syscalls().madvise(p, a, PAGE, Mman.MADV_DONTNEED).run()).isZero();
        assertThat(sub.take()).isEmpty();
        assertThat(k.notifiers().readRetry(mni, seq)).isFalse();

        KernelCall<Void> madv = k.syscalls().madvise(p, a + PAGE, 2 * PAGE, Mman.MADV_DONTNEED);
        madv.step();
        assertThat(sub.take()).containsExactly("invalidate " + range("CLEAR", a + PAGE, a + 3 * PAGE) + " seq 3");
        assertThat(k.notifiers().readRetry(mni, seq)).isTrue();
        assertThat(k.notifiers().readBeginWouldWait(mni)).as("read_begin sleeps while the range is invalidated")
                .isTrue();
        madv.run();
        assertThat(k.notifiers().readBeginWouldWait(mni)).isFalse();
        assertThat(k.notifiers().readBegin(mni)).isEqualTo(3);
        assertThat(k.notifiers().invalidateSeq(p.mm())).isEqualTo(4);
    }

    @Test
    void anInsertDuringAnInvalidationIsDeferredAndWaits() {
        long a = mmapAnon(k, p, 2, RW);
        write(k, p, a, 1);
        write(k, p, a + PAGE, 2);
        k.notifiers().insert(p.mm(), a, PAGE, sub);
        KernelCall<Void> madv = k.syscalls().madvise(p, a, 2 * PAGE, Mman.MADV_DONTNEED);
        madv.step();
        RecordingNotifier late = new RecordingNotifier();
        MmuIntervalNotifier mni = k.notifiers().insert(p.mm(), a + PAGE, PAGE, late);
        assertThat(k.notifiers().readBeginWouldWait(mni)).isTrue();
        madv.run();
        assertThat(late.take()).as("deferred: not in the tree during the invalidation").isEmpty();
        assertThat(k.notifiers().readBeginWouldWait(mni)).isFalse();
        assertThat(k.syscalls().madvise(p, a, 2 * PAGE, Mman.MADV_DONTNEED).run()).isZero();
        assertThat(late.take()).as("in the tree once the invalidation ended")
                .containsExactly("invalidate " + range("CLEAR", a, a + 2 * PAGE) + " seq 5");
    }

    @Test
    void hmmRangeFaultFaultsInAndSnapshotsWithoutReferences() {
        long a = mmapAnon(k, p, 2, RW);
        write(k, p, a, 7);
        MmuIntervalNotifier mni = k.notifiers().insert(p.mm(), a, 2 * PAGE, sub);
        HmmRange range = new HmmRange(mni, a, a + 2 * PAGE, HmmRange.REQ_FAULT | HmmRange.REQ_WRITE);
        range.setNotifierSeq(k.notifiers().readBegin(mni));
        p.mm().mmapReadLock();
        assertThat(k.exports().hmmRangeFault(range)).isZero();
        p.mm().mmapReadUnlock();
        int pfn0 = (int) (range.pfn(0) & HmmRange.PFN_MASK);
        assertThat(range.pfn(0) & (HmmRange.VALID | HmmRange.WRITE)).isEqualTo(HmmRange.VALID | HmmRange.WRITE);
        assertThat(range.pfn(1) & HmmRange.VALID).as("faulted in").isNotZero();
        assertThat(k.frames().refcount(pfn0)).as("no reference taken").isOne();
        assertThat(k.notifiers().readRetry(mni, range.notifierSeq())).isFalse();
    }

    @Test
    void hmmRangeFaultFailsOnHolesAndRetriesAfterAnInvalidation() {
        long a = mmapAnon(k, p, 1, RW);
        MmuIntervalNotifier mni = k.notifiers().insert(p.mm(), a, 2 * PAGE, sub);
        HmmRange range = new HmmRange(mni, a, a + 2 * PAGE, HmmRange.REQ_FAULT);
        range.setNotifierSeq(k.notifiers().readBegin(mni));
        p.mm().mmapReadLock();
        assertThat(k.exports().hmmRangeFault(range)).isEqualTo(-Errno.EFAULT);
        p.mm().mmapReadUnlock();

        HmmRange one = new HmmRange(mni, a, a + PAGE, HmmRange.REQ_FAULT);
        one.setNotifierSeq(k.notifiers().readBegin(mni));
        write(k, p, a, 1);
        assertThat(k.syscalls().madvise(p, a, PAGE, Mman.MADV_DONTNEED).run()).isZero();
        p.mm().mmapReadLock();
        assertThat(k.exports().hmmRangeFault(one)).as("the sequence moved").isEqualTo(-Errno.EBUSY);
        p.mm().mmapReadUnlock();
    }

    /**
     * {@code hmm_vma_walk_hole}: a snapshot (no fault asked for) reports an address with no VMA as HMM_PFN_ERROR, and
     * an empty pte inside a VMA as 0, "not present, could be faulted".
     */
    @Test
    void hmmRangeFaultSnapshotsAHoleAsErrorAndAnEmptyPteAsZero() {
        long a = mmapAnon(k, p, 2, RW);
        assertThat(k.syscalls().munmap(p, a + PAGE, PAGE).run()).isZero();
        MmuIntervalNotifier mni = k.notifiers().insert(p.mm(), a, 2 * PAGE, sub);
        HmmRange range = new HmmRange(mni, a, a + 2 * PAGE, 0);
        range.setNotifierSeq(k.notifiers().readBegin(mni));

        p.mm().mmapReadLock();
        assertThat(k.exports().hmmRangeFault(range)).isZero();
        p.mm().mmapReadUnlock();

        assertThat(range.pfn(0)).as("empty pte in a VMA").isZero();
        assertThat(range.pfn(1)).as("no VMA").isEqualTo(HmmRange.ERROR);
    }

    /**
     * {@code mmu_interval_notifier_insert} registers ({@code mmap_write_lock}, {@code mm_take_all_locks}) unless the
     * mm's subscriptions already have their interval tree: a hlist notifier registered before does not let the first
     * insert past a MADV_DONTNEED that holds {@code mmap_lock} for read between its ptes.
     */
    @Test
    void theFirstIntervalInsertWaitsForTheMmapLockEvenAfterAHlistRegistration() {
        long a = mmapAnon(k, p, 2, RW);
        write(k, p, a, 1);
        write(k, p, a + PAGE, 2);
        k.notifiers().register(sub, p.mm());
        KernelCall<Void> dontneed = k.syscalls().madvise(p, a, 2 * PAGE, Mman.MADV_DONTNEED);
        dontneed.step(); // mmap_lock held for read, the first pte zapped

        assertThat(k.exports().mmuIntervalNotifierInsertAcquire(p.mm())).as("waits for the DONTNEED").isNotNull();
        dontneed.run();
        assertThat(k.exports().mmuIntervalNotifierInsertAcquire(p.mm())).isNull();
        k.notifiers().insert(p.mm(), a, PAGE, new RecordingNotifier());
        KernelCall<Void> again = k.syscalls().madvise(p, a, 2 * PAGE, Mman.MADV_DONTNEED);
        again.step();
        assertThat(k.exports().mmuIntervalNotifierInsertAcquire(p.mm())).as("the tree is on: no registration")
                .isNull();
        again.run();
    }

    /** MADV_DONTNEED invalidates every VMA of its range ({@code zap_page_range_single}), even one that maps nothing. */
    @Test
    void dontneedInvalidatesAnEmptyVmaAfterTheLastPte() {
        long a = mmapAnon(k, p, 2, RW);
        assertThat(k.syscalls().mprotect(p, a + PAGE, PAGE, Mman.PROT_READ).run()).isZero(); // two VMAs
        write(k, p, a, 1);
        RecordingNotifier second = new RecordingNotifier();
        MmuIntervalNotifier mni = k.notifiers().insert(p.mm(), a + PAGE, PAGE, second);
        long seq = k.notifiers().readBegin(mni);

        assertThat(k.syscalls().madvise(p, a, 2 * PAGE, Mman.MADV_DONTNEED).run()).isZero();

        assertThat(second.take()).containsExactly("invalidate " + range("CLEAR", a + PAGE, a + 2 * PAGE) + " seq 3");
        assertThat(k.notifiers().readRetry(mni, seq)).isTrue();
    }

    @Test
    void theIntervalTreeFindsExactlyTheOverlappingIntervals() {
        IntervalTree t = new IntervalTree();
        for (int i = 1; i <= 1000; i++) {
            t.insert(i * 10L, i * 10L + 14, i);
        }
        java.util.List<Integer> hit = new java.util.ArrayList<>();
        t.overlapping(100, 120, hit::add);
        assertThat(hit).containsExactly(9, 10, 11, 12);
        hit.clear();
        t.overlapping(10_015, 10_100, hit::add);
        assertThat(hit).as("past every interval").isEmpty();
        IntervalTree copy = new IntervalTree(t);
        t.remove(110, 11);
        hit.clear();
        t.overlapping(100, 120, hit::add);
        assertThat(hit).containsExactly(9, 10, 12);
        hit.clear();
        copy.overlapping(100, 120, hit::add);
        assertThat(hit).as("the copy shares nodes but not changes").containsExactly(9, 10, 11, 12);
    }
}
