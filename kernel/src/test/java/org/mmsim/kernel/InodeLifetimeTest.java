package org.mmsim.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.TestKernels.PAGE;
import static org.mmsim.kernel.TestKernels.RW;
import static org.mmsim.kernel.TestKernels.boot;
import static org.mmsim.kernel.TestKernels.mmapFile;
import static org.mmsim.kernel.TestKernels.pread;
import static org.mmsim.kernel.TestKernels.pwrite;
import static org.mmsim.kernel.TestKernels.write;

import org.junit.jupiter.api.Test;

/**
 * Open files, mappings and the inode's lifetime (fs/inode.c {@code iput}/{@code evict},
 * {@code truncate_inode_pages_final}; mm/mmap.c {@code do_mmap}'s access-mode checks): a file lives while it has a
 * name, an open file or a VMA, and its page cache is freed when the last of them goes.
 */
class InodeLifetimeTest {
    private static final long D0 = 0xD0;
    private static final long D1 = 0xD1;
    private static final long D2 = 0xD2;
    private static final int SHARED_ANON = Mman.MAP_SHARED | Mman.MAP_ANONYMOUS;

    private final Kernel k = boot("6.18");
    private final Task t = k.spawn("p");

    /** A one-page ext4 file holding D0, written back. */
    private OpenFile cleanExt4File() {
        OpenFile f = k.creat(FsType.EXT4, "f", PAGE);
        pwrite(k, f, 0, D0);
        assertThat(k.fsync(f)).isZero();
        return f;
    }

    // ---- access modes -------------------------------------------------------------------------------------

    @Test
    void aSharedWritableMappingOfAReadOnlyFileIsEaccesButAPrivateOneIsAllowed() {
        OpenFile f = cleanExt4File();
        OpenFile ro = k.open(f, false);
        assertThat(ro.writable()).isFalse();

        assertThat(k.mmapFile(t, 0, PAGE, RW, Mman.MAP_SHARED, ro, 0)).isEqualTo(-Errno.EACCES);

        long shared = mmapFile(k, t, ro, 1, Mman.PROT_READ, Mman.MAP_SHARED);
        Vma vma = t.mm().vmaAt(shared);
        assertThat(vma.has(VmFlags.VM_MAYWRITE)).isFalse();
        assertThat(vma.has(VmFlags.VM_SHARED)).isFalse();
        assertThat(vma.has(VmFlags.VM_MAYSHARE)).isTrue();
        assertThat(k.mprotect(t, shared, PAGE, RW)).isEqualTo(-Errno.EACCES);

        long priv = mmapFile(k, t, ro, 1, RW, Mman.MAP_PRIVATE);
        write(k, t, priv, D1);
        assertThat(k.load(t, shared)).isEqualTo(D0);
        assertThat(pread(k, ro, 0)).isEqualTo(D0);
        assertThat(k.pwrite(ro, 0, D2)).isEqualTo(-Errno.EBADF);
    }

    @Test
    void mmapOfAClosedFileIsEbadf() {
        OpenFile f = cleanExt4File();
        assertThat(k.close(f)).isZero();
        assertThat(k.close(f)).isEqualTo(-Errno.EBADF);

        assertThat(k.mmapFile(t, 0, PAGE, RW, Mman.MAP_PRIVATE, f, 0)).isEqualTo(-Errno.EBADF);
        assertThat(k.pread(f, 0).ret()).isEqualTo(-Errno.EBADF);
        assertThat(k.fsync(f)).isEqualTo(-Errno.EBADF);
    }

    // ---- splitting ----------------------------------------------------------------------------------------

    @Test
    void afterAPartialMunmapWritebackStillFindsTheRemainingPteThroughTheSplitVmasOffset() {
        OpenFile f = k.creat(FsType.EXT4, "f", 2 * PAGE);
        long a = mmapFile(k, t, f, 2, RW, Mman.MAP_SHARED);
        write(k, t, a, D0);
        write(k, t, a + PAGE, D1);

        assertThat(k.munmap(t, a, PAGE)).isZero();

        Vma rest = t.mm().vmaAt(a + PAGE);
        assertThat(rest.pgoff()).isEqualTo(1);
        assertThat(f.inode().iMmap()).containsExactly(rest);
        assertThat(k.rmapWalk(f.inode().pageAt(1))).containsExactly(String.format("mm %d %#x", t.mm().id(), a + PAGE));
        assertThat(k.rmapWalk(f.inode().pageAt(0))).isEmpty();
        assertThat(k.fsync(f)).isZero();
        assertThat(f.inode().diskWord(0, 0)).isEqualTo(D0);
        assertThat(f.inode().diskWord(1, 0)).isEqualTo(D1);
        assertThatPte(t, a + PAGE).isReadOnly().isClean();
    }

    @Test
    void splittingAFileVmaKeepsTheInodeReferencesBalanced() {
        OpenFile f = k.creat(FsType.EXT4, "f", 3 * PAGE);
        long a = mmapFile(k, t, f, 3, RW, Mman.MAP_SHARED);
        write(k, t, a + 2 * PAGE, D0);

        assertThat(k.mprotect(t, a + PAGE, PAGE, Mman.PROT_READ)).isZero();

        assertThat(f.inode().iMmap()).hasSize(3);
        assertThat(k.unlink(f.inode())).isZero();
        assertThat(k.close(f)).isZero();
        assertThat(k.munmap(t, a, 2 * PAGE)).isZero();
        assertThat(f.inode().evicted()).as("the third page is still mapped").isFalse();
        assertThat(k.load(t, a + 2 * PAGE)).isEqualTo(D0);
        assertThat(k.munmap(t, a + 2 * PAGE, PAGE)).isZero();
        assertThat(f.inode().evicted()).isTrue();
        assertThat(k.pageAlloc().nrAllocated()).isZero();
    }

    // ---- eviction -----------------------------------------------------------------------------------------

    @Test
    void closeMunmapAndUnlinkFreeThePageCache() {
        int baseline = k.pageAlloc().nrAllocated();
        OpenFile f = k.creat(FsType.EXT4, "f", 2 * PAGE);
        long a = mmapFile(k, t, f, 2, RW, Mman.MAP_SHARED);
        write(k, t, a, D0);
        write(k, t, a + PAGE, D1);
        int p0 = f.inode().pageAt(0);
        int p1 = f.inode().pageAt(1);
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(baseline + 2);

        assertThat(k.close(f)).isZero();
        assertThat(k.load(t, a + PAGE)).as("the VMA keeps the file").isEqualTo(D1);
        assertThat(k.munmap(t, a, 2 * PAGE)).isZero();
        assertThat(f.inode().evicted()).as("still named: it stays cached").isFalse();
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(baseline + 2);
        assertThatPage(k, p0).hasRefcount(1).hasMapcount(0).isDirty();

        assertThat(k.unlink(f.inode())).isZero();

        assertThat(f.inode().evicted()).isTrue();
        assertThat(f.inode().pageCache()).isEmpty();
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(baseline);
        assertThatPage(k, p0).isFree();
        assertThatPage(k, p1).isFree();
        assertThat(k.unlink(f.inode())).isEqualTo(-Errno.ENOENT);
        assertThat(k.open(f, false)).isNull();
    }

    @Test
    void anUnlinkedFileLivesUntilItsLastMappingGoes() {
        OpenFile f = k.creat(FsType.EXT4, "f", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, a, D0);
        assertThat(k.unlink(f.inode())).isZero();
        assertThat(k.close(f)).isZero();

        assertThat(f.inode().evicted()).isFalse();
        assertThat(k.load(t, a)).isEqualTo(D0);

        assertThat(k.munmap(t, a, PAGE)).isZero();

        assertThat(f.inode().evicted()).isTrue();
        assertThat(k.pageAlloc().nrAllocated()).isZero();
    }

    @Test
    void aMemfdDiesWithItsLastFileAndMapping() {
        OpenFile f = k.memfdCreate("buf", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, a, D0);
        assertThat(k.unlink(f.inode())).as("a memfd has no name").isEqualTo(-Errno.ENOENT);

        assertThat(k.close(f)).isZero();
        assertThat(f.inode().evicted()).isFalse();
        k.exit(t);

        assertThat(f.inode().evicted()).isTrue();
        assertThat(k.pageAlloc().nrAllocated()).isZero();
    }

    @Test
    void sharedAnonymousMemoryIsFreedWithTheLastMm() {
        long a = k.mmap(t, 0, PAGE, RW, SHARED_ANON);
        write(k, t, a, D0);
        Task child = k.fork(t, "child");
        k.load(child, a);
        Inode shm = t.mm().vmaAt(a).inode();

        k.exit(t);
        assertThat(shm.evicted()).isFalse();
        assertThat(k.load(child, a)).isEqualTo(D0);
        k.exit(child);

        assertThat(shm.evicted()).isTrue();
        assertThat(k.pageAlloc().nrAllocated()).isZero();
    }
}
