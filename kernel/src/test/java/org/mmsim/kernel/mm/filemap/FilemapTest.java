package org.mmsim.kernel.mm.filemap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.testing.KernelAssertions.at;
import static org.mmsim.kernel.testing.KernelAssertions.pfnAt;
import static org.mmsim.kernel.testing.KernelAssertions.rmapWalk;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.creat;
import static org.mmsim.kernel.testing.TestKernels.fork;
import static org.mmsim.kernel.testing.TestKernels.fsync;
import static org.mmsim.kernel.testing.TestKernels.inode;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.loadSignal;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.mmapFile;
import static org.mmsim.kernel.testing.TestKernels.mmapSharedAnon;
import static org.mmsim.kernel.testing.TestKernels.open;
import static org.mmsim.kernel.testing.TestKernels.pread;
import static org.mmsim.kernel.testing.TestKernels.pwrite;
import static org.mmsim.kernel.testing.TestKernels.store;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.fs.Inode;
import org.mmsim.kernel.fs.Vfs;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.syscall.FileSyscalls;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.RecordingJournal;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Fcntl;
import org.mmsim.kernel.uapi.Mman;
import org.mmsim.kernel.uapi.Signal;

/**
 * The page cache and file-backed faults (mm/filemap.c, mm/shmem.c, mm/memory.c {@code do_read_fault},
 * {@code do_cow_fault}, {@code do_shared_fault}, {@code wp_page_shared}) and writeback (mm/page-writeback.c,
 * reference 6.1): which frame a fault maps, with which pte bits, and what reaches the file and the disk.
 */
class FilemapTest {
    private static final long D0 = 0xD0;
    private static final long D1 = 0xD1;
    private static final long D2 = 0xD2;

    private final Kernel k = boot("6.18");
    private final Syscalls sys = k.syscalls();
    private final FileSyscalls fs = k.fileSyscalls();
    private final Task t = k.spawn("p");

    /** A one-page ext4 file holding D0, written back, so its page-cache page is clean: its fd. */
    private int cleanExt4File() {
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        pwrite(k, t, f, 0, D0);
        fsync(k, t, f);
        assertThat(inode(t, f).diskWord(0, 0)).isEqualTo(D0);
        return f;
    }

    /** The frame caching page {@code index} of the file {@code fd} is open on, or -1. */
    private int cached(int fd, long index) {
        return inode(t, fd).mapping().pageAt(index);
    }

    // ---- read faults --------------------------------------------------------------------------------------

    @ParameterizedTest(name = "flags={0}")
    @ValueSource(ints = {Mman.MAP_SHARED, Mman.MAP_PRIVATE})
    void aReadFaultMapsThePageCachePageItself(int flags) {
        int f = cleanExt4File();
        long a = mmapFile(k, t, f, 1, RW, flags);

        assertThat(load(k, t, a)).isEqualTo(D0);

        int cached = cached(f, 0);
        assertThat(cached).isPositive();
        assertThatPte(t, a).mapsPfn(cached).isNotSpecial().isReadOnly();
        assertThatPage(k, cached).as("cache + buffers + 1 pte").isNotAnon().isClean().hasRefcount(3).hasMapcount(1);
        assertThat(t.mm().rssFile()).isEqualTo(1);
        assertThat(t.mm().rssAnon()).isZero();
        assertThat(rmapWalk(k, cached)).containsExactly(at(t, a));

        Task other = k.spawn("other");
        int g = open(k, other, Vfs.path(FsType.EXT4, "f"), Fcntl.O_RDWR);
        long b = mmapFile(k, other, g, 1, Mman.PROT_READ, flags);
        assertThat(load(k, other, b)).isEqualTo(D0);
        assertThatPte(other, b).mapsPfn(cached);
        assertThatPage(k, cached).as("cache + buffers + 2 ptes").hasRefcount(4).hasMapcount(2);
    }

    @Test
    void aCleanPageOfASharedWritableExt4MappingIsMappedReadOnlyButTmpfsIsMappedWritable() {
        int ext4 = cleanExt4File();
        int tmpfs = creat(k, t, FsType.TMPFS, "t", PAGE);
        long a = mmapFile(k, t, ext4, 1, RW, Mman.MAP_SHARED);
        long b = mmapFile(k, t, tmpfs, 1, RW, Mman.MAP_SHARED);
        assertThat(t.mm().vmaAt(a).wantsWritenotify()).isTrue();
        assertThat(t.mm().vmaAt(b).wantsWritenotify()).isFalse();

        load(k, t, a);
        load(k, t, b);

        assertThatPte(t, a).as("ext4: write-notify").isReadOnly().mapsPfn(cached(ext4, 0));
        assertThatPte(t, b).as("tmpfs: PAGE_SHARED").isWritable().mapsPfn(cached(tmpfs, 0));
        assertThatPage(k, cached(ext4, 0)).isClean();
        assertThatPage(k, cached(tmpfs, 0)).isSwapBacked().isNotAnon();
        assertThat(t.mm().rssFile()).isEqualTo(1);
        assertThat(t.mm().rssShmem()).isEqualTo(1);
    }

    @Test
    void aMappingAtAnOffsetMapsThePageAtThatIndex() {
        int f = creat(k, t, FsType.EXT4, "f", 2 * PAGE);
        pwrite(k, t, f, 0, D0);
        pwrite(k, t, f, PAGE, D1);

        long a = sys.mmap(t, 0, PAGE, Mman.PROT_READ, Mman.MAP_SHARED, f, PAGE).run();

        assertThat(a).isPositive();
        assertThat(load(k, t, a)).isEqualTo(D1);
        assertThatPte(t, a).mapsPfn(cached(f, 1));
        assertThat(sys.mmap(t, 0, PAGE, Mman.PROT_READ, Mman.MAP_SHARED, f, 100).run()).as("unaligned offset")
                .isEqualTo(-Errno.EINVAL);
    }

    // ---- private writes -----------------------------------------------------------------------------------

    @Test
    void aPrivateWriteAfterAReadCopiesIntoAnAnonPageAndLeavesTheFileAlone() {
        int f = cleanExt4File();
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_PRIVATE);
        load(k, t, a);
        int cached = pfnAt(t, a);

        write(k, t, a, D1);

        int copy = pfnAt(t, a);
        assertThat(copy).isNotEqualTo(cached);
        assertThatPte(t, a).isWritable().isDirty();
        assertThatPage(k, copy).isAnonExclusive().hasRefcount(1).hasMapcount(1).holds(0, D1);
        assertThatPage(k, cached).isNotAnon().isClean().hasRefcount(2).hasMapcount(0).holds(0, D0);
        assertThat(cached(f, 0)).isEqualTo(cached);
        assertThat(pread(k, t, f, 0)).isEqualTo(D0);
        assertThat(t.mm().rssAnon()).isEqualTo(1);
        assertThat(t.mm().rssFile()).isZero();
        fsync(k, t, f);
        assertThat(inode(t, f).diskWord(0, 0)).isEqualTo(D0);
    }

    @Test
    void aFirstPrivateWriteCopiesWithoutEverMappingThePageCachePage() {
        int f = cleanExt4File();
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_PRIVATE);

        write(k, t, a, D1);

        int cached = cached(f, 0);
        assertThatPte(t, a).isWritable().doesNotMapPfn(cached);
        assertThatPage(k, pfnAt(t, a)).isAnon().holds(0, D1).holds(1, 0);
        assertThatPage(k, cached).hasRefcount(2).hasMapcount(0).holds(0, D0);
        assertThat(pread(k, t, f, 0)).isEqualTo(D0);
    }

    @Test
    void aPwriteIsSeenThroughAPrivateMappingOnlyUntilTheCopy() {
        int f = cleanExt4File();
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_PRIVATE);
        load(k, t, a);

        pwrite(k, t, f, 0, D1);
        assertThat(load(k, t, a)).as("still the page cache page").isEqualTo(D1);

        write(k, t, a + 8, 5);
        pwrite(k, t, f, 0, D2);
        assertThat(load(k, t, a)).as("the private copy").isEqualTo(D1);
        assertThat(load(k, t, a + 8)).isEqualTo(5);
        assertThat(pread(k, t, f, 8)).isZero();
    }

    @Test
    void mprotectNeverMapsAPageCachePageWritableInAPrivateMapping() {
        int f = cleanExt4File();
        long a = mmapFile(k, t, f, 1, Mman.PROT_READ, Mman.MAP_PRIVATE);
        load(k, t, a);
        int cached = cached(f, 0);

        assertThat(sys.mprotect(t, a, PAGE, RW).run()).isZero();

        assertThatPte(t, a).as("not anon-exclusive: the write must fault and copy").isReadOnly().mapsPfn(cached);
        write(k, t, a, D1);
        assertThatPte(t, a).isWritable().doesNotMapPfn(cached);
        assertThat(pread(k, t, f, 0)).isEqualTo(D0);
    }

    @Test
    void mprotectKeepsACleanSharedExt4PageReadOnlySoPageMkwriteStillRuns() {
        int f = cleanExt4File();
        long a = mmapFile(k, t, f, 1, Mman.PROT_READ, Mman.MAP_SHARED);
        load(k, t, a);
        int cached = cached(f, 0);

        assertThat(sys.mprotect(t, a, PAGE, RW).run()).isZero();

        assertThatPte(t, a).isReadOnly().mapsPfn(cached);
        assertThatPage(k, cached).isClean();
        write(k, t, a, D1);
        assertThatPte(t, a).isWritable().mapsPfn(cached);
        assertThatPage(k, cached).isDirty();
    }

    // ---- shared writes and writeback ----------------------------------------------------------------------

    @Test
    void aSharedWriteOnExt4GoesThroughPageMkwriteAndFsyncCleansAndWriteProtects() {
        int f = cleanExt4File();
        Inode inode = inode(t, f);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        load(k, t, a);
        int cached = cached(f, 0);
        RecordingJournal journal = new RecordingJournal();
        k.attach(journal);

        write(k, t, a, D1);

        assertThat(journal.entries("wp_page_shared")).isEqualTo(1);
        assertThat(journal.entries("do_page_mkwrite")).isEqualTo(1);
        assertThatPte(t, a).isWritable().isDirty().mapsPfn(cached);
        assertThatPage(k, cached).isDirty().hasRefcount(3).hasMapcount(1).holds(0, D1);
        assertThat(inode.diskWord(0, 0)).isEqualTo(D0);

        fsync(k, t, f);

        assertThat(inode.diskWord(0, 0)).isEqualTo(D1);
        assertThatPte(t, a).as("folio_mkclean").isReadOnly().isClean().mapsPfn(cached);
        assertThatPage(k, cached).isClean().hasRefcount(3); // cache, pte, buffers

        write(k, t, a, D2);

        assertThat(journal.entries("do_page_mkwrite")).as("the next store faults again").isEqualTo(2);
        assertThatPte(t, a).isWritable().isDirty().mapsPfn(cached);
        assertThatPage(k, cached).isDirty();
        assertThat(inode.diskWord(0, 0)).isEqualTo(D1);
        fsync(k, t, f);
        assertThat(inode.diskWord(0, 0)).isEqualTo(D2);
    }

    @Test
    void aFirstSharedWriteOnExt4MapsTheCachePageWritableAndDirty() {
        int f = cleanExt4File();
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);

        write(k, t, a, D1);

        assertThatPte(t, a).isWritable().isDirty().mapsPfn(cached(f, 0));
        assertThatPage(k, cached(f, 0)).isDirty().holds(0, D1);
        assertThat(pread(k, t, f, 0)).isEqualTo(D1);
    }

    @Test
    void fsyncOnTmpfsIsANoop() {
        int f = creat(k, t, FsType.TMPFS, "t", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, a, D1);
        int cached = cached(f, 0);

        fsync(k, t, f);

        assertThatPte(t, a).isWritable().isDirty().mapsPfn(cached);
        assertThatPage(k, cached).isDirty();
        assertThat(inode(t, f).diskWord(0, 0)).isZero();
        assertThat(pread(k, t, f, 0)).isEqualTo(D1);
    }

    @Test
    void aPwriteToTmpfsIsSeenThroughASharedMapping() {
        int f = creat(k, t, FsType.TMPFS, "t", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, a, D1);

        pwrite(k, t, f, 8, D2);

        assertThat(load(k, t, a + 8)).isEqualTo(D2);
        assertThat(pread(k, t, f, 0)).isEqualTo(D1);
    }

    // ---- end of file, holes -------------------------------------------------------------------------------

    @ParameterizedTest(name = "flags={0}")
    @ValueSource(ints = {Mman.MAP_SHARED, Mman.MAP_PRIVATE})
    void anAccessBeyondEndOfFileRaisesSigbus(int flags) {
        int f = cleanExt4File();
        long a = mmapFile(k, t, f, 2, RW, flags);

        assertThat(store(k, t, a + PAGE, 1)).isEqualTo(Signal.SIGBUS);
        assertThat(loadSignal(k, t, a + PAGE)).isEqualTo(Signal.SIGBUS);
        assertThatPte(t, a + PAGE).isNone();
        assertThat(cached(f, 1)).isEqualTo(-1);
        assertThat(sys.getUserPages(t, a + PAGE, 1, 0).run()).as("GUP: VM_FAULT_SIGBUS").isEqualTo(-Errno.EFAULT);

        pwrite(k, t, f, PAGE, D1);

        assertThat(inode(t, f).size()).isEqualTo(PAGE + 8);
        assertThat(load(k, t, a + PAGE)).isEqualTo(D1);
        assertThat(load(k, t, a)).isEqualTo(D0);
    }

    @Test
    void readingAHoleBringsAnExt4PageIntoTheCacheButNotATmpfsPage() {
        int ext4 = creat(k, t, FsType.EXT4, "e", PAGE);
        int tmpfs = creat(k, t, FsType.TMPFS, "t", PAGE);

        assertThat(pread(k, t, ext4, 0)).isZero();
        assertThat(pread(k, t, tmpfs, 0)).isZero();

        assertThat(inode(t, ext4).mapping().pages()).containsOnlyKeys(0L);
        assertThat(inode(t, tmpfs).mapping().pages()).isEmpty();
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(1);
        assertThat(fs.pread(t, ext4, PAGE).complete().ret()).as("at end of file").isZero();
    }

    /**
     * {@link Kernel#peek} promises what a load would return now, without faulting. For a file page that is not
     * mapped yet, a load maps the page cache (or reads the disk) and returns the file's data.
     */
    @ParameterizedTest(name = "flags={0}")
    @ValueSource(ints = {Mman.MAP_SHARED, Mman.MAP_PRIVATE})
    void peekOfAnUntouchedFilePageReadsTheFile(int flags) {
        int f = cleanExt4File();
        long a = mmapFile(k, t, f, 1, RW, flags);
        int allocated = k.pageAlloc().nrAllocated();

        Long peeked = k.peek(t, a);

        assertThatPte(t, a).isNone();
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(allocated);
        assertThat(peeked).isEqualTo(load(k, t, a)).isEqualTo(D0);
    }

    // ---- shared anonymous memory --------------------------------------------------------------------------

    @Test
    void sharedAnonymousMemoryIsShmemSharedWithTheChildAfterFork() {
        long a = mmapSharedAnon(k, t, 1, RW);
        write(k, t, a, D0);
        int pfn = pfnAt(t, a);
        assertThatPage(k, pfn).isNotAnon().isSwapBacked();
        Vma vma = t.mm().vmaAt(a);
        assertThat(vma.isShmem()).isTrue();
        assertThat(vma.has(VmFlags.VM_SHARED)).isTrue();

        Task child = fork(k, t, "child");

        assertThatPte(child, a).as("no page tables copied for a file VMA").isNone();
        assertThat(load(k, child, a)).isEqualTo(D0);
        assertThatPte(child, a).mapsPfn(pfn);
        write(k, t, a, D1);
        assertThat(load(k, child, a)).isEqualTo(D1);
        write(k, child, a, D2);
        assertThat(load(k, t, a)).isEqualTo(D2);
        assertThat(pfnAt(t, a)).isEqualTo(pfn);
        assertThatPage(k, pfn).hasRefcount(3).hasMapcount(2);
        assertThat(child.mm().rssShmem()).isEqualTo(1);
        assertThat(child.mm().rssAnon()).isZero();
    }

    @Test
    void privateAnonymousMemoryIsNotSharedWithTheChild() {
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, D0);
        Task child = fork(k, t, "child");

        write(k, t, a, D1);

        assertThat(load(k, child, a)).isEqualTo(D0);
    }
}
