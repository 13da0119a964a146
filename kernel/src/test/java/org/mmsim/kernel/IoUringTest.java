package org.mmsim.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.KernelAssertions.pfnAt;
import static org.mmsim.kernel.TestKernels.PAGE;
import static org.mmsim.kernel.TestKernels.RW;
import static org.mmsim.kernel.TestKernels.boot;
import static org.mmsim.kernel.TestKernels.bootWithMovable;
import static org.mmsim.kernel.TestKernels.mmapAnon;
import static org.mmsim.kernel.TestKernels.mmapFile;
import static org.mmsim.kernel.TestKernels.pread;
import static org.mmsim.kernel.TestKernels.write;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmsim.kernel.check.Invariants;

/**
 * io_uring fixed buffers (reference 2.8, 9; kernel-oracle 5.2 and gup_longterm.c "io_uring fixed buffer with
 * MAP_SHARED / MAP_PRIVATE file mapping"): registration is a {@code pin_user_pages_fast(FOLL_WRITE |
 * FOLL_LONGTERM)} charged to RLIMIT_MEMLOCK; WRITE_FIXED reads the pinned pages; unregistering or the process's
 * exit gives everything back; and the cow.c "fork() with an iouring fixed buffer" case. Before 6.5 io_uring
 * refused file-backed VMAs itself with -EOPNOTSUPP: every one until 5.14, then all but shmem.
 */
class IoUringTest {
    private static final int BIAS = Kernel.GUP_PIN_COUNTING_BIAS;
    private static final long D0 = 0xD0;
    private static final long D1 = 0xD1;

    private Kernel k;
    private Task t;

    private IoRing ring(String profile) {
        k = boot(profile);
        t = k.spawn("p");
        IoRing r = k.ioUringSetup(t);
        assertThat(r).isNotNull();
        return r;
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
        assertThat(old.ioUringSetup(old.spawn("p"))).isNull();
        assertThat(old.ioRings()).isEmpty();
    }

    @Test
    void registeringPinsLongTermAndChargesLockedMemory() {
        IoRing r = ring("6.18");
        long a = filledBuffer(2);
        int p0 = pfnAt(t, a);
        int p1 = pfnAt(t, a + PAGE);

        assertThat(k.ioUringRegisterBuffers(r, a, 2 * PAGE)).isZero();

        GupPages g = r.buffer();
        assertThat(g).isNotNull();
        assertThat(k.gupHolders()).containsExactly(g);
        assertThat(g.pinned()).isTrue();
        assertThat(g.longterm()).isTrue();
        assertThat(g.nr()).isEqualTo(2);
        assertThat(g.pfn(0)).isEqualTo(p0);
        assertThat(g.pfn(1)).isEqualTo(p1);
        assertThatPage(k, p0).hasRefcount(1 + BIAS).hasMapcount(1);
        assertThatPage(k, p1).hasRefcount(1 + BIAS).hasMapcount(1);
        assertThat(k.userLockedVm()).isEqualTo(2);
        assertThat(t.mm().pinnedVm()).isEqualTo(2);
        assertThat(r.accounted()).isEqualTo(2);
        assertThat(t.mm().test(Mm.MMF_HAS_PINNED)).isTrue();
        assertThat(k.ioUringRegisterBuffers(r, a, PAGE)).as("one buffer per ring here").isEqualTo(-Errno.EBUSY);
    }

    @Test
    void registeringAnUntouchedBufferFaultsItInWritable() {
        IoRing r = ring("6.18");
        long a = mmapAnon(k, t, 1, RW);

        assertThat(k.ioUringRegisterBuffers(r, a, PAGE)).isZero();

        assertThatPte(t, a).isWritable().mapsPfn(r.buffer().pfn(0));
        assertThatPage(k, r.buffer().pfn(0)).isAnonExclusive().hasRefcount(1 + BIAS);
    }

    @Test
    void overRlimitMemlockIsEnomemAndLeavesNoPin() {
        IoRing r = ring("6.18");
        long a = filledBuffer(2);
        assertThat(k.setrlimitMemlock(t, PAGE)).isZero();

        assertThat(k.ioUringRegisterBuffers(r, a, 2 * PAGE)).isEqualTo(-Errno.ENOMEM);

        assertThat(r.buffer()).isNull();
        assertThat(k.gupHolders()).isEmpty();
        assertThatPage(k, pfnAt(t, a)).hasRefcount(1);
        assertThatPage(k, pfnAt(t, a + PAGE)).hasRefcount(1);
        assertThat(k.userLockedVm()).isZero();
        assertThat(t.mm().pinnedVm()).isZero();
        assertThat(k.nrFollPinAcquired()).isEqualTo(k.nrFollPinReleased());

        assertThat(k.setrlimitMemlock(t, 2 * PAGE)).isZero();
        assertThat(k.ioUringRegisterBuffers(r, a, 2 * PAGE)).as("exactly at the limit").isZero();
        assertThat(k.setrlimitMemlock(t, -1)).isEqualTo(-Errno.EINVAL);
    }

    @Test
    void aRangeRunningOffItsVmaIsEfaultAndLeavesNoPin() {
        IoRing r = ring("6.18");
        long a = filledBuffer(1);

        assertThat(k.ioUringRegisterBuffers(r, a, 2 * PAGE)).isEqualTo(-Errno.EFAULT);

        assertThat(k.gupHolders()).isEmpty();
        assertThatPage(k, pfnAt(t, a)).hasRefcount(1);
        assertThat(k.userLockedVm()).isZero();
        assertThat(k.ioUringRegisterBuffers(r, a, 0)).isEqualTo(-Errno.EINVAL);
    }

    @Test
    void lockedMemoryIsChargedToTheUserAcrossProcesses() {
        IoRing r1 = ring("6.18");
        Task other = k.spawn("other");
        IoRing r2 = k.ioUringSetup(other);
        long a = filledBuffer(2);
        long b = mmapAnon(k, other, 2, RW);
        assertThat(k.setrlimitMemlock(t, 3 * PAGE)).isZero();
        assertThat(k.setrlimitMemlock(other, 3 * PAGE)).isZero();

        assertThat(k.ioUringRegisterBuffers(r1, a, 2 * PAGE)).isZero();
        assertThat(k.ioUringRegisterBuffers(r2, b, 2 * PAGE)).as("user->locked_vm 2 + 2 > 3").isEqualTo(-Errno.ENOMEM);
        assertThat(k.ioUringRegisterBuffers(r2, b, PAGE)).isZero();

        assertThat(k.userLockedVm()).isEqualTo(3);
        assertThat(t.mm().pinnedVm()).isEqualTo(2);
        assertThat(other.mm().pinnedVm()).isEqualTo(1);
    }

    @Test
    void forkCopiesTheRlimit() {
        IoRing r = ring("6.18");
        assertThat(k.setrlimitMemlock(t, PAGE)).isZero();
        Task child = k.fork(t, "child");
        IoRing rc = k.ioUringSetup(child);
        long a = mmapAnon(k, child, 2, RW);

        assertThat(child.mm().rlimitMemlock()).isEqualTo(PAGE);
        assertThat(k.ioUringRegisterBuffers(rc, a, 2 * PAGE)).isEqualTo(-Errno.ENOMEM);
        assertThat(r.buffer()).isNull();
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
        IoRing r = ring(profile);
        OpenFile f = backing == Backing.EXT4 ? k.creat(FsType.EXT4, "f", PAGE) : k.memfdCreate("buf", PAGE);
        long a = mmapFile(k, t, f, 1, RW, flags);
        write(k, t, a, D0);

        assertThat(k.ioUringRegisterBuffers(r, a, PAGE)).isEqualTo(expected);

        if (expected == 0) {
            assertThat(k.gupHolders()).containsExactly(r.buffer());
            assertThat(k.userLockedVm()).isEqualTo(1);
            assertThat(r.buffer().pfn(0)).isEqualTo(pfnAt(t, a));
            boolean privateCopy = flags == Mman.MAP_PRIVATE;
            assertThat(r.buffer().pfn(0) == f.inode().pageAt(0)).isEqualTo(!privateCopy);
        } else {
            assertThat(r.buffer()).isNull();
            assertThat(k.gupHolders()).isEmpty();
            assertThat(k.userLockedVm()).isZero();
            assertThat(t.mm().pinnedVm()).isZero();
            assertThatPage(k, pfnAt(t, a)).as("the pte's, plus the cache's for a shared mapping")
                    .hasRefcount(flags == Mman.MAP_SHARED ? 2 : 1);
        }
    }

    // ---- WRITE_FIXED --------------------------------------------------------------------------------------

    @Test
    void writeFixedCopiesThePinnedPagesIntoTheFile() {
        IoRing r = ring("6.18");
        long a = filledBuffer(2);
        write(k, t, a + 8, D1);
        OpenFile out = k.creat(FsType.EXT4, "out", 0);
        assertThat(k.ioUringRegisterBuffers(r, a, 2 * PAGE)).isZero();

        assertThat(k.ioUringWriteFixed(r, out, 0, a, 2 * PAGE)).isEqualTo(2 * PAGE);

        assertThat(pread(k, out, 0)).isEqualTo(D0);
        assertThat(pread(k, out, 8)).isEqualTo(D1);
        assertThat(pread(k, out, PAGE)).isEqualTo(D0 + 1);
        assertThat(out.inode().size()).isEqualTo(PAGE + 16);
        assertThat(k.ioUringWriteFixed(r, out, 4 * PAGE, a + PAGE, PAGE)).isEqualTo(PAGE);
        assertThat(pread(k, out, 4 * PAGE)).isEqualTo(D0 + 1);
    }

    @Test
    void writeFixedChecksTheRangeAndTheFile() {
        IoRing r = ring("6.18");
        long a = filledBuffer(2);
        OpenFile out = k.creat(FsType.EXT4, "out", 0);
        assertThat(k.ioUringWriteFixed(r, out, 0, a, PAGE)).as("nothing registered").isEqualTo(-Errno.EFAULT);
        assertThat(k.ioUringRegisterBuffers(r, a, PAGE)).isZero();

        assertThat(k.ioUringWriteFixed(r, out, 0, a, 2 * PAGE)).isEqualTo(-Errno.EFAULT);
        assertThat(k.ioUringWriteFixed(r, out, 0, a - PAGE, PAGE)).isEqualTo(-Errno.EFAULT);
        assertThat(k.ioUringWriteFixed(r, k.open(out, false), 0, a, PAGE)).isEqualTo(-Errno.EBADF);
        assertThat(out.inode().size()).isZero();
    }

    // ---- unregister and exit ------------------------------------------------------------------------------

    @Test
    void unregisterUnpinsAndUncharges() {
        IoRing r = ring("6.18");
        long a = filledBuffer(2);
        assertThat(k.ioUringRegisterBuffers(r, a, 2 * PAGE)).isZero();
        OpenFile out = k.creat(FsType.EXT4, "out", 0);

        assertThat(k.ioUringUnregisterBuffers(r)).isZero();

        assertThat(r.buffer()).isNull();
        assertThat(k.gupHolders()).isEmpty();
        assertThatPage(k, pfnAt(t, a)).hasRefcount(1);
        assertThatPage(k, pfnAt(t, a + PAGE)).hasRefcount(1);
        assertThat(k.userLockedVm()).isZero();
        assertThat(t.mm().pinnedVm()).isZero();
        assertThat(k.nrFollPinReleased()).isEqualTo(2);
        assertThat(k.ioUringUnregisterBuffers(r)).isEqualTo(-Errno.ENXIO);
        assertThat(k.ioUringWriteFixed(r, out, 0, a, PAGE)).isEqualTo(-Errno.EFAULT);
        assertThat(k.ioUringRegisterBuffers(r, a, PAGE)).as("may register again").isZero();
    }

    @Test
    void exitReleasesTheRingsPins() {
        IoRing r = ring("6.18");
        long a = filledBuffer(2);
        assertThat(k.ioUringRegisterBuffers(r, a, 2 * PAGE)).isZero();

        k.exit(t);

        assertThat(r.closed()).isTrue();
        assertThat(k.gupHolders()).isEmpty();
        assertThat(k.userLockedVm()).isZero();
        assertThat(k.pageAlloc().nrAllocated()).isZero();
        assertThat(Invariants.checkAllFree(k)).isEmpty();
        assertThat(k.ioUringRelease(r)).isEqualTo(-Errno.EBADF);
        assertThat(k.ioUringRegisterBuffers(r, a, PAGE)).isEqualTo(-Errno.EBADF);
    }

    @Test
    void aThreadExitingDoesNotReleaseTheRing() {
        IoRing r = ring("6.18");
        Task thread = k.cloneThread(t, "thread");
        long a = filledBuffer(1);
        assertThat(k.ioUringRegisterBuffers(r, a, PAGE)).isZero();

        k.exit(thread);

        assertThat(r.closed()).isFalse();
        assertThat(k.gupHolders()).containsExactly(r.buffer());
    }

    @Test
    void registrationMigratesOutOfZoneMovable() {
        k = bootWithMovable("6.18", 16);
        t = k.spawn("p");
        IoRing r = k.ioUringSetup(t);
        long a = filledBuffer(1);
        int old = pfnAt(t, a);
        assertThatPage(k, old).isInZone(Zone.MOVABLE);

        assertThat(k.ioUringRegisterBuffers(r, a, PAGE)).isZero();

        assertThatPage(k, r.buffer().pfn(0)).isInZone(Zone.NORMAL).holds(0, D0);
        assertThatPte(t, a).mapsPfn(r.buffer().pfn(0));
        assertThatPage(k, old).isFree();
    }

    // ---- fork (cow.c "fork() with an iouring fixed buffer") ------------------------------------------------

    @Test
    void under618TheParentsStoreAfterForkReachesTheFixedBuffer() {
        IoRing r = ring("6.18");
        long a = filledBuffer(1);
        assertThat(k.ioUringRegisterBuffers(r, a, PAGE)).isZero();
        int pinned = r.buffer().pfn(0);
        OpenFile out = k.creat(FsType.EXT4, "out", 0);

        Task child = k.fork(t, "child");
        write(k, t, a, D1);

        assertThatPte(t, a).as("early copy for the child; the parent keeps the pinned page").mapsPfn(pinned);
        assertThatPte(child, a).doesNotMapPfn(pinned);
        assertThat(k.load(child, a)).isEqualTo(D0);
        assertThat(k.ioUringWriteFixed(r, out, 0, a, PAGE)).isEqualTo(PAGE);
        assertThat(pread(k, out, 0)).isEqualTo(D1);
        assertThat(Invariants.checkStep(k)).isEmpty();
    }

    @Test
    void under57TheParentsStoreAfterForkCopiesAwayFromTheFixedBuffer() {
        IoRing r = ring("5.7");
        long a = filledBuffer(1);
        assertThat(k.ioUringRegisterBuffers(r, a, PAGE)).isZero();
        int pinned = r.buffer().pfn(0);
        OpenFile out = k.creat(FsType.EXT4, "out", 0);

        Task child = k.fork(t, "child");
        write(k, t, a, D1);

        assertThatPte(t, a).as("mapcount 2: copy").doesNotMapPfn(pinned);
        assertThatPte(child, a).mapsPfn(pinned);
        assertThat(k.load(t, a)).isEqualTo(D1);
        assertThat(k.ioUringWriteFixed(r, out, 0, a, PAGE)).isEqualTo(PAGE);
        assertThat(pread(k, out, 0)).as("the write never reached the fixed buffer").isEqualTo(D0);
    }
}
