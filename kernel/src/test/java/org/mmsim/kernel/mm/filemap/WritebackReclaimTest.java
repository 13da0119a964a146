package org.mmsim.kernel.mm.filemap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.testing.TestKernels.FRAMES;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.creat;
import static org.mmsim.kernel.testing.TestKernels.dmaWrite;
import static org.mmsim.kernel.testing.TestKernels.fsync;
import static org.mmsim.kernel.testing.TestKernels.inode;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.mmapFile;
import static org.mmsim.kernel.testing.TestKernels.pread;
import static org.mmsim.kernel.testing.TestKernels.profile;
import static org.mmsim.kernel.testing.TestKernels.pwrite;
import static org.mmsim.kernel.testing.TestKernels.violatedInvariants;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.bug.KernelBug;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.syscall.FileSyscalls;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.InvariantsNotChecked;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Mman;

/**
 * Writeback ({@code write_cache_pages}, mm/page-writeback.c; ext4's {@code ->writepages}) and reclaim
 * ({@code shrink_folio_list}, mm/vmscan.c) step by step: PG_private (buffers), PG_dirty, PG_writeback, PG_locked,
 * refcount, mapcount, the ptes and the disk after each point; the waits on the page lock; ext4's answer to a dirty
 * page without buffers by profile; set_page_dirty_lock; the errnos of the operations.
 */
class WritebackReclaimTest {
    private static final long D0 = 0xD0;
    private static final long D1 = 0xD1;
    private static final long D2 = 0xD2;

    private Kernel k = boot("6.18");
    private Syscalls sys = k.syscalls();
    private FileSyscalls fs = k.fileSyscalls();
    private Task t = k.spawn("p");

    private void reboot(Kernel kernel) {
        k = kernel;
        sys = k.syscalls();
        fs = k.fileSyscalls();
        t = k.spawn("p");
    }

    private int cached(int fd, long index) {
        return inode(t, fd).mapping().pageAt(index);
    }

    private boolean flag(int pfn, int flag) {
        return k.frames().test(pfn, flag);
    }

    // ---- buffers ----------------------------------------------------------------------------------------------

    @Test
    void ext4WriteBeginAttachesBuffersWithAReference() {
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        pwrite(k, t, f, 0, D0);

        int pfn = cached(f, 0);
        assertThat(flag(pfn, PageFlags.PG_PRIVATE)).isTrue();
        assertThatPage(k, pfn).hasRefcount(2).isDirty(); // the cache and folio->private
    }

    @Test
    void tmpfsNeverHasBuffers() {
        int f = creat(k, t, FsType.TMPFS, "f", PAGE);
        pwrite(k, t, f, 0, D0);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, a, D1);

        assertThat(flag(cached(f, 0), PageFlags.PG_PRIVATE)).isFalse();
        assertThatPage(k, cached(f, 0)).hasRefcount(2).hasMapcount(1);
    }

    @Test
    void ext4PageMkwriteAttachesBuffersAndDirties() {
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, a, D1);

        int pfn = cached(f, 0);
        assertThat(flag(pfn, PageFlags.PG_PRIVATE)).isTrue();
        assertThatPage(k, pfn).hasRefcount(3).hasMapcount(1).isDirty(); // cache, pte, buffers
        assertThatPte(t, a).isWritable().isDirty();
    }

    // ---- writeback, point by point ----------------------------------------------------------------------------

    @Test
    void writebackLocksCleansStartsUnlocksThenWritesTheWordsOfThatStep() {
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, a, D1);
        int pfn = cached(f, 0);
        KernelCall<Void> wb = fs.writeback(t, f);

        wb.step(); // folio_lock, folio_mkclean of the one pte
        assertThat(wb.point()).contains("folio_mkclean(index 0) done");
        assertThat(flag(pfn, PageFlags.PG_LOCKED)).isTrue();
        assertThatPte(t, a).isReadOnly().isClean();
        assertThatPage(k, pfn).isDirty(); // the dirty pte moved into PG_dirty

        wb.step(); // test-and-clear dirty, start writeback, unlock
        assertThat(flag(pfn, PageFlags.PG_LOCKED)).isFalse();
        assertThat(flag(pfn, PageFlags.PG_WRITEBACK)).isTrue();
        assertThatPage(k, pfn).isClean().hasRefcount(3).hasMapcount(1);
        assertThat(inode(t, f).diskWord(0, 0)).isZero();

        k.frames().setWord(pfn, 1, D2); // what the page holds when the bio runs is what the disk gets
        wb.step();
        assertThat(wb.done()).isTrue();
        assertThat(wb.ret()).isZero();
        assertThat(flag(pfn, PageFlags.PG_WRITEBACK)).isFalse();
        assertThat(inode(t, f).diskWord(0, 0)).isEqualTo(D1);
        assertThat(inode(t, f).diskWord(0, 1)).isEqualTo(D2);
        assertThat(flag(pfn, PageFlags.PG_PRIVATE)).isTrue();
    }

    @Test
    void folioMkcleanStopsAfterEachPte() {
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        long b = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, a, D1);
        write(k, t, b, D2);
        KernelCall<Void> wb = fs.writeback(t, f);

        wb.step();
        assertThat(wb.point()).contains("cleaned");
        assertThatPte(t, a).isReadOnly().isClean();
        assertThatPte(t, b).isWritable().isDirty();
        assertThat(wb.blockedOn()).isNull();

        wb.step();
        assertThatPte(t, b).isReadOnly().isClean();
        wb.run();
        assertThat(inode(t, f).diskWord(0, 0)).isEqualTo(D2);
    }

    @Test
    void aLockedPageMakesStoresPwriteFsyncAndAnotherWritebackWait() {
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, a, D1);
        KernelCall<Void> wb = fs.writeback(t, f);
        wb.step(); // holds PG_locked, pte read-only

        assertThat(sys.store(t, a, D2).blockedOn()).isNotNull().extracting(Acquire::mode).isEqualTo("wait");
        assertThat(fs.pwrite(t, f, 0, D2).blockedOn()).isNotNull();
        assertThat(fs.fsync(t, f).blockedOn()).isNotNull();
        KernelCall<Void> other = fs.writeback(t, f);
        other.step(); // finds the page locked: stops at folio_lock
        assertThat(other.blockedOn()).isNotNull();

        wb.step(); // unlocked, under writeback
        assertThat(sys.store(t, a, D2).blockedOn()).as("no stable pages: the store does not wait").isNull();
        assertThat(other.blockedOn()).isNull();
        wb.run();
        other.run();
        assertThat(other.ret()).isZero();
    }

    @Test
    void fsyncRunsWritebackToItsEnd() {
        int f = creat(k, t, FsType.EXT4, "f", 2 * PAGE);
        pwrite(k, t, f, 0, D0);
        pwrite(k, t, f, PAGE, D1);

        assertThat(fs.fsync(t, f).run()).isZero();

        assertThat(inode(t, f).diskWord(0, 0)).isEqualTo(D0);
        assertThat(inode(t, f).diskWord(1, 0)).isEqualTo(D1);
        assertThatPage(k, cached(f, 0)).isClean();
        assertThatPage(k, cached(f, 1)).isClean();
    }

    @Test
    void syncWritesEveryFile() {
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        int g = creat(k, t, FsType.EXT4, "g", PAGE);
        int s = creat(k, t, FsType.TMPFS, "s", PAGE);
        pwrite(k, t, f, 0, D0);
        pwrite(k, t, g, 0, D1);
        pwrite(k, t, s, 0, D2);

        assertThat(fs.sync(t).run()).isZero();

        assertThat(inode(t, f).diskWord(0, 0)).isEqualTo(D0);
        assertThat(inode(t, g).diskWord(0, 0)).isEqualTo(D1);
        assertThatPage(k, cached(s, 0)).isDirty(); // tmpfs has no writeback
    }

    // ---- a dirty page without buffers ---------------------------------------------------------------------------

    /** B6: a GUP reference, writeback, reclaim (strips the buffers, refused), DMA, dirty on release. */
    private int dirtyWithoutBuffers() {
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, a, D0);
        GupPages g = sys.getUserPages(t, a, 1, Foll.FOLL_WRITE).complete();
        fsync(k, t, f);
        int pfn = cached(f, 0);

        assertThat(fs.reclaim(t, f, 0).run()).isZero();
        assertThat(flag(pfn, PageFlags.PG_PRIVATE)).isFalse();
        assertThat(cached(f, 0)).isEqualTo(pfn);
        assertThatPte(t, a).isNone();
        assertThatPage(k, pfn).hasRefcount(2).hasMapcount(0); // the cache and the GUP reference

        dmaWrite(k, g, 0, 0, D1);
        assertThat(sys.putPagesDirtyLock(t, g).run()).isZero();
        assertThatPage(k, pfn).isDirty().hasRefcount(1);
        return f;
    }

    @Test
    @InvariantsNotChecked("B6: the page is dirty without buffers (filesystem-state) and 5.11's ext4 BUGs on it")
    void upTo517Ext4BugsOnADirtyPageWithoutBuffers() {
        reboot(boot("5.11"));
        int f = dirtyWithoutBuffers();
        assertThat(violatedInvariants(k)).containsExactly("filesystem-state");

        assertThatThrownBy(() -> fs.fsync(t, f).run()).isInstanceOf(KernelBug.class)
                .hasMessageContaining("ext4_dirty_nobuffers").hasMessageContaining("BUG_ON(!page_has_buffers(page))");
    }

    @Test
    @InvariantsNotChecked("B6: 6.18's ext4 warns, clears dirty and skips the page: the device's write is lost")
    void since518Ext4WarnsSkipsAndTheWriteIsLost() {
        int f = dirtyWithoutBuffers();
        int pfn = cached(f, 0);

        assertThat(fs.fsync(t, f).run()).isZero();

        assertThatPage(k, pfn).isClean();
        assertThat(flag(pfn, PageFlags.PG_WRITEBACK)).isFalse();
        assertThat(inode(t, f).diskWord(0, 0)).isEqualTo(D0);
        assertThat(violatedInvariants(k)).containsExactly("no-lost-write");
        assertThat(fs.dropCaches(t).run()).isEqualTo(1);
        assertThat(pread(k, t, f, 0)).isEqualTo(D0);
    }

    // ---- set_page_dirty_lock -------------------------------------------------------------------------------------

    @Test
    void unpinDirtyLockLeavesAnAlreadyDirtyPageAloneWithoutTakingItsLock() {
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, a, D0);
        GupPages g = sys.pinUserPages(t, a, 1, Foll.FOLL_WRITE).complete();
        int pfn = cached(f, 0);
        KernelCall<Void> wb = fs.writeback(t, f);
        wb.step(); // PG_locked held by writeback, PG_dirty still set

        KernelCall<Void> unpin = sys.unpinUserPagesDirtyLock(t, g, true);
        assertThat(unpin.blockedOn()).as("the unlocked test: already dirty, no folio_lock").isNull();
        assertThat(unpin.run()).isZero();
        assertThatPage(k, pfn).isDirty().hasRefcount(3);

        wb.run();
        assertThatPage(k, pfn).isClean();
        assertThat(sys.unpinUserPagesDirtyLock(t, g, true).run()).isEqualTo(-Errno.EINVAL);
    }

    /** set_page_dirty_lock takes the page lock whether the page is dirty or not (put_pages_dirty, /proc/PID/mem). */
    @Test
    void setPageDirtyLockWaitsForTheLockOfAnAlreadyDirtyPageToo() {
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        long b = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, a, D0);
        write(k, t, b, D1);
        GupPages g = sys.getUserPages(t, a, 1, Foll.FOLL_WRITE).complete();
        int pfn = cached(f, 0);
        KernelCall<Void> wb = fs.writeback(t, f);
        wb.step(); // PG_locked held by writeback, the first pte cleaned, PG_dirty still set
        assertThatPage(k, pfn).isDirty();
        long writable = Pte.write(t.mm().pte(a)) ? a : b;
        assertThat(Pte.write(t.mm().pte(writable))).as("the walk has one pte left").isTrue();

        KernelCall<Void> put = sys.putPagesDirtyLock(t, g);
        assertThat(put.blockedOn()).as("lock_page, dirty or not").isNotNull();
        KernelCall<Void> poke = sys.procMemWrite(t, t, writable, D2);
        while (!poke.done() && !poke.point().contains("set_page_dirty_lock")) {
            poke.step();
        }
        assertThat(poke.done()).as("the copy is made through the writable pte, then lock_page sleeps").isFalse();
        assertThat(poke.blockedOn()).isNotNull();

        wb.run();
        assertThat(put.blockedOn()).isNull();
        assertThat(put.run()).isZero();
        assertThat(poke.blockedOn()).isNull();
        poke.run();
        assertThatPage(k, pfn).as("the write through /proc/PID/mem dirtied it again").isDirty();
    }

    /**
     * filemap_fault locks the page before it maps it: a fault on a page writeback holds locked waits, so no new pte
     * appears in the middle of folio_mkclean's walk.
     */
    @Test
    void aFaultOfAPageWritebackHoldsLockedWaits() {
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        long b = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, a, D0);
        KernelCall<Void> wb = fs.writeback(t, f);
        wb.step(); // PG_locked held by writeback

        assertThat(sys.load(t, b).blockedOn()).as("filemap_fault: lock_folio_maybe_drop_mmap").isNotNull();
        assertThat(sys.store(t, b, D1).blockedOn()).isNotNull();
        KernelCall<GupPages> gup = sys.getUserPages(t, b, 1, 0);
        while (!gup.done() && gup.blockedOn() == null && !gup.point().contains("no usable page")) {
            gup.step();
        }
        assertThat(gup.blockedOn()).as("GUP's faultin_page too").isNotNull();

        wb.run();
        assertThat(sys.load(t, b).blockedOn()).isNull();
        assertThat(load(k, t, b)).isEqualTo(D0);
    }

    @Test
    void setPageDirtyLockWaitsWhileWritebackHoldsTheCleanPageLocked() {
        int f = creat(k, t, FsType.EXT4, "f", 2 * PAGE);
        pwrite(k, t, f, PAGE, D1);
        fsync(k, t, f);
        long a = mmapFile(k, t, f, 2, RW, Mman.MAP_SHARED);
        load(k, t, a + PAGE);
        GupPages g = sys.getUserPages(t, a + PAGE, 1, 0).complete(); // a clean page with buffers
        int clean = cached(f, 1);
        k.frames().set(clean, PageFlags.PG_LOCKED); // as reclaim holds it between its points

        assertThat(sys.putPagesDirtyLock(t, g).blockedOn()).isNotNull();

        k.frames().clear(clean, PageFlags.PG_LOCKED);
        assertThat(sys.putPagesDirtyLock(t, g).run()).isZero();
    }

    // ---- reclaim ------------------------------------------------------------------------------------------------

    @Test
    void reclaimOfACleanUnmappedPageStripsBuffersRemovesItAndTheNextReadGoesToDisk() {
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        pwrite(k, t, f, 0, D0);
        fsync(k, t, f);
        int pfn = cached(f, 0);

        assertThat(fs.reclaim(t, f, 0).run()).isEqualTo(1);

        assertThat(cached(f, 0)).isEqualTo(-1);
        assertThatPage(k, pfn).isFree();
        assertThat(pread(k, t, f, 0)).isEqualTo(D0);
    }

    @Test
    void reclaimUnmapsEveryPteOneStepEach() {
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        pwrite(k, t, f, 0, D0);
        fsync(k, t, f);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        long b = mmapFile(k, t, f, 1, RW, Mman.MAP_PRIVATE);
        load(k, t, a);
        load(k, t, b);
        int pfn = cached(f, 0);
        assertThatPage(k, pfn).hasMapcount(2).hasRefcount(4);
        KernelCall<Void> r = fs.reclaim(t, f, -1);

        r.step(); // isolated, locked, first pte zapped
        assertThat(flag(pfn, PageFlags.PG_LOCKED)).isTrue();
        assertThat(flag(pfn, PageFlags.PG_LRU)).isFalse();
        assertThatPage(k, pfn).hasMapcount(1).hasRefcount(4); // + isolation - one pte

        r.step(); // second pte zapped
        assertThatPage(k, pfn).hasMapcount(0);
        assertThatPte(t, a).isNone();
        assertThatPte(t, b).isNone();

        r.step(); // buffers released, removed, freed
        assertThatPage(k, pfn).isFree();
        r.run();
        assertThat(r.ret()).isEqualTo(1);
        assertThat(load(k, t, a)).isEqualTo(D0);
    }

    /**
     * {@code try_to_unmap_one}: "If the folio is in an mlock()d vma, we must not swap it out". The walk ends at the
     * locked VMA's pte; the pte before it stays zapped, and the page stays cached and mapped.
     */
    @Test
    void reclaimKeepsAPageAnMlockedVmaMaps() {
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        pwrite(k, t, f, 0, D0);
        fsync(k, t, f);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        long b = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        load(k, t, a);
        assertThat(sys.mlock(t, b, PAGE).run()).isZero();
        int pfn = cached(f, 0);
        assertThatPage(k, pfn).hasMapcount(2);

        assertThat(fs.reclaim(t, f, 0).run()).isZero();

        assertThat(cached(f, 0)).isEqualTo(pfn);
        assertThatPte(t, a).isNone();
        assertThatPte(t, b).isPresent();
        assertThatPage(k, pfn).hasMapcount(1).hasRefcount(3); // the cache, the pte, the buffers
        assertThat(flag(pfn, PageFlags.PG_LRU)).isTrue();
        assertThat(flag(pfn, PageFlags.PG_LOCKED)).isFalse();
        assertThat(load(k, t, b)).isEqualTo(D0);
    }

    /**
     * drop_caches is {@code invalidate_mapping_pages}, not reclaim: {@code mapping_evict_folio} leaves a page that is
     * mapped, or that a GUP reference holds, where it is (buffers and all), and unmaps nothing; a clean page nobody
     * holds is dropped.
     */
    @Test
    void dropCachesDropsOnlyPagesNobodyElseHolds() {
        int f = creat(k, t, FsType.EXT4, "f", 3 * PAGE);
        for (int i = 0; i < 3; i++) {
            pwrite(k, t, f, i * PAGE, D0 + i);
        }
        fsync(k, t, f);
        long a = mmapFile(k, t, f, 3, RW, Mman.MAP_SHARED);
        load(k, t, a); // page 0 mapped
        GupPages g = sys.getUserPages(t, a + PAGE, 1, 0).complete();
        sys.munmap(t, a, 3 * PAGE).run(); // page 1 now held only by the GUP reference
        load(k, t, mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED)); // page 0 mapped again
        int mapped = cached(f, 0);
        int held = cached(f, 1);
        int idle = cached(f, 2);

        assertThat(fs.dropCaches(t).run()).isEqualTo(1);

        assertThat(cached(f, 0)).isEqualTo(mapped);
        assertThatPage(k, mapped).hasMapcount(1);
        assertThat(cached(f, 1)).isEqualTo(held);
        assertThat(flag(held, PageFlags.PG_PRIVATE)).as("buffers kept: the refcount test comes first").isTrue();
        assertThat(cached(f, 2)).isEqualTo(-1);
        assertThatPage(k, idle).isFree();
        assertThat(sys.putPages(t, g).run()).isZero();
    }

    @Test
    void since64ReclaimKeepsThePinnedPageAndItsBuffersBefore64ItStripsThem() {
        for (String profile : new String[] {"5.19", "6.18"}) {
            reboot(boot(profile));
            int f = creat(k, t, FsType.EXT4, "f", PAGE);
            long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
            write(k, t, a, D0);
            GupPages g = sys.pinUserPages(t, a, 1, Foll.FOLL_WRITE).complete();
            fsync(k, t, f);
            int pfn = cached(f, 0);

            assertThat(fs.reclaim(t, f, 0).run()).as(profile).isZero();

            boolean keeps = profile.equals("6.18"); // d824ec2a1546
            assertThat(flag(pfn, PageFlags.PG_PRIVATE)).as(profile).isEqualTo(keeps);
            assertThatPte(t, a).isNone();
            assertThatPage(k, pfn).hasMapcount(0).hasRefcount(1 + (keeps ? 1 : 0) + 1024);
            assertThat(flag(pfn, PageFlags.PG_LRU)).isTrue();
            assertThat(sys.unpinUserPages(t, g).run()).isZero();
        }
    }

    @Test
    void reclaimSkipsDirtyPagesAndPagesUnderWriteback() {
        int f = creat(k, t, FsType.EXT4, "f", 2 * PAGE);
        pwrite(k, t, f, 0, D0);
        pwrite(k, t, f, PAGE, D1);
        KernelCall<Void> wb = fs.writeback(t, f);
        wb.step(); // page 0 locked (no pte to clean)
        wb.step(); // page 0: clean and under writeback, unlocked
        assertThat(flag(cached(f, 0), PageFlags.PG_WRITEBACK)).isTrue();

        assertThat(fs.reclaim(t, f, -1).run()).isZero();

        assertThat(cached(f, 0)).isPositive();
        assertThat(flag(cached(f, 1), PageFlags.PG_PRIVATE)).isTrue();
        assertThatPage(k, cached(f, 1)).isDirty();
        wb.run();
        assertThat(fs.reclaim(t, f, -1).run()).isEqualTo(2);
    }

    /**
     * {@code shrink_folio_list} unmaps a mapped page before it looks at PG_dirty ("if (folio_mapped(folio)) ...
     * try_to_unmap", then "if (folio_test_dirty(folio))" keeps it): a dirty mapped page loses its pte and stays
     * cached, dirty, with its buffers; the next access faults it back in from the cache.
     */
    @Test
    void reclaimUnmapsADirtyMappedPageBeforeKeepingIt() {
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, a, D0); // page_mkwrite: buffers, PG_dirty
        int pfn = cached(f, 0);
        assertThatPage(k, pfn).isDirty();

        assertThat(fs.reclaim(t, f, 0).run()).isZero();

        assertThatPte(t, a).isNone();
        assertThat(cached(f, 0)).isEqualTo(pfn);
        assertThatPage(k, pfn).isDirty().hasMapcount(0);
        assertThat(flag(pfn, PageFlags.PG_PRIVATE)).isTrue();
        assertThat(load(k, t, a)).isEqualTo(D0);
    }

    @Test
    void aDirtyPteFoundByTryToUnmapKeepsThePage() {
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, a, D0);
        int pfn = cached(f, 0);
        k.frames().clear(pfn, PageFlags.PG_DIRTY); // as if writeback raced in between: only the pte is dirty

        assertThat(fs.reclaim(t, f, 0).run()).isZero();

        assertThatPage(k, pfn).isDirty().hasMapcount(0);
        assertThat(flag(pfn, PageFlags.PG_PRIVATE)).isTrue();
        assertThat(flag(pfn, PageFlags.PG_LOCKED)).isFalse();
        assertThat(flag(pfn, PageFlags.PG_LRU)).isTrue();
    }

    @Test
    void dropCachesReclaimsEveryCleanPageOfEveryFile() {
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        int g = creat(k, t, FsType.TMPFS, "g", PAGE);
        pwrite(k, t, f, 0, D0);
        fsync(k, t, f);
        pread(k, t, g, 0);

        assertThat(fs.dropCaches(t).run()).isEqualTo(1); // a read of a tmpfs hole caches nothing

        assertThat(cached(f, 0)).isEqualTo(-1);
    }

    // ---- stable pages -------------------------------------------------------------------------------------------

    @Test
    void withStablePagesAStoreWaitsForWritebackToEnd() {
        reboot(boot(profile("6.18").with(Switch.EXT4_STABLE_PAGES, "on"), FRAMES, 0));
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, a, D0);
        KernelCall<Void> wb = fs.writeback(t, f);
        wb.step();
        wb.step(); // under writeback, unlocked

        assertThat(sys.store(t, a, D1).blockedOn()).isNotNull();
        assertThat(fs.pwrite(t, f, 0, D1).blockedOn()).isNotNull();

        wb.step();
        assertThat(sys.store(t, a, D1).run()).isZero();
    }

    @Test
    @InvariantsNotChecked("a device writes a stable page under writeback: the violation this test shows")
    void aDmaWriteUnderWritebackBreaksStablePages() {
        reboot(boot(profile("6.18").with(Switch.EXT4_STABLE_PAGES, "on"), FRAMES, 0));
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, a, D0);
        GupPages g = sys.pinUserPages(t, a, 1, Foll.FOLL_WRITE).complete();
        KernelCall<Void> wb = fs.writeback(t, f);
        wb.step();
        wb.step();

        dmaWrite(k, g, 0, 0, D1);

        assertThat(violatedInvariants(k)).containsExactly("stable-pages");
    }

    // ---- errnos -------------------------------------------------------------------------------------------------

    @Test
    void badFdsAndBadOffsets() {
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        int[] p = k.fileSyscalls().pipe(t).complete();

        assertThat(fs.writeback(t, 99).run()).isEqualTo(-Errno.EBADF);
        assertThat(fs.writeback(t, p[0]).run()).isEqualTo(-Errno.EINVAL);
        assertThat(fs.reclaim(t, 99, 0).run()).isEqualTo(-Errno.EBADF);
        assertThat(fs.reclaim(t, p[1], 0).run()).isEqualTo(-Errno.EINVAL);
        assertThat(fs.reclaim(t, f, 8).run()).isEqualTo(-Errno.EINVAL);
        assertThat(fs.reclaim(t, f, -PAGE).run()).isEqualTo(-Errno.EINVAL);
        assertThat(fs.reclaim(t, f, 4 * PAGE).run()).as("nothing cached there").isZero();
        assertThat(fs.sync(t).run()).isZero();
        assertThat(fs.dropCaches(t).run()).isZero();
    }
}
