package org.mmsim.kernel.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.api.Driver;
import org.mmsim.kernel.check.Invariants;
import org.mmsim.kernel.fs.FdTable;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.fs.Inode;
import org.mmsim.kernel.fs.Pipe;
import org.mmsim.kernel.mm.WordRead;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.memory.Mmu;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.profile.KernelProfile;
import org.mmsim.kernel.profile.Profiles;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Fcntl;
import org.mmsim.kernel.uapi.Mman;
import org.mmsim.kernel.uapi.Signal;

/**
 * Small machines and the system-call idioms the kernel tests share. Every machine booted here is watched by
 * {@link InvariantChecking}: while a test runs with checking on, each kernel call it makes is followed by every
 * built-in invariant.
 *
 * <p>The idioms that end in an assertion ({@link #mmapAnon}, {@link #write}, {@link #load}, {@link #fork},
 * {@link #pwrite}, ...) are for the steps a test takes on its way to what it checks; a call whose return value is
 * what the test checks is made through {@code k.syscalls()} or {@code k.fileSyscalls()} directly.
 */
public final class TestKernels {
    public static final long PAGE = Page.PAGE_SIZE;
    public static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    public static final int PRIVATE_ANON = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS;
    public static final int SHARED_ANON = Mman.MAP_SHARED | Mman.MAP_ANONYMOUS;
    /** Frames in ZONE_NORMAL of a test machine: plenty for every test, cheap to scan. */
    public static final int FRAMES = 1 << 12;

    private TestKernels() {}

    // ---- machines ---------------------------------------------------------------------------------------------

    /** Boot a small machine running the named profile from {@link Profiles}. */
    public static Kernel boot(String profileName) {
        return boot(profile(profileName), FRAMES, 0);
    }

    /** Boot the named profile with {@code movable} frames of ZONE_MOVABLE besides {@link #FRAMES} of ZONE_NORMAL. */
    public static Kernel bootWithMovable(String profileName, int movable) {
        return boot(profile(profileName), FRAMES, movable);
    }

    /** Boot {@code profile} (a named one, or one derived with {@code with}) with the zone sizes given. */
    public static Kernel boot(KernelProfile profile, int normalFrames, int movableFrames) {
        return boot(profile, normalFrames, movableFrames, List.of());
    }

    /** Boot {@code profile} with {@code drivers}. */
    public static Kernel boot(KernelProfile profile, int normalFrames, int movableFrames, List<Driver> drivers) {
        Kernel k = Kernel.boot(profile, normalFrames, movableFrames, drivers);
        k.observeCalls(InvariantChecking.observer(k));
        return k;
    }

    /** The named profile from {@link Profiles}; fails for an unknown name. */
    public static KernelProfile profile(String profileName) {
        KernelProfile profile = Profiles.byName(profileName);
        if (profile == null) {
            throw new IllegalArgumentException("no profile named " + profileName + "; known: " + Profiles.names());
        }
        return profile;
    }

    // ---- processes --------------------------------------------------------------------------------------------

    /** {@code fork()}, which must succeed: the child. */
    public static Task fork(Kernel k, Task parent, String comm) {
        Task child = k.syscalls().fork(parent, comm).complete();
        assertThat(child).as("fork of %s", parent).isNotNull();
        return child;
    }

    /** {@code exit()}. */
    public static void exit(Kernel k, Task t) {
        assertThat(k.syscalls().exit(t).run()).as("exit of %s", t).isZero();
    }

    // ---- memory -----------------------------------------------------------------------------------------------

    /**
     * The GUP test device lets go of {@code g} for {@code t}: {@code unpin_user_pages()} (or, with {@code makeDirty},
     * {@code unpin_user_pages_dirty_lock(..., true)}) for pins, {@code put_page()} for references; returns the call,
     * not yet run.
     */
    public static KernelCall<Void> release(Syscalls sys, Task t, GupPages g, boolean makeDirty) {
        if (!g.pinned()) {
            return sys.putPages(t, g);
        }
        return makeDirty ? sys.unpinUserPagesDirtyLock(t, g, true) : sys.unpinUserPages(t, g);
    }

    /** {@code mmap(NULL, pages * PAGE, prot, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)}, which must succeed. */
    public static long mmapAnon(Kernel k, Task t, int pages, int prot) {
        long addr = k.syscalls().mmap(t, 0, pages * PAGE, prot, PRIVATE_ANON).run();
        assertThat(addr).as("mmap of %d anonymous pages", pages).isPositive();
        return addr;
    }

    /** {@code mmap(NULL, pages * PAGE, prot, MAP_SHARED|MAP_ANONYMOUS, -1, 0)}, which must succeed. */
    public static long mmapSharedAnon(Kernel k, Task t, int pages, int prot) {
        long addr = k.syscalls().mmap(t, 0, pages * PAGE, prot, SHARED_ANON).run();
        assertThat(addr).as("mmap of %d shared anonymous pages", pages).isPositive();
        return addr;
    }

    /** {@code mmap(NULL, pages * PAGE, prot, flags, fd, 0)}, which must succeed. */
    public static long mmapFile(Kernel k, Task t, int fd, int pages, int prot, int flags) {
        long addr = k.syscalls().mmap(t, 0, pages * PAGE, prot, flags, fd, 0).run();
        assertThat(addr).as("mmap of %d pages of fd %d (%s)", pages, fd, t.files().get(fd)).isPositive();
        return addr;
    }

    /** A store that must not fault. */
    public static void write(Kernel k, Task t, long addr, long value) {
        int signal = store(k, t, addr, value);
        assertThat(signal).as("store to %#x by %s raised %s", addr, t, Signal.name(signal)).isZero();
    }

    /** A store that may fault: the signal it raised, or 0. */
    public static int store(Kernel k, Task t, long addr, long value) {
        return k.syscalls().store(t, addr, value).complete().signal();
    }

    /** A load that must not fault: the word. */
    public static long load(Kernel k, Task t, long addr) {
        Mmu.Access a = k.syscalls().load(t, addr).complete();
        assertThat(a.signal()).as("load from %#x by %s raised %s", addr, t, Signal.name(a.signal())).isZero();
        return a.value();
    }

    /** A load that may fault: the signal it raised, or 0. */
    public static int loadSignal(Kernel k, Task t, long addr) {
        return k.syscalls().load(t, addr).complete().signal();
    }

    // ---- files ------------------------------------------------------------------------------------------------

    /** {@code creat()} of {@code /FS/NAME} with {@code size} bytes, which must succeed: the fd. */
    public static int creat(Kernel k, Task t, FsType fs, String name, long size) {
        int fd = (int) k.fileSyscalls().creat(t, fs, name, size).run();
        assertThat(fd).as("creat of %s by %s", name, t).isGreaterThanOrEqualTo(FdTable.FIRST_FD);
        return fd;
    }

    /** {@code memfd_create()} and {@code ftruncate(size)}, which must succeed: the fd. */
    public static int memfdCreate(Kernel k, Task t, String name, long size) {
        int fd = (int) k.fileSyscalls().memfdCreate(t, name, size).run();
        assertThat(fd).as("memfd_create of %s by %s", name, t).isGreaterThanOrEqualTo(FdTable.FIRST_FD);
        return fd;
    }

    /** {@code open(path, flags)}, which must succeed: the fd. */
    public static int open(Kernel k, Task t, String path, int flags) {
        int fd = (int) k.fileSyscalls().open(t, path, flags).run();
        assertThat(fd).as("open of %s by %s", path, t).isGreaterThanOrEqualTo(FdTable.FIRST_FD);
        return fd;
    }

    /** {@code open("/proc/self/fd/FD", O_RDONLY)}: the file {@code fd} is open on, again, read-only. */
    public static int openReadOnly(Kernel k, Task t, int fd) {
        int ro = (int) k.fileSyscalls().open(t, "/proc/self/fd/" + fd, Fcntl.O_RDONLY).run();
        assertThat(ro).as("reopen of fd %d read-only", fd).isGreaterThanOrEqualTo(FdTable.FIRST_FD);
        return ro;
    }

    /** The open file behind {@code fd} in {@code t}'s table; fails if there is none. */
    public static File file(Task t, int fd) {
        File f = t.files().get(fd);
        assertThat(f).as("fd %d of %s", fd, t).isNotNull();
        return f;
    }

    /** The inode {@code fd} of {@code t} is open on. */
    public static Inode inode(Task t, int fd) {
        return file(t, fd).inode();
    }

    /** The pipe {@code fd} of {@code t} is an end of. */
    public static Pipe pipeOf(Task t, int fd) {
        return (Pipe) file(t, fd).privateData();
    }

    /** {@code pwrite()} of one word, which must succeed. */
    public static void pwrite(Kernel k, Task t, int fd, long pos, long value) {
        assertThat(k.fileSyscalls().pwrite(t, fd, pos, value).run()).as("pwrite of fd %d at %d", fd, pos)
                .isEqualTo(8);
    }

    /** {@code pread()} of one word, which must succeed: the word. */
    public static long pread(Kernel k, Task t, int fd, long pos) {
        WordRead r = k.fileSyscalls().pread(t, fd, pos).complete();
        assertThat(r.ret()).as("pread of fd %d at %d", fd, pos).isEqualTo(8);
        return r.value();
    }

    /** {@code fsync()}, which must succeed. */
    public static void fsync(Kernel k, Task t, int fd) {
        assertThat(k.fileSyscalls().fsync(t, fd).run()).as("fsync of fd %d", fd).isZero();
    }

    /** {@code pipe()}, which must succeed: the read end and the write end. */
    public static int[] pipe(Kernel k, Task t) {
        int[] fds = k.fileSyscalls().pipe(t).complete();
        assertThat(fds).as("pipe() by %s", t).isNotNull();
        return fds;
    }

    // ---- the device behind GUP --------------------------------------------------------------------------------

    /** The device reads word {@code word} of page {@code page} of the pages it holds. */
    public static long dmaRead(Kernel k, GupPages g, int page, int word) {
        return k.exports().dmaRead(g, page, word);
    }

    /** The device writes {@code value} into word {@code word} of page {@code page} of the pages it holds. */
    public static void dmaWrite(Kernel k, GupPages g, int page, int word, long value) {
        k.exports().dmaWrite(g, page, word, value);
    }

    // ---- invariants -------------------------------------------------------------------------------------------

    /** The names of the violations {@link Invariants#checkStep} reports now. */
    public static List<String> violatedInvariants(Kernel k) {
        return Invariants.checkStep(k).stream().map(v -> v.invariant()).toList();
    }
}
