package org.mmsim.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.KernelAssertions.pfnAt;
import static org.mmsim.kernel.TestKernels.PAGE;
import static org.mmsim.kernel.TestKernels.RW;
import static org.mmsim.kernel.TestKernels.boot;
import static org.mmsim.kernel.TestKernels.mmapFile;
import static org.mmsim.kernel.TestKernels.pread;
import static org.mmsim.kernel.TestKernels.pwrite;
import static org.mmsim.kernel.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The page cache and file-backed faults (mm/filemap.c, mm/shmem.c, mm/memory.c {@code do_read_fault},
 * {@code do_cow_fault}, {@code do_shared_fault}, {@code wp_page_shared}) and writeback (mm/page-writeback.c,
 * reference 6.1): which frame a fault maps, with which pte bits, and what reaches the file and the disk.
 */
class FilemapTest {
    private static final long D0 = 0xD0;
    private static final long D1 = 0xD1;
    private static final long D2 = 0xD2;
    private static final int SHARED_ANON = Mman.MAP_SHARED | Mman.MAP_ANONYMOUS;

    private final Kernel k = boot("6.18");
    private final Task t = k.spawn("p");

    /** A one-page ext4 file holding D0, written back, so its page-cache page is clean. */
    private OpenFile cleanExt4File() {
        OpenFile f = k.creat(FsType.EXT4, "f", PAGE);
        pwrite(k, f, 0, D0);
        assertThat(k.fsync(f)).isZero();
        assertThat(f.inode().diskWord(0, 0)).isEqualTo(D0);
        return f;
    }

    // ---- read faults --------------------------------------------------------------------------------------

    @ParameterizedTest(name = "flags={0}")
    @ValueSource(ints = {Mman.MAP_SHARED, Mman.MAP_PRIVATE})
    void aReadFaultMapsThePageCachePageItself(int flags) {
        OpenFile f = cleanExt4File();
        long a = mmapFile(k, t, f, 1, RW, flags);

        assertThat(k.load(t, a)).isEqualTo(D0);

        int cached = f.inode().pageAt(0);
        assertThat(cached).isPositive();
        assertThatPte(t, a).mapsPfn(cached).isNotSpecial().isReadOnly();
        assertThatPage(k, cached).as("cache + 1 pte").isNotAnon().isClean().hasRefcount(2).hasMapcount(1);
        assertThat(t.mm().rssFile()).isEqualTo(1);
        assertThat(t.mm().rssAnon()).isZero();
        assertThat(k.rmapWalk(cached)).containsExactly(String.format("mm %d %#x", t.mm().id(), a));

        Task other = k.spawn("other");
        long b = mmapFile(k, other, f, 1, Mman.PROT_READ, flags);
        assertThat(k.load(other, b)).isEqualTo(D0);
        assertThatPte(other, b).mapsPfn(cached);
        assertThatPage(k, cached).as("cache + 2 ptes").hasRefcount(3).hasMapcount(2);
    }

    @Test
    void aCleanPageOfASharedWritableExt4MappingIsMappedReadOnlyButTmpfsIsMappedWritable() {
        OpenFile ext4 = cleanExt4File();
        OpenFile tmpfs = k.creat(FsType.TMPFS, "t", PAGE);
        long a = mmapFile(k, t, ext4, 1, RW, Mman.MAP_SHARED);
        long b = mmapFile(k, t, tmpfs, 1, RW, Mman.MAP_SHARED);
        assertThat(t.mm().vmaAt(a).wantsWritenotify()).isTrue();
        assertThat(t.mm().vmaAt(b).wantsWritenotify()).isFalse();

        k.load(t, a);
        k.load(t, b);

        assertThatPte(t, a).as("ext4: write-notify").isReadOnly().mapsPfn(ext4.inode().pageAt(0));
        assertThatPte(t, b).as("tmpfs: PAGE_SHARED").isWritable().mapsPfn(tmpfs.inode().pageAt(0));
        assertThatPage(k, ext4.inode().pageAt(0)).isClean();
        assertThatPage(k, tmpfs.inode().pageAt(0)).isSwapBacked().isNotAnon();
        assertThat(t.mm().rssFile()).isEqualTo(1);
        assertThat(t.mm().rssShmem()).isEqualTo(1);
    }

    @Test
    void aMappingAtAnOffsetMapsThePageAtThatIndex() {
        OpenFile f = k.creat(FsType.EXT4, "f", 2 * PAGE);
        pwrite(k, f, 0, D0);
        pwrite(k, f, PAGE, D1);

        long a = k.mmapFile(t, 0, PAGE, Mman.PROT_READ, Mman.MAP_SHARED, f, PAGE);

        assertThat(a).isPositive();
        assertThat(k.load(t, a)).isEqualTo(D1);
        assertThatPte(t, a).mapsPfn(f.inode().pageAt(1));
        assertThat(k.mmapFile(t, 0, PAGE, Mman.PROT_READ, Mman.MAP_SHARED, f, 100)).as("unaligned offset")
                .isEqualTo(-Errno.EINVAL);
    }

    // ---- private writes -----------------------------------------------------------------------------------

    @Test
    void aPrivateWriteAfterAReadCopiesIntoAnAnonPageAndLeavesTheFileAlone() {
        OpenFile f = cleanExt4File();
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_PRIVATE);
        k.load(t, a);
        int cached = pfnAt(t, a);

        write(k, t, a, D1);

        int copy = pfnAt(t, a);
        assertThat(copy).isNotEqualTo(cached);
        assertThatPte(t, a).isWritable().isDirty();
        assertThatPage(k, copy).isAnonExclusive().hasRefcount(1).hasMapcount(1).holds(0, D1);
        assertThatPage(k, cached).isNotAnon().isClean().hasRefcount(1).hasMapcount(0).holds(0, D0);
        assertThat(f.inode().pageAt(0)).isEqualTo(cached);
        assertThat(pread(k, f, 0)).isEqualTo(D0);
        assertThat(t.mm().rssAnon()).isEqualTo(1);
        assertThat(t.mm().rssFile()).isZero();
        assertThat(k.fsync(f)).isZero();
        assertThat(f.inode().diskWord(0, 0)).isEqualTo(D0);
    }

    @Test
    void aFirstPrivateWriteCopiesWithoutEverMappingThePageCachePage() {
        OpenFile f = cleanExt4File();
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_PRIVATE);

        write(k, t, a, D1);

        int cached = f.inode().pageAt(0);
        assertThatPte(t, a).isWritable().doesNotMapPfn(cached);
        assertThatPage(k, pfnAt(t, a)).isAnon().holds(0, D1).holds(1, 0);
        assertThatPage(k, cached).hasRefcount(1).hasMapcount(0).holds(0, D0);
        assertThat(pread(k, f, 0)).isEqualTo(D0);
    }

    @Test
    void aPwriteIsSeenThroughAPrivateMappingOnlyUntilTheCopy() {
        OpenFile f = cleanExt4File();
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_PRIVATE);
        k.load(t, a);

        pwrite(k, f, 0, D1);
        assertThat(k.load(t, a)).as("still the page cache page").isEqualTo(D1);

        write(k, t, a + 8, 5);
        pwrite(k, f, 0, D2);
        assertThat(k.load(t, a)).as("the private copy").isEqualTo(D1);
        assertThat(k.load(t, a + 8)).isEqualTo(5);
        assertThat(pread(k, f, 8)).isZero();
    }

    @Test
    void mprotectNeverMapsAPageCachePageWritableInAPrivateMapping() {
        OpenFile f = cleanExt4File();
        long a = mmapFile(k, t, f, 1, Mman.PROT_READ, Mman.MAP_PRIVATE);
        k.load(t, a);
        int cached = f.inode().pageAt(0);

        assertThat(k.mprotect(t, a, PAGE, RW)).isZero();

        assertThatPte(t, a).as("not anon-exclusive: the write must fault and copy").isReadOnly().mapsPfn(cached);
        write(k, t, a, D1);
        assertThatPte(t, a).isWritable().doesNotMapPfn(cached);
        assertThat(pread(k, f, 0)).isEqualTo(D0);
    }

    @Test
    void mprotectKeepsACleanSharedExt4PageReadOnlySoPageMkwriteStillRuns() {
        OpenFile f = cleanExt4File();
        long a = mmapFile(k, t, f, 1, Mman.PROT_READ, Mman.MAP_SHARED);
        k.load(t, a);
        int cached = f.inode().pageAt(0);

        assertThat(k.mprotect(t, a, PAGE, RW)).isZero();

        assertThatPte(t, a).isReadOnly().mapsPfn(cached);
        assertThatPage(k, cached).isClean();
        write(k, t, a, D1);
        assertThatPte(t, a).isWritable().mapsPfn(cached);
        assertThatPage(k, cached).isDirty();
    }

    // ---- shared writes and writeback ----------------------------------------------------------------------

    @Test
    void aSharedWriteOnExt4GoesThroughPageMkwriteAndFsyncCleansAndWriteProtects() {
        OpenFile f = cleanExt4File();
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        k.load(t, a);
        int cached = f.inode().pageAt(0);
        RecordingJournal journal = new RecordingJournal();
        k.setJournal(journal);

        write(k, t, a, D1);

        assertThat(journal.entries("wp_page_shared")).isEqualTo(1);
        assertThat(journal.entries("do_page_mkwrite")).isEqualTo(1);
        assertThatPte(t, a).isWritable().isDirty().mapsPfn(cached);
        assertThatPage(k, cached).isDirty().hasRefcount(2).hasMapcount(1).holds(0, D1);
        assertThat(f.inode().diskWord(0, 0)).isEqualTo(D0);

        assertThat(k.fsync(f)).isZero();

        assertThat(f.inode().diskWord(0, 0)).isEqualTo(D1);
        assertThatPte(t, a).as("folio_mkclean").isReadOnly().isClean().mapsPfn(cached);
        assertThatPage(k, cached).isClean().hasRefcount(2);

        write(k, t, a, D2);

        assertThat(journal.entries("do_page_mkwrite")).as("the next store faults again").isEqualTo(2);
        assertThatPte(t, a).isWritable().isDirty().mapsPfn(cached);
        assertThatPage(k, cached).isDirty();
        assertThat(f.inode().diskWord(0, 0)).isEqualTo(D1);
        assertThat(k.fsync(f)).isZero();
        assertThat(f.inode().diskWord(0, 0)).isEqualTo(D2);
    }

    @Test
    void aFirstSharedWriteOnExt4MapsTheCachePageWritableAndDirty() {
        OpenFile f = cleanExt4File();
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);

        write(k, t, a, D1);

        assertThatPte(t, a).isWritable().isDirty().mapsPfn(f.inode().pageAt(0));
        assertThatPage(k, f.inode().pageAt(0)).isDirty().holds(0, D1);
        assertThat(pread(k, f, 0)).isEqualTo(D1);
    }

    @Test
    void fsyncOnTmpfsIsANoop() {
        OpenFile f = k.creat(FsType.TMPFS, "t", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, a, D1);
        int cached = f.inode().pageAt(0);

        assertThat(k.fsync(f)).isZero();

        assertThatPte(t, a).isWritable().isDirty().mapsPfn(cached);
        assertThatPage(k, cached).isDirty();
        assertThat(f.inode().diskWord(0, 0)).isZero();
        assertThat(pread(k, f, 0)).isEqualTo(D1);
    }

    @Test
    void aPwriteToTmpfsIsSeenThroughASharedMapping() {
        OpenFile f = k.creat(FsType.TMPFS, "t", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, a, D1);

        pwrite(k, f, 8, D2);

        assertThat(k.load(t, a + 8)).isEqualTo(D2);
        assertThat(pread(k, f, 0)).isEqualTo(D1);
    }

    // ---- end of file, holes -------------------------------------------------------------------------------

    @ParameterizedTest(name = "flags={0}")
    @ValueSource(ints = {Mman.MAP_SHARED, Mman.MAP_PRIVATE})
    void anAccessBeyondEndOfFileRaisesSigbus(int flags) {
        OpenFile f = cleanExt4File();
        long a = mmapFile(k, t, f, 2, RW, flags);

        assertThat(k.store(t, a + PAGE, 1)).isEqualTo(7);
        assertThat(k.lastSignal()).isEqualTo(7);
        assertThat(k.load(t, a + PAGE)).isNull();
        assertThat(k.lastSignal()).isEqualTo(7);
        assertThatPte(t, a + PAGE).isNone();
        assertThat(f.inode().pageAt(1)).isEqualTo(-1);
        assertThat(k.gup(t, a + PAGE, 1, 0, false, false).ret()).as("GUP: VM_FAULT_SIGBUS").isEqualTo(-Errno.EFAULT);

        pwrite(k, f, PAGE, D1);

        assertThat(f.inode().size()).isEqualTo(PAGE + 8);
        assertThat(k.load(t, a + PAGE)).isEqualTo(D1);
        assertThat(k.load(t, a)).isEqualTo(D0);
    }

    @Test
    void readingAHoleBringsAnExt4PageIntoTheCacheButNotATmpfsPage() {
        OpenFile ext4 = k.creat(FsType.EXT4, "e", PAGE);
        OpenFile tmpfs = k.creat(FsType.TMPFS, "t", PAGE);

        assertThat(pread(k, ext4, 0)).isZero();
        assertThat(pread(k, tmpfs, 0)).isZero();

        assertThat(ext4.inode().pageCache()).containsOnlyKeys(0L);
        assertThat(tmpfs.inode().pageCache()).isEmpty();
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(1);
        assertThat(k.pread(ext4, PAGE).ret()).as("at end of file").isZero();
    }

    /**
     * {@link Kernel#peek} promises what a load would return now, without faulting. For a file page that is not
     * mapped yet, a load maps the page cache (or reads the disk) and returns the file's data.
     */
    @ParameterizedTest(name = "flags={0}")
    @ValueSource(ints = {Mman.MAP_SHARED, Mman.MAP_PRIVATE})
    void peekOfAnUntouchedFilePageReadsTheFile(int flags) {
        OpenFile f = cleanExt4File();
        long a = mmapFile(k, t, f, 1, RW, flags);
        int allocated = k.pageAlloc().nrAllocated();

        Long peeked = k.peek(t, a);

        assertThatPte(t, a).isNone();
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(allocated);
        assertThat(peeked).isEqualTo(k.load(t, a)).isEqualTo(D0);
    }

    // ---- shared anonymous memory --------------------------------------------------------------------------

    @Test
    void sharedAnonymousMemoryIsShmemSharedWithTheChildAfterFork() {
        long a = k.mmap(t, 0, PAGE, RW, SHARED_ANON);
        write(k, t, a, D0);
        int pfn = pfnAt(t, a);
        assertThatPage(k, pfn).isNotAnon().isSwapBacked();
        Vma vma = t.mm().vmaAt(a);
        assertThat(vma.isShmem()).isTrue();
        assertThat(vma.has(VmFlags.VM_SHARED)).isTrue();

        Task child = k.fork(t, "child");

        assertThatPte(child, a).as("no page tables copied for a file VMA").isNone();
        assertThat(k.load(child, a)).isEqualTo(D0);
        assertThatPte(child, a).mapsPfn(pfn);
        write(k, t, a, D1);
        assertThat(k.load(child, a)).isEqualTo(D1);
        write(k, child, a, D2);
        assertThat(k.load(t, a)).isEqualTo(D2);
        assertThat(pfnAt(t, a)).isEqualTo(pfn);
        assertThatPage(k, pfn).hasRefcount(3).hasMapcount(2);
        assertThat(child.mm().rssShmem()).isEqualTo(1);
        assertThat(child.mm().rssAnon()).isZero();
    }

    @Test
    void privateAnonymousMemoryIsNotSharedWithTheChild() {
        long a = k.mmap(t, 0, PAGE, RW, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
        write(k, t, a, D0);
        Task child = k.fork(t, "child");

        write(k, t, a, D1);

        assertThat(k.load(child, a)).isEqualTo(D0);
    }
}
