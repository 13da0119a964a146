package org.mmsim.kernel.iouring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.testing.KernelAssertions.pfnAt;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.bootWithMovable;
import static org.mmsim.kernel.testing.TestKernels.creat;
import static org.mmsim.kernel.testing.TestKernels.exit;
import static org.mmsim.kernel.testing.TestKernels.file;
import static org.mmsim.kernel.testing.TestKernels.fork;
import static org.mmsim.kernel.testing.TestKernels.inode;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.memfdCreate;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.mmapFile;
import static org.mmsim.kernel.testing.TestKernels.openReadOnly;
import static org.mmsim.kernel.testing.TestKernels.pread;
import static org.mmsim.kernel.testing.TestKernels.violatedInvariants;
import static org.mmsim.kernel.testing.TestKernels.write;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.check.Invariants;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.page.Zone;
import org.mmsim.kernel.mm.rmap.Rmap;
import org.mmsim.kernel.syscall.FileSyscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.InvariantsNotChecked;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Mman;

/**
 * io_uring fixed buffers (reference 2.8, 9; kernel-oracle 5.2 and gup_longterm.c "io_uring fixed buffer with
 * MAP_SHARED / MAP_PRIVATE file mapping"): registration is a {@code pin_user_pages_fast(FOLL_WRITE |
 * FOLL_LONGTERM)} charged to RLIMIT_MEMLOCK; WRITE_FIXED reads the pinned pages; unregistering, or the release of the
 * ring's file when its last fd closes, gives everything back; and the cow.c "fork() with an iouring fixed buffer"
 * case. Before 6.5 io_uring refused file-backed VMAs itself with -EOPNOTSUPP: every one until 5.14, then all but
 * shmem.
 */
class IoUringTest {
    private static final int BIAS = Rmap.GUP_PIN_COUNTING_BIAS;
    private static final long D0 = 0xD0;
    private static final long D1 = 0xD1;

    private Kernel k;
    private FileSyscalls fs;
    private Task t;

    /** Boot {@code profile}, spawn the task {@code t} and set a ring up for it: the ring's fd. */
    private int ring(String profile) {
        k = boot(profile);
        fs = k.fileSyscalls();
        t = k.spawn("p");
        return setup(t);
    }

    private int setup(Task task) {
        int ring = (int) fs.ioUringSetup(task).run();
        assertThat(ring).as("io_uring_setup by %s", task).isPositive();
        return ring;
    }

    /** The ring behind {@code fd} of {@code task}. */
    private static IoRing ringOf(Task task, int fd) {
        return (IoRing) file(task, fd).privateData();
    }

    private long register(int ring, long addr, long len) {
        return fs.ioUringRegisterBuffers(t, ring, addr, len).run();
    }

    /** Anonymous pages with D0 + i in word 0 of page i. */
    private long filledBuffer(int pages) {
        long a = mmapAnon(k, t, pages, RW);
        for (int i = 0; i < pages; i++) {
            write(k, t, a + i * PAGE, D0 + i);
        }
        return a;
    }

    @Test
    void before57ThereIsNoIoUring() {
        Kernel old = boot("4.9");

        assertThat(old.fileSyscalls().ioUringSetup(old.spawn("p")).run()).isEqualTo(-Errno.ENOSYS);

        assertThat(old.vfs().files()).isEmpty();
    }

    @Test
    void registeringPinsLongTermAndChargesLockedMemory() {
        int ring = ring("6.18");
        IoRing r = ringOf(t, ring);
        long a = filledBuffer(2);
        int p0 = pfnAt(t, a);
        int p1 = pfnAt(t, a + PAGE);

        assertThat(register(ring, a, 2 * PAGE)).isZero();

        GupPages g = r.buffer();
        assertThat(g).isNotNull();
        assertThat(k.gupHolders().held()).containsExactly(g);
        assertThat(g.pinned()).isTrue();
        assertThat(g.longterm()).isTrue();
        assertThat(g.nr()).isEqualTo(2);
        assertThat(g.pfn(0)).isEqualTo(p0);
        assertThat(g.pfn(1)).isEqualTo(p1);
        assertThatPage(k, p0).hasRefcount(1 + BIAS).hasMapcount(1);
        assertThatPage(k, p1).hasRefcount(1 + BIAS).hasMapcount(1);
        assertThat(k.mm().userLockedVm()).isEqualTo(2);
        assertThat(t.mm().pinnedVm()).isEqualTo(2);
        assertThat(r.accounted()).isEqualTo(2);
        assertThat(t.mm().test(Mm.MMF_HAS_PINNED)).isTrue();
        assertThat(register(ring, a, PAGE)).as("one buffer per ring here").isEqualTo(-Errno.EBUSY);
    }

    @Test
    void registeringAnUntouchedBufferFaultsItInWritable() {
        int ring = ring("6.18");
        long a = mmapAnon(k, t, 1, RW);

        assertThat(register(ring, a, PAGE)).isZero();

        GupPages g = ringOf(t, ring).buffer();
        assertThatPte(t, a).isWritable().mapsPfn(g.pfn(0));
        assertThatPage(k, g.pfn(0)).isAnonExclusive().hasRefcount(1 + BIAS);
    }

    @Test
    void overRlimitMemlockIsEnomemAndLeavesNoPin() {
        int ring = ring("6.18");
        long a = filledBuffer(2);
        assertThat(k.syscalls().setrlimitMemlock(t, PAGE).run()).isZero();

        assertThat(register(ring, a, 2 * PAGE)).isEqualTo(-Errno.ENOMEM);

        assertThat(ringOf(t, ring).buffer()).isNull();
        assertThat(k.gupHolders().held()).isEmpty();
        assertThatPage(k, pfnAt(t, a)).hasRefcount(1);
        assertThatPage(k, pfnAt(t, a + PAGE)).hasRefcount(1);
        assertThat(k.mm().userLockedVm()).isZero();
        assertThat(t.mm().pinnedVm()).isZero();
        assertThat(k.gupHolders().nrFollPinAcquired()).isEqualTo(k.gupHolders().nrFollPinReleased());

        assertThat(k.syscalls().setrlimitMemlock(t, 2 * PAGE).run()).isZero();
        assertThat(register(ring, a, 2 * PAGE)).as("exactly at the limit").isZero();
        assertThat(k.syscalls().setrlimitMemlock(t, -1).run()).isEqualTo(-Errno.EINVAL);
    }

    @Test
    void aRangeRunningOffItsVmaIsEfaultAndLeavesNoPin() {
        int ring = ring("6.18");
        long a = filledBuffer(1);

        assertThat(register(ring, a, 2 * PAGE)).isEqualTo(-Errno.EFAULT);

        assertThat(k.gupHolders().held()).isEmpty();
        assertThatPage(k, pfnAt(t, a)).hasRefcount(1);
        assertThat(k.mm().userLockedVm()).isZero();
    }

    /**
     * io_uring/rsrc.c {@code io_buffer_validate()}: a zero length at a non-NULL address, or one above SZ_1G, is
     * -EFAULT (not -EINVAL), checked after -EBUSY; a NULL address with length 0 is an empty slot: 0, nothing pinned
     * or charged, and the table is registered (a second registration is -EBUSY).
     */
    @Test
    void ioBufferValidateZeroLengthIsEfaultAndANullEmptySlotIsRegistered() {
        int ring = ring("6.18");
        long a = filledBuffer(1);

        assertThat(register(ring, a, 0)).as("zero length").isEqualTo(-Errno.EFAULT);
        assertThat(register(ring, a, (1L << 30) + PAGE)).as("above SZ_1G").isEqualTo(-Errno.EFAULT);
        assertThat(register(ring, 0, PAGE)).as("NULL with a length").isEqualTo(-Errno.EFAULT);

        assertThat(register(ring, 0, 0)).as("sparse slot").isZero();
        assertThat(k.gupHolders().held()).isEmpty();
        assertThat(k.mm().userLockedVm()).isZero();
        assertThat(register(ring, a, PAGE)).isEqualTo(-Errno.EBUSY);
        assertThat(fs.ioUringWriteFixed(t, ring, ring, 0, a, 8).run()).as("nothing in the slot")
                .isEqualTo(-Errno.EFAULT);
    }

    @Test
    /**
     * {@code io_uring_register_get_file()} and {@code io_uring_enter()}: -EBADF for a fd that is not open,
     * -EOPNOTSUPP for an open file that is not an io_uring ({@code io_is_uring_fops}).
     */
    void aFdThatIsNotARingIsEopnotsuppAndAClosedOneEbadf() {
        int ring = ring("6.18");
        long a = filledBuffer(1);
        int notARing = creat(k, t, FsType.TMPFS, "t", PAGE);

        assertThat(register(notARing, a, PAGE)).isEqualTo(-Errno.EOPNOTSUPP);
        assertThat(fs.ioUringUnregisterBuffers(t, notARing).run()).isEqualTo(-Errno.EOPNOTSUPP);
        assertThat(fs.ioUringWriteFixed(t, notARing, notARing, 0, a, PAGE).run()).isEqualTo(-Errno.EOPNOTSUPP);
        assertThat(register(ring + 10, a, PAGE)).as("no such fd").isEqualTo(-Errno.EBADF);
        assertThat(fs.ioUringWriteFixed(t, ring, ring + 10, 0, a, PAGE).run()).as("no such file")
                .isEqualTo(-Errno.EBADF);
    }

    @Test
    void lockedMemoryIsChargedToTheUserAcrossProcesses() {
        int r1 = ring("6.18");
        Task other = k.spawn("other");
        int r2 = setup(other);
        long a = filledBuffer(2);
        long b = mmapAnon(k, other, 2, RW);
        assertThat(k.syscalls().setrlimitMemlock(t, 3 * PAGE).run()).isZero();
        assertThat(k.syscalls().setrlimitMemlock(other, 3 * PAGE).run()).isZero();

        assertThat(register(r1, a, 2 * PAGE)).isZero();
        assertThat(fs.ioUringRegisterBuffers(other, r2, b, 2 * PAGE).run()).as("user->locked_vm 2 + 2 > 3")
                .isEqualTo(-Errno.ENOMEM);
        assertThat(fs.ioUringRegisterBuffers(other, r2, b, PAGE).run()).isZero();

        assertThat(k.mm().userLockedVm()).isEqualTo(3);
        assertThat(t.mm().pinnedVm()).isEqualTo(2);
        assertThat(other.mm().pinnedVm()).isEqualTo(1);
    }

    @Test
    void forkCopiesTheRlimit() {
        int ring = ring("6.18");
        assertThat(k.syscalls().setrlimitMemlock(t, PAGE).run()).isZero();
        Task child = fork(k, t, "child");
        int childRing = setup(child);
        long a = mmapAnon(k, child, 2, RW);

        assertThat(child.mm().rlimitMemlock()).isEqualTo(PAGE);
        assertThat(fs.ioUringRegisterBuffers(child, childRing, a, 2 * PAGE).run()).isEqualTo(-Errno.ENOMEM);
        assertThat(ringOf(t, ring).buffer()).isNull();
    }

    /** Up to 5.9 io_account_mem comes before pin_user_pages; from 5.10 the pages are pinned, then charged. */
    @ParameterizedTest(name = "{0}: faulted in {1}")
    @CsvSource({"5.7, false", "5.9, false", "5.11, true", "6.18, true"})
    void overTheLimitUntouchedPagesAreFaultedInOnlyWhenTheChargeComesAfterThePin(String profile, boolean faulted) {
        int ring = ring(profile);
        long a = mmapAnon(k, t, 2, RW);
        assertThat(k.syscalls().setrlimitMemlock(t, PAGE).run()).isZero();

        assertThat(register(ring, a, 2 * PAGE)).isEqualTo(-Errno.ENOMEM);

        assertThat(t.mm().pte(a) != 0).isEqualTo(faulted);
        assertThat(k.mm().userLockedVm()).isZero();
        assertThat(k.gupHolders().held()).isEmpty();
    }

    @Test
    void before510AFileBackedBufferIsUnchargedAfterItsPinFails() {
        int ring = ring("5.7");
        int fd = memfdCreate(k, t, "m", 2 * PAGE);
        long a = mmapFile(k, t, fd, 2, RW, Mman.MAP_SHARED);

        assertThat(register(ring, a, 2 * PAGE)).isEqualTo(-Errno.EOPNOTSUPP);
        assertThat(k.mm().userLockedVm()).isZero();
        assertThat(k.gupHolders().held()).isEmpty();
    }

    @Test
    void theLimitIsTheCallersNotTheRingCreators() {
        int ring = ring("6.18");
        Task child = fork(k, t, "child");
        assertThat(k.syscalls().setrlimitMemlock(child, PAGE).run()).isZero();
        long a = mmapAnon(k, child, 2, RW);

        assertThat(fs.ioUringRegisterBuffers(child, ring, a, 2 * PAGE).run())
                .as("__io_account_mem: rlimit(RLIMIT_MEMLOCK) of current").isEqualTo(-Errno.ENOMEM);
        assertThat(k.mm().userLockedVm()).isZero();
        assertThat(k.syscalls().setrlimitMemlock(child, 2 * PAGE).run()).isZero();
        assertThat(k.syscalls().setrlimitMemlock(t, PAGE).run()).isZero();
        assertThat(fs.ioUringRegisterBuffers(child, ring, a, 2 * PAGE).run()).as("the creator's limit is lower")
                .isZero();
    }

    // ---- file-backed buffers ------------------------------------------------------------------------------

    enum Backing { EXT4, MEMFD }

    static Stream<Arguments> fileBackedRegistrations() {
        return Stream.of(
                Arguments.of("6.18", Backing.EXT4, Mman.MAP_SHARED, -Errno.EFAULT),
                Arguments.of("6.18", Backing.EXT4, Mman.MAP_PRIVATE, 0),
                Arguments.of("6.18", Backing.MEMFD, Mman.MAP_SHARED, 0),
                Arguments.of("6.18", Backing.MEMFD, Mman.MAP_PRIVATE, 0),
                Arguments.of("5.19", Backing.EXT4, Mman.MAP_SHARED, -Errno.EOPNOTSUPP),
                Arguments.of("5.19", Backing.EXT4, Mman.MAP_PRIVATE, -Errno.EOPNOTSUPP),
                Arguments.of("5.19", Backing.MEMFD, Mman.MAP_SHARED, 0),
                Arguments.of("5.19", Backing.MEMFD, Mman.MAP_PRIVATE, 0),
                Arguments.of("5.7", Backing.EXT4, Mman.MAP_SHARED, -Errno.EOPNOTSUPP),
                Arguments.of("5.7", Backing.MEMFD, Mman.MAP_SHARED, -Errno.EOPNOTSUPP),
                Arguments.of("5.7", Backing.MEMFD, Mman.MAP_PRIVATE, -Errno.EOPNOTSUPP));
    }

    @ParameterizedTest(name = "{0} {1} flags={2} -> {3}")
    @MethodSource("fileBackedRegistrations")
    void fileBackedBuffers(String profile, Backing backing, int flags, long expected) {
        int ring = ring(profile);
        IoRing r = ringOf(t, ring);
        int f = backing == Backing.EXT4 ? creat(k, t, FsType.EXT4, "f", PAGE) : memfdCreate(k, t, "buf", PAGE);
        long a = mmapFile(k, t, f, 1, RW, flags);
        write(k, t, a, D0);

        assertThat(register(ring, a, PAGE)).isEqualTo(expected);

        if (expected == 0) {
            assertThat(k.gupHolders().held()).containsExactly(r.buffer());
            assertThat(k.mm().userLockedVm()).isEqualTo(1);
            assertThat(r.buffer().pfn(0)).isEqualTo(pfnAt(t, a));
            boolean privateCopy = flags == Mman.MAP_PRIVATE;
            assertThat(r.buffer().pfn(0) == inode(t, f).mapping().pageAt(0)).isEqualTo(!privateCopy);
        } else {
            assertThat(r.buffer()).isNull();
            assertThat(k.gupHolders().held()).isEmpty();
            assertThat(k.mm().userLockedVm()).isZero();
            assertThat(t.mm().pinnedVm()).isZero();
            assertThatPage(k, pfnAt(t, a)).as("the pte's, plus the cache's and ext4's buffers' for a shared mapping")
                    .hasRefcount(flags == Mman.MAP_SHARED ? (backing == Backing.EXT4 ? 3 : 2) : 1);
        }
    }

    // ---- WRITE_FIXED --------------------------------------------------------------------------------------

    @Test
    void writeFixedCopiesThePinnedPagesIntoTheFile() {
        int ring = ring("6.18");
        long a = filledBuffer(2);
        write(k, t, a + 8, D1);
        int out = creat(k, t, FsType.EXT4, "out", 0);
        assertThat(register(ring, a, 2 * PAGE)).isZero();

        assertThat(fs.ioUringWriteFixed(t, ring, out, 0, a, 2 * PAGE).run()).isEqualTo(2 * PAGE);

        assertThat(pread(k, t, out, 0)).isEqualTo(D0);
        assertThat(pread(k, t, out, 8)).isEqualTo(D1);
        assertThat(pread(k, t, out, PAGE)).isEqualTo(D0 + 1);
        assertThat(inode(t, out).size()).isEqualTo(PAGE + 16);
        assertThat(fs.ioUringWriteFixed(t, ring, out, 4 * PAGE, a + PAGE, PAGE).run()).isEqualTo(PAGE);
        assertThat(pread(k, t, out, 4 * PAGE)).isEqualTo(D0 + 1);
    }

    @Test
    void writeFixedWritesExactlyTheRangeFromItsOffsetInThePage() {
        int ring = ring("6.18");
        long a = filledBuffer(1);
        write(k, t, a + 8, D1);
        int out = creat(k, t, FsType.EXT4, "out", 0);
        assertThat(register(ring, a, PAGE)).isZero();

        assertThat(fs.ioUringWriteFixed(t, ring, out, 0, a + 8, 8).run()).isEqualTo(8);

        assertThat(pread(k, t, out, 0)).as("io_import_fixed: the word at a + 8 goes to offset 0").isEqualTo(D1);
        assertThat(inode(t, out).size()).isEqualTo(8);
    }

    @Test
    void writeFixedChecksTheRangeAndTheFile() {
        int ring = ring("6.18");
        long a = filledBuffer(2);
        int out = creat(k, t, FsType.EXT4, "out", 0);
        assertThat(fs.ioUringWriteFixed(t, ring, out, 0, a, PAGE).run()).as("nothing registered")
                .isEqualTo(-Errno.EFAULT);
        assertThat(register(ring, a, PAGE)).isZero();

        assertThat(fs.ioUringWriteFixed(t, ring, out, 0, a, 2 * PAGE).run()).isEqualTo(-Errno.EFAULT);
        assertThat(fs.ioUringWriteFixed(t, ring, out, 0, a - PAGE, PAGE).run()).isEqualTo(-Errno.EFAULT);
        assertThat(fs.ioUringWriteFixed(t, ring, openReadOnly(k, t, out), 0, a, PAGE).run())
                .isEqualTo(-Errno.EBADF);
        assertThat(inode(t, out).size()).isZero();
    }

    // ---- unregister and exit ------------------------------------------------------------------------------

    @Test
    void unregisterUnpinsAndUncharges() {
        int ring = ring("6.18");
        IoRing r = ringOf(t, ring);
        long a = filledBuffer(2);
        assertThat(register(ring, a, 2 * PAGE)).isZero();
        int out = creat(k, t, FsType.EXT4, "out", 0);

        assertThat(fs.ioUringUnregisterBuffers(t, ring).run()).isZero();

        assertThat(r.buffer()).isNull();
        assertThat(k.gupHolders().held()).isEmpty();
        assertThatPage(k, pfnAt(t, a)).hasRefcount(1);
        assertThatPage(k, pfnAt(t, a + PAGE)).hasRefcount(1);
        assertThat(k.mm().userLockedVm()).isZero();
        assertThat(t.mm().pinnedVm()).isZero();
        assertThat(k.gupHolders().nrFollPinReleased()).isEqualTo(2);
        assertThat(fs.ioUringUnregisterBuffers(t, ring).run()).isEqualTo(-Errno.ENXIO);
        assertThat(fs.ioUringWriteFixed(t, ring, out, 0, a, PAGE).run()).isEqualTo(-Errno.EFAULT);
        assertThat(register(ring, a, PAGE)).as("may register again").isZero();
    }

    @Test
    void closingTheLastFdReleasesTheRingsPins() {
        int ring = ring("6.18");
        IoRing r = ringOf(t, ring);
        long a = filledBuffer(2);
        assertThat(register(ring, a, 2 * PAGE)).isZero();

        assertThat(fs.close(t, ring).run()).isZero();

        assertThat(r.closed()).isTrue();
        assertThat(k.gupHolders().held()).isEmpty();
        assertThat(k.mm().userLockedVm()).isZero();
        assertThat(t.mm().pinnedVm()).isZero();
        assertThat(fs.close(t, ring).run()).isEqualTo(-Errno.EBADF);
        assertThat(register(ring, a, PAGE)).isEqualTo(-Errno.EBADF);
    }

    /**
     * {@code do_exit} runs {@code exit_mm} before {@code exit_files}: the address space is torn down first, and the
     * pinned pages outlive their ptes until the ring's file is released with the last fd, which unpins them.
     */
    @Test
    void exitReleasesTheRingsPinsWithItsLastFd() {
        int ring = ring("6.18");
        IoRing r = ringOf(t, ring);
        File ringFile = file(t, ring);
        long a = filledBuffer(2);
        assertThat(register(ring, a, 2 * PAGE)).isZero();

        exit(k, t);

        assertThat(ringFile.released()).isTrue();
        assertThat(r.closed()).isTrue();
        assertThat(k.gupHolders().held()).isEmpty();
        assertThat(k.mm().userLockedVm()).isZero();
        assertThat(k.pageAlloc().nrAllocated()).isZero();
        assertThat(Invariants.checkAllFree(k)).isEmpty();
    }

    @Test
    void aThreadExitingDoesNotReleaseTheRing() {
        int ring = ring("6.18");
        IoRing r = ringOf(t, ring);
        Task thread = k.cloneThread(t, "thread");
        long a = filledBuffer(1);
        assertThat(register(ring, a, PAGE)).isZero();

        exit(k, thread);

        assertThat(r.closed()).isFalse();
        assertThat(k.gupHolders().held()).containsExactly(r.buffer());
    }

    @Test
    void aForkedChildsFdKeepsTheRingAliveAfterTheParentCloses() {
        int ring = ring("6.18");
        IoRing r = ringOf(t, ring);
        long a = filledBuffer(1);
        assertThat(register(ring, a, PAGE)).isZero();
        Task child = fork(k, t, "child");

        assertThat(fs.close(t, ring).run()).isZero();

        assertThat(r.closed()).isFalse();
        assertThat(k.gupHolders().held()).containsExactly(r.buffer());
        exit(k, child);
        assertThat(r.closed()).isTrue();
        assertThat(k.gupHolders().held()).isEmpty();
    }

    @Test
    void registrationMigratesOutOfZoneMovable() {
        k = bootWithMovable("6.18", 16);
        fs = k.fileSyscalls();
        t = k.spawn("p");
        int ring = setup(t);
        long a = filledBuffer(1);
        int old = pfnAt(t, a);
        assertThatPage(k, old).isInZone(Zone.MOVABLE);

        assertThat(register(ring, a, PAGE)).isZero();

        GupPages g = ringOf(t, ring).buffer();
        assertThatPage(k, g.pfn(0)).isInZone(Zone.NORMAL).holds(0, D0);
        assertThatPte(t, a).mapsPfn(g.pfn(0));
        assertThatPage(k, old).isFree();
    }

    // ---- fork (cow.c "fork() with an iouring fixed buffer") ------------------------------------------------

    @Test
    void under618TheParentsStoreAfterForkReachesTheFixedBuffer() {
        int ring = ring("6.18");
        long a = filledBuffer(1);
        assertThat(register(ring, a, PAGE)).isZero();
        int pinned = ringOf(t, ring).buffer().pfn(0);
        int out = creat(k, t, FsType.EXT4, "out", 0);

        Task child = fork(k, t, "child");
        write(k, t, a, D1);

        assertThatPte(t, a).as("early copy for the child; the parent keeps the pinned page").mapsPfn(pinned);
        assertThatPte(child, a).doesNotMapPfn(pinned);
        assertThat(load(k, child, a)).isEqualTo(D0);
        assertThat(fs.ioUringWriteFixed(t, ring, out, 0, a, PAGE).run()).isEqualTo(PAGE);
        assertThat(pread(k, t, out, 0)).isEqualTo(D1);
        assertThat(Invariants.checkStep(k)).isEmpty();
    }

    @Test
    @InvariantsNotChecked("5.7 shares the pinned page at fork and the parent's store copies away from the fixed "
            + "buffer: the pin-coherence violation is what this test shows")
    void under57TheParentsStoreAfterForkCopiesAwayFromTheFixedBuffer() {
        int ring = ring("5.7");
        long a = filledBuffer(1);
        assertThat(register(ring, a, PAGE)).isZero();
        int pinned = ringOf(t, ring).buffer().pfn(0);
        int out = creat(k, t, FsType.EXT4, "out", 0);

        Task child = fork(k, t, "child");
        write(k, t, a, D1);

        assertThatPte(t, a).as("mapcount 2: copy").doesNotMapPfn(pinned);
        assertThatPte(child, a).mapsPfn(pinned);
        assertThat(load(k, t, a)).isEqualTo(D1);
        assertThat(fs.ioUringWriteFixed(t, ring, out, 0, a, PAGE).run()).isEqualTo(PAGE);
        assertThat(pread(k, t, out, 0)).as("the write never reached the fixed buffer").isEqualTo(D0);
        assertThat(violatedInvariants(k)).containsExactly("pin-coherence");
    }
}
