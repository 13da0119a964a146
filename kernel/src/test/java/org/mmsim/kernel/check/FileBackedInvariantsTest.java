package org.mmsim.kernel.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.bootWithMovable;
import static org.mmsim.kernel.testing.TestKernels.creat;
import static org.mmsim.kernel.testing.TestKernels.dmaWrite;
import static org.mmsim.kernel.testing.TestKernels.exit;
import static org.mmsim.kernel.testing.TestKernels.fork;
import static org.mmsim.kernel.testing.TestKernels.fsync;
import static org.mmsim.kernel.testing.TestKernels.inode;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.memfdCreate;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.mmapFile;
import static org.mmsim.kernel.testing.TestKernels.mmapSharedAnon;
import static org.mmsim.kernel.testing.TestKernels.open;
import static org.mmsim.kernel.testing.TestKernels.openReadOnly;
import static org.mmsim.kernel.testing.TestKernels.pipe;
import static org.mmsim.kernel.testing.TestKernels.pwrite;
import static org.mmsim.kernel.testing.TestKernels.write;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmsim.kernel.testing.TestKernels;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.fs.Inode;
import org.mmsim.kernel.fs.Vfs;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.rmap.Rmap;
import org.mmsim.kernel.profile.Profiles;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.syscall.FileSyscalls;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.InvariantsNotChecked;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Fcntl;
import org.mmsim.kernel.uapi.Mman;

/**
 * The invariants over histories with page-cache pages, shmem, long-term pins, migration, io_uring, clear_refs and
 * /proc/PID/mem: the accounting invariant (which counts the page cache's own reference) holds after every step
 * under every profile that has pins, every invariant holds under 6.18, and tearing everything down frees every
 * frame.
 */
class FileBackedInvariantsTest {
    private static final int LONGTERM_WRITE = Foll.FOLL_WRITE | Foll.FOLL_LONGTERM;

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
    @InvariantsNotChecked(value = "under 5.9 clear_refs 4 write-protects the long-term pinned page and the next store "
            + "copies away from the pin (B4); the test checks accounting after each phase itself", profiles = "5.9")
    void aFileBackedHistoryKeepsTheInvariantsAndTeardownFreesEverything(String profile) {
        Kernel k = bootWithMovable(profile, 64);
        Syscalls sys = k.syscalls();
        FileSyscalls fs = k.fileSyscalls();
        Checker check = new Checker(k, profile.equals("6.18"));
        Task p = k.spawn("p");
        int f = creat(k, p, FsType.EXT4, "f", 2 * PAGE);
        Inode inode = inode(p, f);
        pwrite(k, p, f, 0, 1);
        check.after("pwrite");

        long shared = mmapFile(k, p, f, 2, RW, Mman.MAP_SHARED);
        write(k, p, shared, 2);
        load(k, p, shared + PAGE);
        check.after("shared ext4 faults");
        long priv = mmapFile(k, p, f, 2, RW, Mman.MAP_PRIVATE);
        load(k, p, priv);
        write(k, p, priv + PAGE, 3);
        check.after("private ext4 faults and COW");
        fsync(k, p, f);
        write(k, p, shared, 4);
        check.after("fsync and page_mkwrite again");

        int m = memfdCreate(k, p, "m", PAGE);
        long ms = mmapFile(k, p, m, 1, RW, Mman.MAP_SHARED);
        write(k, p, ms, 5);
        long shm = mmapSharedAnon(k, p, 1, RW);
        write(k, p, shm, 6);
        long anon = mmapAnon(k, p, 2, RW);
        write(k, p, anon, 7);
        write(k, p, anon + PAGE, 8);
        check.after("memfd, shmem and anon faults");

        Task c = fork(k, p, "child");
        check.after("fork");
        write(k, c, shared + PAGE, 9);
        write(k, c, priv, 10);
        load(k, c, shm);
        load(k, c, anon);
        check.after("child faults");

        GupPages roPin = sys.pinUserPagesFast(p, priv, 1, Foll.FOLL_LONGTERM).complete();
        GupPages rwPin = sys.pinUserPages(p, anon, 1, LONGTERM_WRITE).complete();
        GupPages shmemPin = sys.pinUserPagesFast(p, ms, 1, LONGTERM_WRITE).complete();
        assertThat(List.of(roPin.ret(), rwPin.ret(), shmemPin.ret())).containsOnly(1L);
        check.after("long-term pins (and migration where the profile has it)");
        int ring = (int) fs.ioUringSetup(p).run();
        assertThat(fs.ioUringRegisterBuffers(p, ring, anon + PAGE, PAGE).run()).isZero();
        check.after("io_uring registration");
        int out = creat(k, p, FsType.TMPFS, "out", 0);
        assertThat(fs.ioUringWriteFixed(p, ring, out, 0, anon + PAGE, PAGE).run()).isEqualTo(PAGE);
        check.after("WRITE_FIXED");

        assertThat(sys.clearRefs(p, 4).run()).isZero();
        write(k, p, anon + PAGE, 11);
        check.after("clear_refs 4 and a store");
        int ro = openReadOnly(k, p, f);
        long roMap = mmapFile(k, p, ro, 1, Mman.PROT_READ, Mman.MAP_PRIVATE);
        assertThat(sys.procMemWrite(p, p, roMap, 12).run()).isEqualTo(8);
        check.after("/proc/pid/mem write");
        int[] pipe = pipe(k, p);
        assertThat(fs.vmsplice(p, pipe[1], shared, PAGE).run()).isEqualTo(PAGE);
        check.after("vmsplice of a page-cache page");

        assertThat(sys.munmap(p, shared, 2 * PAGE).run()).isZero();
        assertThat(fs.close(p, f).run()).isZero();
        assertThat(fs.unlink(p, Vfs.path(FsType.EXT4, "f")).run()).isZero();
        check.after("munmap, close, unlink while the child still maps the file");
        exit(k, c);
        check.after("child exit");
        for (GupPages g : List.of(roPin, rwPin, shmemPin)) {
            assertThat(TestKernels.release(sys, p, g, true).run()).isZero();
        }
        assertThat(fs.ioUringUnregisterBuffers(p, ring).run()).isZero();
        check.after("unpin and unregister");
        assertThat(fs.unlink(p, Vfs.path(FsType.TMPFS, "out")).run()).isZero();
        exit(k, p);
        check.after("parent exit closes the pipe, the ring and every file");

        assertThat(k.vfs().inodes()).allSatisfy(i -> assertThat(i.evicted()).as("%s", i).isTrue());
        assertThat(inode.evicted()).isTrue();
        assertThat(Invariants.checkAllFree(k)).isEmpty();
        assertThat(k.pageAlloc().nrAllocated()).isZero();
        assertThat(k.mm().userLockedVm()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"5.19", "6.18"})
    void migrationKeepsTheInvariants(String profile) {
        Kernel k = bootWithMovable(profile, 64);
        Syscalls sys = k.syscalls();
        FileSyscalls fs = k.fileSyscalls();
        Checker check = new Checker(k, true);
        Task p = k.spawn("p");
        Task q = k.spawn("q");
        int f = creat(k, p, FsType.TMPFS, "t", 2 * PAGE);
        int g2 = open(k, q, Vfs.path(FsType.TMPFS, "t"), Fcntl.O_RDONLY);
        long a = mmapFile(k, p, f, 2, RW, Mman.MAP_SHARED);
        long b = mmapFile(k, q, g2, 2, Mman.PROT_READ, Mman.MAP_SHARED);
        write(k, p, a, 1);
        write(k, p, a + PAGE, 2);
        load(k, q, b);
        long anon = mmapAnon(k, p, 1, RW);
        write(k, p, anon, 3);
        check.after("faults into ZONE_MOVABLE");

        GupPages g = sys.pinUserPages(q, b, 2, Foll.FOLL_LONGTERM).complete();
        assertThat(g.ret()).isEqualTo(2);
        check.after("R/O long-term pin of shared tmpfs: two page-cache pages migrated");
        int[] pipe = pipe(k, p);
        fs.vmsplice(p, pipe[1], anon, PAGE).run();
        assertThat(sys.pinUserPagesFast(p, anon, 1, LONGTERM_WRITE).run()).isEqualTo(-Errno.ENOMEM);
        check.after("a pin refused because a pipe holds the page");
        fs.read(p, pipe[0], 0).run();
        GupPages h = sys.pinUserPagesFast(p, anon, 1, LONGTERM_WRITE).complete();
        assertThat(h.ret()).isEqualTo(1);
        check.after("the same pin once the pipe let go");

        TestKernels.release(sys, q, g, false).run();
        TestKernels.release(sys, p, h, false).run();
        fs.unlink(p, Vfs.path(FsType.TMPFS, "t")).run();
        exit(k, p);
        exit(k, q);
        check.after("teardown");
        assertThat(Invariants.checkAllFree(k)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"5.7", "6.18"})
    @InvariantsNotChecked(value = "5.7 shares the fixed buffer's page at fork and the parent's store copies away from "
            + "the pin; the test checks accounting after each phase itself", profiles = "5.7")
    void anIoUringForkHistoryKeepsAccountingAndExitFreesTheRing(String profile) {
        Kernel k = bootWithMovable(profile, 16);
        FileSyscalls fs = k.fileSyscalls();
        Checker check = new Checker(k, false);
        Task p = k.spawn("p");
        long a = mmapAnon(k, p, 2, RW);
        write(k, p, a, 1);
        int ring = (int) fs.ioUringSetup(p).run();
        assertThat(fs.ioUringRegisterBuffers(p, ring, a, 2 * PAGE).run()).isZero();
        check.after("register");
        Task c = fork(k, p, "child");
        check.after("fork");
        write(k, p, a, 2);
        write(k, c, a + PAGE, 3);
        check.after("stores after fork");
        int out = creat(k, p, FsType.EXT4, "out", 0);
        fs.ioUringWriteFixed(p, ring, out, 0, a, 2 * PAGE).run();
        fsync(k, p, out);
        check.after("WRITE_FIXED and fsync");
        assertThat(fs.close(c, ring).run()).as("the child's copy of the ring's fd").isZero();
        exit(k, p);
        check.after("parent exit releases the ring");
        assertThat(fs.unlink(c, Vfs.path(FsType.EXT4, "out")).run()).isZero();
        exit(k, c);
        check.after("teardown");
        assertThat(Invariants.checkAllFree(k)).isEmpty();
        assertThat(k.mm().userLockedVm()).isZero();
    }

    @Test
    void aPinnedPageCachePageOutlivesItsEvictedInodeUntilUnpinned() {
        Kernel k = bootWithMovable("6.18", 0);
        Checker check = new Checker(k, true);
        Task p = k.spawn("p");
        Task rm = k.spawn("rm");
        int f = creat(k, p, FsType.TMPFS, "t", PAGE);
        Inode inode = inode(p, f);
        long a = mmapFile(k, p, f, 1, RW, Mman.MAP_SHARED);
        write(k, p, a, 1);
        GupPages g = k.syscalls().pinUserPages(p, a, 1, LONGTERM_WRITE).complete();
        int pfn = g.pfn(0);

        exit(k, p);
        assertThat(k.fileSyscalls().unlink(rm, Vfs.path(FsType.TMPFS, "t")).run()).isZero();

        assertThat(inode.evicted()).isTrue();
        assertThat(k.frames().refcount(pfn)).as("only the pin").isEqualTo(Rmap.GUP_PIN_COUNTING_BIAS);
        assertThat(k.frames().mapping(pfn)).isZero();
        check.after("eviction under a pin");
        dmaWrite(k, g, 0, 0, 2);
        assertThat(k.exports().unpinUserPagesDirtyLock(g, true)).isZero();
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
    @ValueSource(ints = {Foll.FOLL_LONGTERM, Foll.FOLL_WRITE | Foll.FOLL_LONGTERM})
    void readingFileDataCopiedIntoAPrivatePageIsNotALeak(int gupFlags) {
        Kernel k = bootWithMovable("6.18", 0);
        Task writer = k.spawn("writer");
        Task reader = k.spawn("reader");
        int f = creat(k, writer, FsType.TMPFS, "t", PAGE);
        int g2 = open(k, reader, Vfs.path(FsType.TMPFS, "t"), Fcntl.O_RDWR);
        long a = mmapFile(k, writer, f, 1, RW, Mman.MAP_SHARED);
        write(k, writer, a, 5);
        long b = mmapFile(k, reader, g2, 1, RW, Mman.MAP_PRIVATE);
        GupPages g = k.syscalls().pinUserPages(reader, b, 1, gupFlags).complete();
        assertThat(g.ret()).isEqualTo(1);
        assertThat(Invariants.checkStep(k)).isEmpty();

        assertThat(load(k, reader, b)).isEqualTo(5L);

        assertThat(Invariants.checkStep(k)).isEmpty();
    }

    @Test
    void theSameFileDataReadThroughTheSharedPageIsNotObserved() {
        Kernel k = bootWithMovable("6.18", 0);
        Task writer = k.spawn("writer");
        Task reader = k.spawn("reader");
        int f = creat(k, writer, FsType.TMPFS, "t", PAGE);
        int g2 = open(k, reader, Vfs.path(FsType.TMPFS, "t"), Fcntl.O_RDWR);
        long a = mmapFile(k, writer, f, 1, RW, Mman.MAP_SHARED);
        write(k, writer, a, 5);
        long b = mmapFile(k, reader, g2, 1, RW, Mman.MAP_PRIVATE);

        assertThat(load(k, reader, b)).isEqualTo(5L);
        write(k, reader, b + 8, 6);
        assertThat(load(k, reader, b)).isEqualTo(5L);

        assertThat(Invariants.checkStep(k)).isEmpty();
        assertThat(inode(writer, f).mapping().pages()).hasSize(1);
    }
}
