package org.mmsim.kernel.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.testing.KernelAssertions.pfnAt;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.creat;
import static org.mmsim.kernel.testing.TestKernels.fsync;
import static org.mmsim.kernel.testing.TestKernels.inode;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.loadSignal;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.mmapFile;
import static org.mmsim.kernel.testing.TestKernels.openReadOnly;
import static org.mmsim.kernel.testing.TestKernels.pread;
import static org.mmsim.kernel.testing.TestKernels.pwrite;
import static org.mmsim.kernel.testing.TestKernels.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.fs.Inode;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.WordRead;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.TestKernels;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Mman;
import org.mmsim.kernel.uapi.Signal;

/**
 * {@code /proc/PID/mem} and {@code ptrace(PTRACE_POKEDATA)} through {@code access_remote_vm()} with FOLL_FORCE
 * (reference 2.3, 3.3; mkdirty.c "PTRACE write access"): a forced write to a read-only private mapping writes a
 * private anon copy, never the page cache and never by making the VMA or the pte writable; a shared mapping is
 * not a COW mapping and is refused. A debugger process makes the accesses.
 */
class ProcMemTest {
    private static final long D0 = 0xD0;
    private static final long D1 = 0xD1;
    private static final long D2 = 0xD2;

    private Kernel k;
    private Syscalls sys;
    private Task t;
    private Task gdb;

    private void boot(String profile) {
        k = TestKernels.boot(profile);
        sys = k.syscalls();
        t = k.spawn("p");
        gdb = k.spawn("gdb");
    }

    private long memWrite(long addr, long value) {
        return sys.procMemWrite(gdb, t, addr, value).run();
    }

    private WordRead memRead(long addr) {
        return sys.procMemRead(gdb, t, addr).complete();
    }

    private long poke(long addr, long value) {
        return sys.ptracePoke(gdb, t, addr, value).run();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"4.9", "5.19", "6.18"})
    void ptraceWriteAccessToAReadOnlyPrivateAnonMappingUnsharesTheZeroPage(String profile) {
        boot(profile);
        long a = mmapAnon(k, t, 1, Mman.PROT_READ);
        assertThat(load(k, t, a)).isZero();
        assertThatPte(t, a).mapsZeroPage();

        assertThat(memWrite(a, D1)).isEqualTo(8);

        int pfn = pfnAt(t, a);
        assertThat(pfn).isNotEqualTo(PageAlloc.ZERO_PFN);
        assertThatPage(k, pfn).isAnon().hasRefcount(1).hasMapcount(1).holds(0, D1).isDirty();
        assertThatPte(t, a).as("mkdirty: dirty but never writable").isReadOnly().isDirty().isNotSpecial();
        assertThat(t.mm().vmaAt(a).has(VmFlags.VM_WRITE)).isFalse();
        assertThat(store(k, t, a, D2)).isEqualTo(Signal.SIGSEGV);
        assertThat(load(k, t, a)).isEqualTo(D1);
        assertThat(memRead(a)).isEqualTo(new WordRead(D1, 8));
        assertThat(pfnAt(t, a)).isEqualTo(pfn);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"4.9", "5.19", "6.18"})
    void ptracePokeIntoAnUntouchedReadOnlyPrivateAnonMapping(String profile) {
        boot(profile);
        long a = mmapAnon(k, t, 1, Mman.PROT_READ);

        assertThat(poke(a + 8, D1)).isZero();

        assertThatPte(t, a).isReadOnly().isNotSpecial();
        assertThatPage(k, pfnAt(t, a)).isAnon().hasRefcount(1).holds(1, D1).holds(0, 0);
        assertThat(load(k, t, a + 8)).isEqualTo(D1);
        assertThat(store(k, t, a + 8, D2)).isEqualTo(Signal.SIGSEGV);
        assertThat(t.mm().vmaAt(a).has(VmFlags.VM_WRITE)).isFalse();
        assertThat(poke(a + 8, D2)).as("a second poke reuses the private copy").isZero();
        assertThat(load(k, t, a + 8)).isEqualTo(D2);
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(1);
    }

    /** Without Dirty COW's MADV_DONTNEED race, even 4.8 writes the private copy. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"4.8", "4.9", "5.19", "6.18"})
    void aForcedWriteToAPrivateMappingOfAReadOnlyExt4FileNeverReachesThePageCache(String profile) {
        for (boolean touch : new boolean[] {false, true}) {
            boot(profile);
            int f = creat(k, t, FsType.EXT4, "passwd", PAGE);
            Inode inode = inode(t, f);
            pwrite(k, t, f, 0, D0);
            fsync(k, t, f);
            int ro = openReadOnly(k, t, f);
            long a = mmapFile(k, t, ro, 1, Mman.PROT_READ, Mman.MAP_PRIVATE);
            if (touch) {
                assertThat(load(k, t, a)).isEqualTo(D0);
            }

            assertThat(memWrite(a, D1)).as("touched=%s", touch).isEqualTo(8);

            int cached = inode.mapping().pageAt(0);
            assertThat(load(k, t, a)).isEqualTo(D1);
            assertThatPte(t, a).isReadOnly().doesNotMapPfn(cached);
            assertThatPage(k, pfnAt(t, a)).isAnon().holds(0, D1);
            assertThat(pread(k, t, ro, 0)).isEqualTo(D0);
            assertThatPage(k, cached).isNotAnon().isClean().hasRefcount(2).hasMapcount(0).holds(0, D0); // + buffers
            fsync(k, t, f);
            assertThat(inode.diskWord(0, 0)).isEqualTo(D0);
            assertThat(store(k, t, a, D2)).isEqualTo(Signal.SIGSEGV);
            assertThat(t.mm().vmaAt(a).has(VmFlags.VM_WRITE)).isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"4.9", "6.18"})
    void aForcedWriteToASharedMappingOfAReadOnlyFileIsEio(String profile) {
        boot(profile);
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        pwrite(k, t, f, 0, D0);
        int ro = openReadOnly(k, t, f);
        long a = mmapFile(k, t, ro, 1, Mman.PROT_READ, Mman.MAP_SHARED);
        load(k, t, a);

        assertThat(memWrite(a, D1)).isEqualTo(-Errno.EIO);
        assertThat(poke(a, D1)).isEqualTo(-Errno.EIO);

        assertThat(memRead(a)).as("reading is allowed").isEqualTo(new WordRead(D0, 8));
        assertThat(pread(k, t, f, 0)).isEqualTo(D0);
        assertThatPte(t, a).mapsPfn(inode(t, f).mapping().pageAt(0));
    }

    @Test
    void aForcedWriteToAReadOnlySharedMappingOfAWritableFileIsEioToo() {
        boot("6.18");
        int f = creat(k, t, FsType.TMPFS, "t", PAGE);
        long a = mmapFile(k, t, f, 1, Mman.PROT_READ, Mman.MAP_SHARED);
        assertThat(t.mm().vmaAt(a).has(VmFlags.VM_MAYWRITE)).isTrue();

        assertThat(memWrite(a, D1)).as("shared: not a COW mapping").isEqualTo(-Errno.EIO);
        assertThat(poke(a, D1)).isEqualTo(-Errno.EIO);
        assertThat(pread(k, t, f, 0)).isZero();
    }

    @Test
    void aWriteToAWritableSharedMappingGoesToTheFile() {
        boot("6.18");
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        load(k, t, a);

        assertThat(memWrite(a, D1)).isEqualTo(8);

        assertThat(pread(k, t, f, 0)).isEqualTo(D1);
        assertThatPage(k, inode(t, f).mapping().pageAt(0)).isDirty();
        assertThatPte(t, a).mapsPfn(inode(t, f).mapping().pageAt(0));
    }

    @Test
    void anUnmappedAddressIsEio() {
        boot("6.18");
        long a = mmapAnon(k, t, 1, RW);

        assertThat(memWrite(a + PAGE, D1)).isEqualTo(-Errno.EIO);
        assertThat(poke(a + PAGE, D1)).isEqualTo(-Errno.EIO);
        assertThat(memRead(a + PAGE).ret()).isEqualTo(-Errno.EIO);
    }

    @Test
    void aProtNoneMappingCanBeReadAndWrittenByTheDebugger() {
        boot("6.18");
        long a = mmapAnon(k, t, 1, Mman.PROT_NONE);

        assertThat(memWrite(a, D1)).isEqualTo(8);

        assertThat(memRead(a)).isEqualTo(new WordRead(D1, 8));
        assertThat(loadSignal(k, t, a)).isEqualTo(Signal.SIGSEGV);
    }
}
