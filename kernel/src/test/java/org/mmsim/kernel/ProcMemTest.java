package org.mmsim.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.KernelAssertions.pfnAt;
import static org.mmsim.kernel.TestKernels.PAGE;
import static org.mmsim.kernel.TestKernels.RW;
import static org.mmsim.kernel.TestKernels.boot;
import static org.mmsim.kernel.TestKernels.mmapAnon;
import static org.mmsim.kernel.TestKernels.mmapFile;
import static org.mmsim.kernel.TestKernels.pread;
import static org.mmsim.kernel.TestKernels.pwrite;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code /proc/PID/mem} and {@code ptrace(PTRACE_POKEDATA)} through {@code access_remote_vm()} with FOLL_FORCE
 * (reference 2.3, 3.3; mkdirty.c "PTRACE write access"): a forced write to a read-only private mapping writes a
 * private anon copy, never the page cache and never by making the VMA or the pte writable; a shared mapping is
 * not a COW mapping and is refused.
 */
class ProcMemTest {
    private static final long D0 = 0xD0;
    private static final long D1 = 0xD1;
    private static final long D2 = 0xD2;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"4.9", "5.19", "6.18"})
    void ptraceWriteAccessToAReadOnlyPrivateAnonMappingUnsharesTheZeroPage(String profile) {
        Kernel k = boot(profile);
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, Mman.PROT_READ);
        assertThat(k.load(t, a)).isZero();
        assertThatPte(t, a).mapsZeroPage();

        assertThat(k.procMemWrite(t, a, D1)).isEqualTo(8);

        int pfn = pfnAt(t, a);
        assertThat(pfn).isNotEqualTo(PageAlloc.ZERO_PFN);
        assertThatPage(k, pfn).isAnon().hasRefcount(1).hasMapcount(1).holds(0, D1).isDirty();
        assertThatPte(t, a).as("mkdirty: dirty but never writable").isReadOnly().isDirty().isNotSpecial();
        assertThat(t.mm().vmaAt(a).has(VmFlags.VM_WRITE)).isFalse();
        assertThat(k.store(t, a, D2)).isEqualTo(11);
        assertThat(k.lastSignal()).isEqualTo(11);
        assertThat(k.load(t, a)).isEqualTo(D1);
        assertThat(k.procMemRead(t, a)).isEqualTo(new FileRead(D1, 8));
        assertThat(pfnAt(t, a)).isEqualTo(pfn);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"4.9", "5.19", "6.18"})
    void ptracePokeIntoAnUntouchedReadOnlyPrivateAnonMapping(String profile) {
        Kernel k = boot(profile);
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, Mman.PROT_READ);

        assertThat(k.ptracePoke(t, a + 8, D1)).isZero();

        assertThatPte(t, a).isReadOnly().isNotSpecial();
        assertThatPage(k, pfnAt(t, a)).isAnon().hasRefcount(1).holds(1, D1).holds(0, 0);
        assertThat(k.load(t, a + 8)).isEqualTo(D1);
        assertThat(k.store(t, a + 8, D2)).isEqualTo(11);
        assertThat(t.mm().vmaAt(a).has(VmFlags.VM_WRITE)).isFalse();
        assertThat(k.ptracePoke(t, a + 8, D2)).as("a second poke reuses the private copy").isZero();
        assertThat(k.load(t, a + 8)).isEqualTo(D2);
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(1);
    }

    /** Without Dirty COW's MADV_DONTNEED race, even 4.8 writes the private copy. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"4.8", "4.9", "5.19", "6.18"})
    void aForcedWriteToAPrivateMappingOfAReadOnlyExt4FileNeverReachesThePageCache(String profile) {
        for (boolean touch : new boolean[] {false, true}) {
            Kernel k = boot(profile);
            Task t = k.spawn("p");
            OpenFile f = k.creat(FsType.EXT4, "passwd", PAGE);
            pwrite(k, f, 0, D0);
            assertThat(k.fsync(f)).isZero();
            OpenFile ro = k.open(f, false);
            long a = mmapFile(k, t, ro, 1, Mman.PROT_READ, Mman.MAP_PRIVATE);
            if (touch) {
                assertThat(k.load(t, a)).isEqualTo(D0);
            }

            assertThat(k.procMemWrite(t, a, D1)).as("touched=%s", touch).isEqualTo(8);

            int cached = f.inode().pageAt(0);
            assertThat(k.load(t, a)).isEqualTo(D1);
            assertThatPte(t, a).isReadOnly().doesNotMapPfn(cached);
            assertThatPage(k, pfnAt(t, a)).isAnon().holds(0, D1);
            assertThat(pread(k, ro, 0)).isEqualTo(D0);
            assertThatPage(k, cached).isNotAnon().isClean().hasRefcount(1).hasMapcount(0).holds(0, D0);
            assertThat(k.fsync(f)).isZero();
            assertThat(f.inode().diskWord(0, 0)).isEqualTo(D0);
            assertThat(k.store(t, a, D2)).isEqualTo(11);
            assertThat(t.mm().vmaAt(a).has(VmFlags.VM_WRITE)).isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"4.9", "6.18"})
    void aForcedWriteToASharedMappingOfAReadOnlyFileIsEio(String profile) {
        Kernel k = boot(profile);
        Task t = k.spawn("p");
        OpenFile f = k.creat(FsType.EXT4, "f", PAGE);
        pwrite(k, f, 0, D0);
        OpenFile ro = k.open(f, false);
        long a = mmapFile(k, t, ro, 1, Mman.PROT_READ, Mman.MAP_SHARED);
        k.load(t, a);

        assertThat(k.procMemWrite(t, a, D1)).isEqualTo(-Errno.EIO);
        assertThat(k.ptracePoke(t, a, D1)).isEqualTo(-Errno.EIO);

        assertThat(k.procMemRead(t, a)).as("reading is allowed").isEqualTo(new FileRead(D0, 8));
        assertThat(pread(k, f, 0)).isEqualTo(D0);
        assertThatPte(t, a).mapsPfn(f.inode().pageAt(0));
    }

    @Test
    void aForcedWriteToAReadOnlySharedMappingOfAWritableFileIsEioToo() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        OpenFile f = k.creat(FsType.TMPFS, "t", PAGE);
        long a = mmapFile(k, t, f, 1, Mman.PROT_READ, Mman.MAP_SHARED);
        assertThat(t.mm().vmaAt(a).has(VmFlags.VM_MAYWRITE)).isTrue();

        assertThat(k.procMemWrite(t, a, D1)).as("shared: not a COW mapping").isEqualTo(-Errno.EIO);
        assertThat(k.ptracePoke(t, a, D1)).isEqualTo(-Errno.EIO);
        assertThat(pread(k, f, 0)).isZero();
    }

    @Test
    void aWriteToAWritableSharedMappingGoesToTheFile() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        OpenFile f = k.creat(FsType.EXT4, "f", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        k.load(t, a);

        assertThat(k.procMemWrite(t, a, D1)).isEqualTo(8);

        assertThat(pread(k, f, 0)).isEqualTo(D1);
        assertThatPage(k, f.inode().pageAt(0)).isDirty();
        assertThatPte(t, a).mapsPfn(f.inode().pageAt(0));
    }

    @Test
    void anUnmappedAddressIsEio() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);

        assertThat(k.procMemWrite(t, a + PAGE, D1)).isEqualTo(-Errno.EIO);
        assertThat(k.ptracePoke(t, a + PAGE, D1)).isEqualTo(-Errno.EIO);
        assertThat(k.procMemRead(t, a + PAGE).ret()).isEqualTo(-Errno.EIO);
    }

    @Test
    void aProtNoneMappingCanBeReadAndWrittenByTheDebugger() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, Mman.PROT_NONE);

        assertThat(k.procMemWrite(t, a, D1)).isEqualTo(8);

        assertThat(k.procMemRead(t, a)).isEqualTo(new FileRead(D1, 8));
        assertThat(k.load(t, a)).isNull();
        assertThat(k.lastSignal()).isEqualTo(11);
    }
}
