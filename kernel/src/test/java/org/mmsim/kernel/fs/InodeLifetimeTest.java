package org.mmsim.kernel.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.testing.KernelAssertions.at;
import static org.mmsim.kernel.testing.KernelAssertions.rmapWalk;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.creat;
import static org.mmsim.kernel.testing.TestKernels.exit;
import static org.mmsim.kernel.testing.TestKernels.file;
import static org.mmsim.kernel.testing.TestKernels.fork;
import static org.mmsim.kernel.testing.TestKernels.fsync;
import static org.mmsim.kernel.testing.TestKernels.inode;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.memfdCreate;
import static org.mmsim.kernel.testing.TestKernels.mmapFile;
import static org.mmsim.kernel.testing.TestKernels.mmapSharedAnon;
import static org.mmsim.kernel.testing.TestKernels.openReadOnly;
import static org.mmsim.kernel.testing.TestKernels.pread;
import static org.mmsim.kernel.testing.TestKernels.pwrite;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.syscall.FileSyscalls;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Fcntl;
import org.mmsim.kernel.uapi.Mman;

/**
 * Open files, mappings and the inode's lifetime (fs/inode.c {@code iput}/{@code evict},
 * {@code truncate_inode_pages_final}; fs/file_table.c {@code fput}; mm/mmap.c {@code do_mmap}'s access-mode checks):
 * {@code i_count} counts the open files on the inode, each fd and each VMA holds its file, and a file lives while it
 * has a name or an open file; its page cache is freed when the last of them goes.
 */
class InodeLifetimeTest {
    private static final long D0 = 0xD0;
    private static final long D1 = 0xD1;
    private static final long D2 = 0xD2;
    private static final String PATH = Vfs.path(FsType.EXT4, "f");

    private final Kernel k = boot("6.18");
    private final Syscalls sys = k.syscalls();
    private final FileSyscalls fs = k.fileSyscalls();
    private final Task t = k.spawn("p");

    /** A one-page ext4 file holding D0, written back: its fd. */
    private int cleanExt4File() {
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        pwrite(k, t, f, 0, D0);
        fsync(k, t, f);
        return f;
    }

    // ---- references ---------------------------------------------------------------------------------------

    @Test
    void theInodeCountsOpenFilesAndEachVmaHoldsItsFile() {
        int f = creat(k, t, FsType.EXT4, "f", 2 * PAGE);
        Inode inode = inode(t, f);
        File file = file(t, f);
        assertThat(inode.count()).isEqualTo(1);
        assertThat(file.count()).as("the fd's").isEqualTo(1);

        long a = mmapFile(k, t, f, 2, RW, Mman.MAP_SHARED);
        int ro = openReadOnly(k, t, f);

        assertThat(file.count()).as("the fd's and the VMA's").isEqualTo(2);
        assertThat(inode.count()).as("two open files").isEqualTo(2);
        assertThat(sys.munmap(t, a + PAGE, PAGE).run()).isZero();
        assertThat(file.count()).as("a split VMA took one more, and its unmapped half gave it back").isEqualTo(2);
        assertThat(fs.close(t, ro).run()).isZero();
        assertThat(fs.close(t, f).run()).isZero();
        assertThat(inode.count()).as("the VMA keeps its file open").isEqualTo(1);
        assertThat(file.released()).isFalse();
        assertThat(sys.munmap(t, a, PAGE).run()).isZero();
        assertThat(file.released()).isTrue();
        assertThat(inode.count()).isZero();
        assertThat(inode.evicted()).as("still named").isFalse();
    }

    // ---- access modes -------------------------------------------------------------------------------------

    @Test
    void aSharedWritableMappingOfAReadOnlyFileIsEaccesButAPrivateOneIsAllowed() {
        int f = cleanExt4File();
        int ro = openReadOnly(k, t, f);
        assertThat(file(t, ro).writable()).isFalse();

        assertThat(sys.mmap(t, 0, PAGE, RW, Mman.MAP_SHARED, ro, 0).run()).isEqualTo(-Errno.EACCES);

        long shared = mmapFile(k, t, ro, 1, Mman.PROT_READ, Mman.MAP_SHARED);
        Vma vma = t.mm().vmaAt(shared);
        assertThat(vma.has(VmFlags.VM_MAYWRITE)).isFalse();
        assertThat(vma.has(VmFlags.VM_SHARED)).isFalse();
        assertThat(vma.has(VmFlags.VM_MAYSHARE)).isTrue();
        assertThat(sys.mprotect(t, shared, PAGE, RW).run()).isEqualTo(-Errno.EACCES);

        long priv = mmapFile(k, t, ro, 1, RW, Mman.MAP_PRIVATE);
        write(k, t, priv, D1);
        assertThat(load(k, t, shared)).isEqualTo(D0);
        assertThat(pread(k, t, ro, 0)).isEqualTo(D0);
        assertThat(fs.pwrite(t, ro, 0, D2).run()).isEqualTo(-Errno.EBADF);
    }

    @Test
    void aClosedFdIsEbadf() {
        int f = cleanExt4File();
        assertThat(fs.close(t, f).run()).isZero();
        assertThat(fs.close(t, f).run()).isEqualTo(-Errno.EBADF);

        assertThat(sys.mmap(t, 0, PAGE, RW, Mman.MAP_PRIVATE, f, 0).run()).isEqualTo(-Errno.EBADF);
        assertThat(fs.pread(t, f, 0).complete().ret()).isEqualTo(-Errno.EBADF);
        assertThat(fs.fsync(t, f).run()).isEqualTo(-Errno.EBADF);
    }

    // ---- splitting ----------------------------------------------------------------------------------------

    @Test
    void afterAPartialMunmapWritebackStillFindsTheRemainingPteThroughTheSplitVmasOffset() {
        int f = creat(k, t, FsType.EXT4, "f", 2 * PAGE);
        Inode inode = inode(t, f);
        long a = mmapFile(k, t, f, 2, RW, Mman.MAP_SHARED);
        write(k, t, a, D0);
        write(k, t, a + PAGE, D1);

        assertThat(sys.munmap(t, a, PAGE).run()).isZero();

        Vma rest = t.mm().vmaAt(a + PAGE);
        assertThat(rest.pgoff()).isEqualTo(1);
        assertThat(inode.mapping().iMmap()).containsExactly(rest);
        assertThat(rmapWalk(k, inode.mapping().pageAt(1))).containsExactly(at(t, a + PAGE));
        assertThat(rmapWalk(k, inode.mapping().pageAt(0))).isEmpty();
        fsync(k, t, f);
        assertThat(inode.diskWord(0, 0)).isEqualTo(D0);
        assertThat(inode.diskWord(1, 0)).isEqualTo(D1);
        assertThatPte(t, a + PAGE).isReadOnly().isClean();
    }

    @Test
    void splittingAFileVmaKeepsTheInodeReferencesBalanced() {
        int f = creat(k, t, FsType.EXT4, "f", 3 * PAGE);
        Inode inode = inode(t, f);
        long a = mmapFile(k, t, f, 3, RW, Mman.MAP_SHARED);
        write(k, t, a + 2 * PAGE, D0);

        assertThat(sys.mprotect(t, a + PAGE, PAGE, Mman.PROT_READ).run()).isZero();

        assertThat(inode.mapping().iMmap()).hasSize(3);
        assertThat(fs.unlink(t, PATH).run()).isZero();
        assertThat(fs.close(t, f).run()).isZero();
        assertThat(sys.munmap(t, a, 2 * PAGE).run()).isZero();
        assertThat(inode.evicted()).as("the third page is still mapped").isFalse();
        assertThat(load(k, t, a + 2 * PAGE)).isEqualTo(D0);
        assertThat(sys.munmap(t, a + 2 * PAGE, PAGE).run()).isZero();
        assertThat(inode.evicted()).isTrue();
        assertThat(k.pageAlloc().nrAllocated()).isZero();
    }

    // ---- eviction -----------------------------------------------------------------------------------------

    @Test
    void closeMunmapAndUnlinkFreeThePageCache() {
        int baseline = k.pageAlloc().nrAllocated();
        int f = creat(k, t, FsType.EXT4, "f", 2 * PAGE);
        Inode inode = inode(t, f);
        long a = mmapFile(k, t, f, 2, RW, Mman.MAP_SHARED);
        write(k, t, a, D0);
        write(k, t, a + PAGE, D1);
        int p0 = inode.mapping().pageAt(0);
        int p1 = inode.mapping().pageAt(1);
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(baseline + 2);

        assertThat(fs.close(t, f).run()).isZero();
        assertThat(load(k, t, a + PAGE)).as("the VMA keeps the file").isEqualTo(D1);
        assertThat(sys.munmap(t, a, 2 * PAGE).run()).isZero();
        assertThat(inode.evicted()).as("still named: it stays cached").isFalse();
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(baseline + 2);
        assertThatPage(k, p0).hasRefcount(2).hasMapcount(0).isDirty(); // the cache and the buffers

        assertThat(fs.unlink(t, PATH).run()).isZero();

        assertThat(inode.evicted()).isTrue();
        assertThat(inode.mapping().pages()).isEmpty();
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(baseline);
        assertThatPage(k, p0).isFree();
        assertThatPage(k, p1).isFree();
        assertThat(fs.unlink(t, PATH).run()).isEqualTo(-Errno.ENOENT);
        assertThat(fs.open(t, PATH, Fcntl.O_RDONLY).run()).isEqualTo(-Errno.ENOENT);
    }

    @Test
    void anUnlinkedFileLivesUntilItsLastMappingGoes() {
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        Inode inode = inode(t, f);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, a, D0);
        assertThat(fs.unlink(t, PATH).run()).isZero();
        assertThat(fs.close(t, f).run()).isZero();

        assertThat(inode.evicted()).isFalse();
        assertThat(load(k, t, a)).isEqualTo(D0);

        assertThat(sys.munmap(t, a, PAGE).run()).isZero();

        assertThat(inode.evicted()).isTrue();
        assertThat(k.pageAlloc().nrAllocated()).isZero();
    }

    @Test
    void anUnlinkedFileCanBeOpenedAgainThroughProcSelfFdWhileItLives() {
        int f = cleanExt4File();
        assertThat(fs.unlink(t, PATH).run()).isZero();

        int again = openReadOnly(k, t, f);
        assertThat(fs.close(t, f).run()).isZero();

        assertThat(inode(t, again).evicted()).isFalse();
        assertThat(pread(k, t, again, 0)).isEqualTo(D0);
        Inode inode = inode(t, again);
        assertThat(fs.close(t, again).run()).isZero();
        assertThat(inode.evicted()).isTrue();
    }

    @Test
    void aMemfdDiesWithItsLastFileAndMapping() {
        int f = memfdCreate(k, t, "buf", PAGE);
        Inode inode = inode(t, f);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, a, D0);
        assertThat(fs.unlink(t, Vfs.path(FsType.TMPFS, inode.name())).run()).as("a memfd has no name")
                .isEqualTo(-Errno.ENOENT);

        assertThat(fs.close(t, f).run()).isZero();
        assertThat(inode.evicted()).isFalse();
        exit(k, t);

        assertThat(inode.evicted()).isTrue();
        assertThat(k.pageAlloc().nrAllocated()).isZero();
    }

    @Test
    void exitClosesEveryFdAndTheLastCloseEvictsAnUnlinkedFile() {
        int f = cleanExt4File();
        Inode inode = inode(t, f);
        assertThat(fs.unlink(t, PATH).run()).isZero();

        exit(k, t);

        assertThat(inode.count()).isZero();
        assertThat(inode.evicted()).isTrue();
        assertThat(k.vfs().files()).allSatisfy(file -> assertThat(file.released()).isTrue());
    }

    @Test
    void sharedAnonymousMemoryIsFreedWithTheLastMm() {
        long a = mmapSharedAnon(k, t, 1, RW);
        write(k, t, a, D0);
        Task child = fork(k, t, "child");
        load(k, child, a);
        AddressSpace shm = t.mm().vmaAt(a).mapping();

        exit(k, t);
        assertThat(shm.evicted()).isFalse();
        assertThat(load(k, child, a)).isEqualTo(D0);
        exit(k, child);

        assertThat(shm.evicted()).isTrue();
        assertThat(k.pageAlloc().nrAllocated()).isZero();
    }
}
