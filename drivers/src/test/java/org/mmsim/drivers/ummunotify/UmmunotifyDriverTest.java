package org.mmsim.drivers.ummunotify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.PRIVATE_ANON;
import static org.mmsim.kernel.testing.TestKernels.RW;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.check.Invariants;
import org.mmsim.kernel.fs.Poll;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.sched.SleepsForever;
import org.mmsim.kernel.syscall.RecordReadCall;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.InvariantsNotChecked;
import org.mmsim.kernel.testing.TestKernels;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Fcntl;
import org.mmsim.kernel.uapi.Mman;

/**
 * The ummunotify device against the V2 patch (reference/ummunotify-and-rcache.md §1.2-1.9): open, the ioctls and their
 * errors, events with and without hints, coalescing, tree order, LAST and {@code need_empty}, short and non-blocking
 * reads, a read that sleeps until an invalidation, the mapped counter, fork, exit and close. Every kernel call here is
 * followed by the invariants (the counter page's reference among them).
 */
class UmmunotifyDriverTest {
    private static final int INVAL = UmmunotifyDriver.EVENT_INVAL;
    private static final int LAST = UmmunotifyDriver.EVENT_LAST;

    private final Kernel k = TestKernels.boot(TestKernels.profile("6.18"), TestKernels.FRAMES, 0,
            List.of(new UmmunotifyDriver()));
    private final Task p = k.spawn("p");

    private int open(Task t, int flags) {
        return (int) k.fileSyscalls().open(t, "/dev/" + UmmunotifyDriver.DEVICE, flags).run();
    }

    private long mmap(Task t, long len) {
        long a = k.syscalls().mmap(t, 0, len, RW, PRIVATE_ANON, -1, 0).run();
        assertThat(a).isPositive();
        return a;
    }

    private long register(Task t, int fd, long start, long end, long cookie) {
        return k.fileSyscalls().ioctl(t, fd, UmmunotifyDriver.UMMUNOTIFY_REGISTER_REGION, start, end, cookie, 0).run();
    }

    private long unregister(Task t, int fd, long cookie) {
        return k.fileSyscalls().ioctl(t, fd, UmmunotifyDriver.UMMUNOTIFY_UNREGISTER_REGION, cookie).run();
    }

    private long features(Task t, int fd) {
        return k.fileSyscalls().ioctl(t, fd, UmmunotifyDriver.UMMUNOTIFY_EXCHANGE_FEATURES, 0).run();
    }

    /** A non-blocking read of up to {@code n} events: the events as {type, flags, start, end, cookie}, or -errno. */
    private long[][] read(Task t, int fd, int n) {
        RecordReadCall c = k.fileSyscalls().readRecords(t, fd, 32L * n, true);
        long r = c.run();
        if (r < 0) {
            return new long[][] {{r}};
        }
        long[] b = c.buffer();
        long[][] out = new long[b.length / 4][];
        for (int i = 0; i < out.length; i++) {
            out[i] = new long[] {b[4 * i] & 0xffffffffL, b[4 * i] >>> 32, b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]};
        }
        return out;
    }

    private static long[] inval(boolean hint, long start, long end, long cookie) {
        return new long[] {INVAL, hint ? 1 : 0, start, end, cookie};
    }

    private static long[][] events(long[]... e) {
        return e;
    }

    private static long[] last(long counter) {
        return new long[] {LAST, 0, 0, 0, counter};
    }

    private long counter(int fd) {
        return k.exports().deviceRead(((UmmunotifyFile) p.files().get(fd).privateData()).counterPfn, 0);
    }

    @Test
    void theDeviceOpensReadOnlyAndBindsToTheOpenersMm() {
        assertThat(open(p, Fcntl.O_RDWR)).isEqualTo(-Errno.EINVAL);
        int fd = open(p, Fcntl.O_RDONLY);
        assertThat(fd).isNotNegative();
        UmmunotifyFile f = (UmmunotifyFile) p.files().get(fd).privateData();
        assertThat(f.mm).isSameAs(p.mm());
        assertThat(k.frames().refcount(f.counterPfn)).isEqualTo(1);
    }

    @Test
    void ioctlsCheckCookiesAndFeaturesOnlyWhileUnused() {
        int fd = open(p, Fcntl.O_RDONLY);
        assertThat(features(p, fd)).isZero();
        assertThat(features(p, fd)).as("a second exchange").isEqualTo(-Errno.EINVAL);
        assertThat(register(p, fd, 0x1000, 0x2000, 7)).isZero();
        assertThat(register(p, fd, 0x5000, 0x6000, 7)).as("the same cookie").isEqualTo(-Errno.EINVAL);
        assertThat(register(p, fd, 0x3000, 0x1000, 8)).as("an inverted range is not checked").isZero();
        assertThat(unregister(p, fd, 9)).isEqualTo(-Errno.EINVAL);
        assertThat(unregister(p, fd, 7)).isZero();
        assertThat(unregister(p, fd, 7)).isEqualTo(-Errno.EINVAL);
        assertThat(k.fileSyscalls().ioctl(p, fd, 0x5504, 0).run()).isEqualTo(-Errno.ENOTTY);

        int fresh = open(p, Fcntl.O_RDONLY);
        assertThat(register(p, fresh, 0x1000, 0x2000, 1)).isZero();
        assertThat(features(p, fresh)).as("a register uses the file").isEqualTo(-Errno.EINVAL);
        int other = open(p, Fcntl.O_RDONLY);
        assertThat(read(p, other, 1)[0][0]).isEqualTo(-Errno.EAGAIN);
        assertThat(features(p, other)).as("so does a read, even one that found nothing").isEqualTo(-Errno.EINVAL);
    }

    @Test
    void anInvalidationIsOneReportWithItsRangeClippedThenLastWithTheCounter() {
        long a = mmap(p, 8 * PAGE);
        int fd = open(p, Fcntl.O_RDONLY);
        register(p, fd, a + PAGE, a + 3 * PAGE, 7);
        register(p, fd, a + 5 * PAGE, a + 6 * PAGE, 8);
        assertThat(k.syscalls().munmap(p, a, 2 * PAGE).run()).isZero();
        assertThat(counter(fd)).isEqualTo(1);
        assertThat(k.fileSyscalls().poll(p, fd).run()).isEqualTo(Poll.POLLIN | Poll.POLLRDNORM);
        assertThat(read(p, fd, 4)).isDeepEqualTo(events(inval(true, a + PAGE, a + 2 * PAGE, 7), last(1)));
        assertThat(read(p, fd, 4)[0][0]).isEqualTo(-Errno.EAGAIN);
        assertThat(k.fileSyscalls().poll(p, fd).run()).isZero();
        // the registration stays: the next invalidation queues it again
        k.syscalls().munmap(p, a + 2 * PAGE, PAGE).run();
        assertThat(read(p, fd, 4)).isDeepEqualTo(events(inval(true, a + 2 * PAGE, a + 3 * PAGE, 7), last(2)));
    }

    @Test
    void aSecondInvalidationBeforeTheReadDropsTheHintAndCountsAgain() {
        long a = mmap(p, 8 * PAGE);
        int fd = open(p, Fcntl.O_RDONLY);
        register(p, fd, a, a + 4 * PAGE, 7);
        k.syscalls().munmap(p, a, PAGE).run();
        k.syscalls().munmap(p, a + 2 * PAGE, PAGE).run();
        assertThat(read(p, fd, 4)).isDeepEqualTo(events(inval(false, a, a + 4 * PAGE, 7), last(2)));
    }

    @Test
    void oneCallbackQueuesEveryRegistrationItHitsInTreeOrderAndCountsOnce() {
        long a = mmap(p, 8 * PAGE);
        int fd = open(p, Fcntl.O_RDONLY);
        register(p, fd, a + 2 * PAGE, a + 3 * PAGE, 1);
        register(p, fd, a, a + 2 * PAGE, 2);
        register(p, fd, a, a + PAGE, 3); // same start as 2: it goes left of it, so before it
        register(p, fd, a + 6 * PAGE, a + 7 * PAGE, 4);
        k.syscalls().munmap(p, a, 4 * PAGE).run();
        assertThat(read(p, fd, 8)).isDeepEqualTo(events(inval(true, a, a + PAGE, 3), inval(true, a, a + 2 * PAGE, 2),
                inval(true, a + 2 * PAGE, a + 3 * PAGE, 1), last(1)));
    }

    @Test
    void lastComesOnTheNextReadWhenTheBufferHeldExactlyTheReports() {
        long a = mmap(p, 4 * PAGE);
        int fd = open(p, Fcntl.O_RDONLY);
        register(p, fd, a, a + PAGE, 1);
        register(p, fd, a + PAGE, a + 2 * PAGE, 2);
        k.syscalls().munmap(p, a, 2 * PAGE).run();
        assertThat(read(p, fd, 2)).isDeepEqualTo(events(inval(true, a, a + PAGE, 1), inval(true, a + PAGE, a + 2 * PAGE, 2)));
        assertThat(read(p, fd, 2)).as("need_empty keeps the file readable").isDeepEqualTo(events(last(1)));
    }

    @Test
    void aReadShorterThanAnEventReturnsZeroAndTakesNothing() {
        long a = mmap(p, PAGE);
        int fd = open(p, Fcntl.O_RDONLY);
        assertThat(read(p, fd, 0)[0][0]).as("nothing queued: EAGAIN before the size is looked at")
                .isEqualTo(-Errno.EAGAIN);
        register(p, fd, a, a + PAGE, 1);
        k.syscalls().munmap(p, a, PAGE).run();
        RecordReadCall shortRead = k.fileSyscalls().readRecords(p, fd, 31, true);
        assertThat(shortRead.run()).isZero();
        assertThat(read(p, fd, 1)).isDeepEqualTo(events(inval(true, a, a + PAGE, 1)));
    }

    @Test
    void unregisteringDropsAQueuedReportButNotTheCounter() {
        long a = mmap(p, 2 * PAGE);
        int fd = open(p, Fcntl.O_RDONLY);
        register(p, fd, a, a + PAGE, 1);
        k.syscalls().munmap(p, a, PAGE).run();
        assertThat(unregister(p, fd, 1)).isZero();
        assertThat(counter(fd)).isEqualTo(1);
        assertThat(read(p, fd, 4)[0][0]).as("no report and no LAST owed").isEqualTo(-Errno.EAGAIN);
    }

    @Test
    void aBlockingReadSleepsUntilAnInvalidationWakesIt() {
        long a = mmap(p, 2 * PAGE);
        int fd = open(p, Fcntl.O_RDONLY);
        register(p, fd, a, a + PAGE, 5);
        RecordReadCall reader = k.fileSyscalls().readRecords(p, fd, 64, false);
        reader.step();
        assertThat(reader.done()).isFalse();
        assertThat(reader.blockedOn()).isNotNull();
        assertThat(reader.blockedOn().toString()).contains("ummunotify read_wait");
        // a copy of the machine with the reader asleep sleeps too
        Kernel copy = k.copy();
        assertThat(copy.fingerprint()).isEqualTo(k.fingerprint());
        k.syscalls().munmap(p, a, PAGE).run();
        assertThat(reader.blockedOn()).isNull();
        reader.step();
        assertThat(reader.done()).isTrue();
        assertThat(reader.ret()).isEqualTo(64);
        assertThat(reader.buffer()).containsExactly(0L | 1L << 32, a, a + PAGE, 5, LAST, 0, 0, 1);
    }

    @Test
    void aCloseByAnotherThreadWhileAReadSleepsLeavesTheFileToTheReader() {
        long a = mmap(p, PAGE);
        int fd = open(p, Fcntl.O_RDONLY);
        register(p, fd, a, a + PAGE, 4);
        UmmunotifyFile f = (UmmunotifyFile) p.files().get(fd).privateData();
        Task other = k.cloneThread(p, "other");
        RecordReadCall reader = k.fileSyscalls().readRecords(p, fd, 32, false);
        reader.step();
        assertThat(reader.blockedOn()).isNotNull();
        assertThat(k.fileSyscalls().close(other, fd).run()).isZero();
        assertThat(f.released).as("the sleeping read holds the file").isFalse();
        k.syscalls().munmap(p, a, PAGE).run();
        reader.step();
        assertThat(reader.ret()).isEqualTo(32);
        assertThat(reader.buffer()[3]).isEqualTo(4);
        assertThat(f.released).as("released when the read drops its reference").isTrue();
    }

    @Test
    void runningABlockingReadWithNothingToWakeItIsRefused() {
        int fd = open(p, Fcntl.O_RDONLY);
        KernelCall<Void> reader = k.fileSyscalls().readRecords(p, fd, 32, false);
        assertThatThrownBy(reader::run).isInstanceOf(SleepsForever.class)
                .hasMessage("ummunotify_read would sleep forever in wait_event(ummunotify read_wait of mm 1): nothing "
                        + "else runs to wake it");
    }

    @Test
    void theCounterMapsAsOnePageAndCountsCallbacks() {
        long a = mmap(p, 2 * PAGE);
        int fd = open(p, Fcntl.O_RDONLY);
        assertThat(k.syscalls().mmap(p, 0, 2 * PAGE, Mman.PROT_READ, Mman.MAP_SHARED, fd, 0).run())
                .isEqualTo(-Errno.EINVAL);
        long c = k.syscalls().mmap(p, 0, PAGE, Mman.PROT_READ, Mman.MAP_SHARED, fd, 0).run();
        assertThat(c).isPositive();
        assertThat(k.syscalls().load(p, c).complete().value()).isZero();
        register(p, fd, a, a + 2 * PAGE, 1);
        k.syscalls().munmap(p, a, PAGE).run();
        k.syscalls().munmap(p, a + PAGE, PAGE).run();
        assertThat(k.syscalls().load(p, c).complete().value()).isEqualTo(2);
        // the mapping holds the file: closing the fd releases nothing yet
        int pfn = ((UmmunotifyFile) p.files().get(fd).privateData()).counterPfn;
        assertThat(k.fileSyscalls().close(p, fd).run()).isZero();
        assertThat(k.frames().refcount(pfn)).isEqualTo(2);
        k.syscalls().munmap(p, c, PAGE).run();
        assertThat(k.frames().refcount(pfn)).as("the mapping's reference and the driver's, both gone").isZero();
    }

    @Test
    void afterForkTheChildsCallsChangeTheParentsWatchAndForkItselfInvalidatesPrivateWritableMemory() {
        long a = mmap(p, 2 * PAGE);
        k.syscalls().store(p, a, 1).complete();
        int fd = open(p, Fcntl.O_RDONLY);
        register(p, fd, a, a + PAGE, 1);
        Task c = k.syscalls().fork(p, "c").complete();
        // the whole VMA, clipped to the registration at read
        assertThat(read(p, fd, 4)).as("copy_page_range invalidates the parent's COW range")
                .isDeepEqualTo(events(inval(true, a, a + PAGE, 1), last(1)));
        assertThat(register(c, fd, a + PAGE, a + 2 * PAGE, 2)).isZero();
        k.syscalls().munmap(c, a, 2 * PAGE).run();
        assertThat(read(c, fd, 4)[0][0]).as("the child's own munmap is another mm's").isEqualTo(-Errno.EAGAIN);
        k.syscalls().munmap(p, a + PAGE, PAGE).run();
        assertThat(read(c, fd, 4)).as("the child reads the parent's events")
                .isDeepEqualTo(events(inval(true, a + PAGE, a + 2 * PAGE, 2), last(2)));
    }

    @Test
    void exitOfTheWatchedMmReportsNothingAndTheLastCloseFreesTheCounterPage() {
        long a = mmap(p, PAGE);
        k.syscalls().store(p, a, 1).complete();
        int fd = open(p, Fcntl.O_RDONLY);
        register(p, fd, a, a + PAGE, 1);
        UmmunotifyFile f = (UmmunotifyFile) p.files().get(fd).privateData();
        Task c = k.syscalls().fork(p, "c").complete();
        assertThat(read(c, fd, 4)).isDeepEqualTo(events(inval(true, a, a + PAGE, 1), last(1)));
        k.syscalls().exit(p).run();
        assertThat(f.released).as("the child's fd keeps the file open").isFalse();
        assertThat(read(c, fd, 4)[0][0]).as("exit_mmap released the notifier before tearing the ptes down")
                .isEqualTo(-Errno.EAGAIN);
        assertThat(k.exports().deviceRead(f.counterPfn, 0)).isEqualTo(1);
        assertThat(k.fileSyscalls().close(c, fd).run()).isZero();
        assertThat(f.released).isTrue();
        assertThat(k.frames().refcount(f.counterPfn)).isZero();
    }

    /** The machine of the last {@link #threeReportsUnder}. */
    private Kernel last;

    /** Three registrations hit by one munmap, under a profile with the queue bounded at two reports. */
    private long[][] threeReportsUnder(String queue) {
        Kernel b = TestKernels.boot(TestKernels.profile("6.18").with(org.mmsim.kernel.profile.Switch.UMMUNOTIFY_QUEUE,
                queue), TestKernels.FRAMES, 0, List.of(new UmmunotifyDriver()));
        last = b;
        Task t = b.spawn("t");
        long a = b.syscalls().mmap(t, 0, 4 * PAGE, RW, PRIVATE_ANON, -1, 0).run();
        int fd = (int) b.fileSyscalls().open(t, "/dev/" + UmmunotifyDriver.DEVICE, Fcntl.O_RDONLY).run();
        for (int i = 0; i < 3; i++) {
            b.fileSyscalls().ioctl(t, fd, UmmunotifyDriver.UMMUNOTIFY_REGISTER_REGION, a + i * PAGE, a + (i + 1) * PAGE,
                    i + 1, 0).run();
        }
        b.syscalls().munmap(t, a, 4 * PAGE).run();
        RecordReadCall c = b.fileSyscalls().readRecords(t, fd, 32 * 8, true);
        c.run();
        long[] w = c.buffer();
        long[][] out = new long[w.length / 4][];
        for (int i = 0; i < out.length; i++) {
            out[i] = new long[] {w[4 * i] & 0xffffffffL, w[4 * i] >>> 32, w[4 * i + 1], w[4 * i + 2], w[4 * i + 3]};
        }
        // the addresses do not matter here: keep the types and cookies
        long[][] brief = new long[out.length][];
        for (int i = 0; i < out.length; i++) {
            brief[i] = new long[] {out[i][0], out[i][4]};
        }
        return brief;
    }

    @Test
    void aBoundedQueueWithAnOverflowEventTellsTheReaderFirst() {
        assertThat(threeReportsUnder("unbounded")).as("the patch: every report")
                .isDeepEqualTo(new long[][] {{INVAL, 1}, {INVAL, 2}, {INVAL, 3}, {LAST, 1}});
        assertThat(threeReportsUnder("bounded_overflow")).as("the reader is told, first")
                .isDeepEqualTo(new long[][] {{UmmunotifyDriver.EVENT_OVERFLOW, 1}, {INVAL, 1}, {INVAL, 2}, {LAST, 1}});
        assertThat(Invariants.checkStep(last)).isEmpty();
    }

    @Test
    @InvariantsNotChecked("ummunotify_queue=bounded_drop loses a report: the ummunotify-delivery invariant says so")
    void aBoundedQueueThatDropsSilentlyBreaksDelivery() {
        assertThat(threeReportsUnder("bounded_drop")).as("the third report is lost without a trace")
                .isDeepEqualTo(new long[][] {{INVAL, 1}, {INVAL, 2}, {LAST, 1}});
        assertThat(Invariants.checkStep(last)).extracting(v -> v.invariant() + ": " + v.message()).containsExactly(
                "ummunotify-delivery: ummunotify file 1 of mm 1 dropped the report of an invalidation that hit a "
                        + "registration, and its reader will never know");
    }
}
