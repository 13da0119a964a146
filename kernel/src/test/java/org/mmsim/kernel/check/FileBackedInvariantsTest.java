package org.mmsim.kernel.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.TestKernels.PAGE;
import static org.mmsim.kernel.TestKernels.RW;
import static org.mmsim.kernel.TestKernels.bootWithMovable;
import static org.mmsim.kernel.TestKernels.mmapAnon;
import static org.mmsim.kernel.TestKernels.mmapFile;
import static org.mmsim.kernel.TestKernels.pwrite;
import static org.mmsim.kernel.TestKernels.write;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmsim.kernel.Errno;
import org.mmsim.kernel.FsType;
import org.mmsim.kernel.GupPages;
import org.mmsim.kernel.Inode;
import org.mmsim.kernel.IoRing;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.Mman;
import org.mmsim.kernel.OpenFile;
import org.mmsim.kernel.Pipe;
import org.mmsim.kernel.Task;
import org.mmsim.kernel.Violation;
import org.mmsim.kernel.profile.Profiles;
import org.mmsim.kernel.profile.Switch;

/**
 * The invariants over histories with page-cache pages, shmem, long-term pins, migration, io_uring, clear_refs and
 * /proc/PID/mem: the accounting invariant (which counts the page cache's own reference) holds after every step
 * under every profile that has pins, every invariant holds under 6.18, and tearing everything down frees every
 * frame.
 */
class FileBackedInvariantsTest {
    private static final int LONGTERM_WRITE = Kernel.FOLL_WRITE | Kernel.FOLL_LONGTERM;

    /** Profiles with FOLL_PIN and io_uring (5.7 onwards). */
    static Stream<String> pinningProfiles() {
        return Profiles.all().stream().filter(p -> p.on(Switch.FOLL_PIN)).map(p -> p.name());
    }

    /** Checks after each step: accounting always, every invariant if {@code all}. */
    private record Checker(Kernel k, boolean all) {
        void after(String step) {
            List<Violation> v = Invariants.checkStep(k);
            if (!all) {
                v = v.stream().filter(x -> x.invariant().equals("accounting")).toList();
            }
            assertThat(v).as("after %s under %s", step, k.profile()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pinningProfiles")
    void aFileBackedHistoryKeepsTheInvariantsAndTeardownFreesEverything(String profile) {
        Kernel k = bootWithMovable(profile, 64);
        Checker check = new Checker(k, profile.equals("6.18"));
        Task p = k.spawn("p");
        OpenFile f = k.creat(FsType.EXT4, "f", 2 * PAGE);
        pwrite(k, f, 0, 1);
        check.after("pwrite");

        long shared = mmapFile(k, p, f, 2, RW, Mman.MAP_SHARED);
        write(k, p, shared, 2);
        k.load(p, shared + PAGE);
        check.after("shared ext4 faults");
        long priv = mmapFile(k, p, f, 2, RW, Mman.MAP_PRIVATE);
        k.load(p, priv);
        write(k, p, priv + PAGE, 3);
        check.after("private ext4 faults and COW");
        assertThat(k.fsync(f)).isZero();
        write(k, p, shared, 4);
        check.after("fsync and page_mkwrite again");

        OpenFile m = k.memfdCreate("m", PAGE);
        long ms = mmapFile(k, p, m, 1, RW, Mman.MAP_SHARED);
        write(k, p, ms, 5);
        long shm = k.mmap(p, 0, PAGE, RW, Mman.MAP_SHARED | Mman.MAP_ANONYMOUS);
        write(k, p, shm, 6);
        long anon = mmapAnon(k, p, 2, RW);
        write(k, p, anon, 7);
        write(k, p, anon + PAGE, 8);
        check.after("memfd, shmem and anon faults");

        Task c = k.fork(p, "child");
        check.after("fork");
        write(k, c, shared + PAGE, 9);
        write(k, c, priv, 10);
        k.load(c, shm);
        k.load(c, anon);
        check.after("child faults");

        GupPages roPin = k.gup(p, priv, 1, Kernel.FOLL_LONGTERM, true, true);
        GupPages rwPin = k.gup(p, anon, 1, LONGTERM_WRITE, true, false);
        GupPages shmemPin = k.gup(p, ms, 1, LONGTERM_WRITE, true, true);
        assertThat(List.of(roPin.ret(), rwPin.ret(), shmemPin.ret())).containsOnly(1L);
        check.after("long-term pins (and migration where the profile has it)");
        IoRing ring = k.ioUringSetup(p);
        assertThat(k.ioUringRegisterBuffers(ring, anon + PAGE, PAGE)).isZero();
        check.after("io_uring registration");
        OpenFile out = k.creat(FsType.TMPFS, "out", 0);
        assertThat(k.ioUringWriteFixed(ring, out, 0, anon + PAGE, PAGE)).isEqualTo(PAGE);
        check.after("WRITE_FIXED");

        assertThat(k.clearRefs(p, 4)).isZero();
        write(k, p, anon + PAGE, 11);
        check.after("clear_refs 4 and a store");
        OpenFile ro = k.open(f, false);
        long roMap = mmapFile(k, p, ro, 1, Mman.PROT_READ, Mman.MAP_PRIVATE);
        assertThat(k.procMemWrite(p, roMap, 12)).isEqualTo(8);
        check.after("/proc/pid/mem write");
        Pipe pipe = k.pipe();
        assertThat(k.vmsplice(p, pipe, shared, PAGE)).isEqualTo(PAGE);
        check.after("vmsplice of a page-cache page");

        assertThat(k.munmap(p, shared, 2 * PAGE)).isZero();
        assertThat(k.close(f)).isZero();
        assertThat(k.unlink(f.inode())).isZero();
        check.after("munmap, close, unlink while the child still maps the file");
        k.exit(c);
        check.after("child exit");
        for (GupPages g : List.of(roPin, rwPin, shmemPin)) {
            assertThat(k.release(g, true)).isZero();
        }
        assertThat(k.ioUringUnregisterBuffers(ring)).isZero();
        check.after("unpin and unregister");
        k.exit(p);
        check.after("parent exit");
        assertThat(k.pipeClose(pipe)).isZero();
        for (OpenFile open : List.of(m, ro, out)) {
            assertThat(k.close(open)).isZero();
        }
        assertThat(k.unlink(out.inode())).isZero();
        check.after("teardown");

        assertThat(k.inodes()).allSatisfy(inode -> assertThat(inode.evicted()).as("%s", inode).isTrue());
        assertThat(Invariants.checkAllFree(k)).isEmpty();
        assertThat(k.pageAlloc().nrAllocated()).isZero();
        assertThat(k.userLockedVm()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"5.19", "6.18"})
    void migrationKeepsTheInvariants(String profile) {
        Kernel k = bootWithMovable(profile, 64);
        Checker check = new Checker(k, true);
        Task p = k.spawn("p");
        Task q = k.spawn("q");
        OpenFile f = k.creat(FsType.TMPFS, "t", 2 * PAGE);
        long a = mmapFile(k, p, f, 2, RW, Mman.MAP_SHARED);
        long b = mmapFile(k, q, f, 2, Mman.PROT_READ, Mman.MAP_SHARED);
        write(k, p, a, 1);
        write(k, p, a + PAGE, 2);
        k.load(q, b);
        long anon = mmapAnon(k, p, 1, RW);
        write(k, p, anon, 3);
        check.after("faults into ZONE_MOVABLE");

        GupPages g = k.gup(q, b, 2, Kernel.FOLL_LONGTERM, true, false);
        assertThat(g.ret()).isEqualTo(2);
        check.after("R/O long-term pin of shared tmpfs: two page-cache pages migrated");
        Pipe pipe = k.pipe();
        k.vmsplice(p, pipe, anon, PAGE);
        assertThat(k.gup(p, anon, 1, LONGTERM_WRITE, true, true).ret()).isEqualTo(-Errno.ENOMEM);
        check.after("a pin refused because a pipe holds the page");
        k.pipeRead(pipe, 0);
        GupPages h = k.gup(p, anon, 1, LONGTERM_WRITE, true, true);
        assertThat(h.ret()).isEqualTo(1);
        check.after("the same pin once the pipe let go");

        k.release(g, false);
        k.release(h, false);
        k.exit(p);
        k.exit(q);
        k.close(f);
        k.unlink(f.inode());
        k.pipeClose(pipe);
        check.after("teardown");
        assertThat(Invariants.checkAllFree(k)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"5.7", "6.18"})
    void anIoUringForkHistoryKeepsAccountingAndExitFreesTheRing(String profile) {
        Kernel k = bootWithMovable(profile, 16);
        Checker check = new Checker(k, false);
        Task p = k.spawn("p");
        long a = mmapAnon(k, p, 2, RW);
        write(k, p, a, 1);
        IoRing ring = k.ioUringSetup(p);
        assertThat(k.ioUringRegisterBuffers(ring, a, 2 * PAGE)).isZero();
        check.after("register");
        Task c = k.fork(p, "child");
        check.after("fork");
        write(k, p, a, 2);
        write(k, c, a + PAGE, 3);
        check.after("stores after fork");
        OpenFile out = k.creat(FsType.EXT4, "out", 0);
        k.ioUringWriteFixed(ring, out, 0, a, 2 * PAGE);
        assertThat(k.fsync(out)).isZero();
        check.after("WRITE_FIXED and fsync");
        k.exit(p);
        check.after("parent exit releases the ring");
        k.exit(c);
        k.close(out);
        k.unlink(out.inode());
        check.after("teardown");
        assertThat(ring.closed()).isTrue();
        assertThat(Invariants.checkAllFree(k)).isEmpty();
        assertThat(k.userLockedVm()).isZero();
    }

    @Test
    void aPinnedPageCachePageOutlivesItsEvictedInodeUntilUnpinned() {
        Kernel k = bootWithMovable("6.18", 0);
        Checker check = new Checker(k, true);
        Task p = k.spawn("p");
        OpenFile f = k.creat(FsType.TMPFS, "t", PAGE);
        long a = mmapFile(k, p, f, 1, RW, Mman.MAP_SHARED);
        write(k, p, a, 1);
        GupPages g = k.gup(p, a, 1, LONGTERM_WRITE, true, false);
        int pfn = g.pfn(0);

        k.exit(p);
        k.close(f);
        assertThat(k.unlink(f.inode())).isZero();

        assertThat(f.inode().evicted()).isTrue();
        assertThat(k.frames().refcount(pfn)).as("only the pin").isEqualTo(Kernel.GUP_PIN_COUNTING_BIAS);
        assertThat(k.frames().mapping(pfn)).isZero();
        check.after("eviction under a pin");
        k.dmaWrite(g, 0, 0, 2);
        assertThat(k.release(g, true)).isZero();
        check.after("unpin");
        assertThat(Invariants.checkAllFree(k)).isEmpty();
        assertThat(k.pageAlloc().nrAllocated()).isZero();
    }

    /**
     * Data that reached an anon page from the page cache is file data, not another process's private anon data.
     * The page's writer shadow is the mm that stored into the page-cache page through a shared mapping, and the
     * copy inherits it, so a later load by an unrelated process is reported as a leak.
     */
    @ParameterizedTest(name = "gupFlags={0}")
    @ValueSource(ints = {Kernel.FOLL_LONGTERM, Kernel.FOLL_WRITE | Kernel.FOLL_LONGTERM})
    void readingFileDataCopiedIntoAPrivatePageIsNotALeak(int gupFlags) {
        Kernel k = bootWithMovable("6.18", 0);
        Task writer = k.spawn("writer");
        Task reader = k.spawn("reader");
        OpenFile f = k.creat(FsType.TMPFS, "t", PAGE);
        long a = mmapFile(k, writer, f, 1, RW, Mman.MAP_SHARED);
        write(k, writer, a, 5);
        long b = mmapFile(k, reader, f, 1, RW, Mman.MAP_PRIVATE);
        GupPages g = k.gup(reader, b, 1, gupFlags, true, false);
        assertThat(g.ret()).isEqualTo(1);
        assertThat(Invariants.checkStep(k)).isEmpty();

        assertThat(k.load(reader, b)).isEqualTo(5L);

        assertThat(Invariants.checkStep(k)).isEmpty();
    }

    @Test
    void theSameFileDataReadThroughTheSharedPageIsNotObserved() {
        Kernel k = bootWithMovable("6.18", 0);
        Task writer = k.spawn("writer");
        Task reader = k.spawn("reader");
        OpenFile f = k.creat(FsType.TMPFS, "t", PAGE);
        long a = mmapFile(k, writer, f, 1, RW, Mman.MAP_SHARED);
        write(k, writer, a, 5);
        long b = mmapFile(k, reader, f, 1, RW, Mman.MAP_PRIVATE);

        assertThat(k.load(reader, b)).isEqualTo(5L);
        write(k, reader, b + 8, 6);
        assertThat(k.load(reader, b)).isEqualTo(5L);

        assertThat(Invariants.checkStep(k)).isEmpty();
        Inode inode = f.inode();
        assertThat(inode.pageCache()).hasSize(1);
    }
}
