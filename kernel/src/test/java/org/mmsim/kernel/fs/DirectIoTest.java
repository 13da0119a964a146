package org.mmsim.kernel.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.testing.KernelAssertions.pfnAt;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.creat;
import static org.mmsim.kernel.testing.TestKernels.fsync;
import static org.mmsim.kernel.testing.TestKernels.inode;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.mmapFile;
import static org.mmsim.kernel.testing.TestKernels.openReadOnly;
import static org.mmsim.kernel.testing.TestKernels.pipe;
import static org.mmsim.kernel.testing.TestKernels.pread;
import static org.mmsim.kernel.testing.TestKernels.pwrite;
import static org.mmsim.kernel.testing.TestKernels.violatedInvariants;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.rmap.Rmap;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.syscall.FileSyscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.TestKernels;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Mman;

/**
 * O_DIRECT reads and writes ({@link DirectIo}): the user pages are held by GUP while the I/O is in flight, FOLL_GET
 * before the block layer's switch to {@code iov_iter_extract_pages} (odirect_pin=off) and FOLL_PIN after it; the
 * DMA lands in the pages; completion dirties (reads) and releases them; a write leaves the page cache coherent.
 */
class DirectIoTest {
    private static final long D0 = 0xD0;
    private static final long D1 = 0xD1;

    /** Step {@code call} until its next step is the DMA (the bio is submitted, nothing held but the pages). */
    private static void stepToDma(KernelCall<?> call) {
        while (!call.done() && !call.point().contains("in flight")) {
            call.step();
        }
        assertThat(call.done()).as("returned before the I/O: %s", call.ret()).isFalse();
    }

    @ParameterizedTest(name = "{0}: refcount +{1} while the read is in flight")
    @CsvSource({"5.19, 1", "6.18, 1024"})
    void aReadHoldsThePagesWhileInFlightThenDirtiesAndReleasesThem(String profile, int held) {
        Kernel k = boot(profile);
        Task t = k.spawn("p");
        FileSyscalls fs = k.fileSyscalls();
        int fd = creat(k, t, FsType.EXT4, "f", PAGE);
        pwrite(k, t, fd, 0, D0);
        pwrite(k, t, fd, 8, D1);
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 1);
        int pfn = pfnAt(t, addr);

        KernelCall<Void> read = fs.odirectRead(t, fd, 0, addr, PAGE);
        stepToDma(read);

        assertThat(inode(t, fd).diskWord(0, 0)).as("written back before the read (filemap_write_and_wait_range)")
                .isEqualTo(D0);
        assertThatPage(k, pfn).hasRefcount(1 + held).hasMapcount(1).holds(0, 1);
        assertThat(k.gupHolders().held()).hasSize(1);
        assertThat(k.gupHolders().held().get(0).pinned()).isEqualTo(held == Rmap.GUP_PIN_COUNTING_BIAS);
        assertThat(violatedInvariants(k)).isEmpty();

        read.step();
        assertThatPage(k, pfn).as("the DMA landed").holds(0, D0).holds(1, D1).hasRefcount(1 + held);

        read.step();
        assertThat(read.done()).isTrue();
        assertThat(read.ret()).isEqualTo(PAGE);
        assertThatPage(k, pfn).hasRefcount(1).hasMapcount(1).isDirty();
        assertThat(k.gupHolders().held()).isEmpty();
        assertThat(load(k, t, addr)).isEqualTo(D0);
        assertThat(violatedInvariants(k)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"5.19", "6.18"})
    void aWriteReachesTheDiskAndTheCachedPage(String profile) {
        Kernel k = boot(profile);
        Task t = k.spawn("p");
        int fd = creat(k, t, FsType.EXT4, "f", PAGE);
        pwrite(k, t, fd, 0, D0);                            // a dirty cached page
        long map = mmapFile(k, t, fd, 1, Mman.PROT_READ, Mman.MAP_SHARED);
        assertThat(load(k, t, map)).isEqualTo(D0);          // and mapped
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, D1);

        assertThat(k.fileSyscalls().odirectWrite(t, fd, 0, addr, PAGE).run()).isEqualTo(PAGE);

        assertThat(inode(t, fd).diskWord(0, 0)).isEqualTo(D1);
        assertThat(pread(k, t, fd, 0)).as("buffered read after the direct write").isEqualTo(D1);
        assertThat(load(k, t, map)).as("the mapping after the direct write").isEqualTo(D1);
        assertThatPage(k, pfnAt(t, addr)).hasRefcount(1).hasMapcount(1);
        assertThat(k.gupHolders().held()).isEmpty();
    }

    @Test
    void aReadPastTheEndOfTheFileReturnsOnlyWhatLiesBeforeIt() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        int fd = creat(k, t, FsType.EXT4, "f", PAGE);
        pwrite(k, t, fd, PAGE, 1);                          // i_size 4104
        long addr = mmapAnon(k, t, 2, RW);

        assertThat(k.fileSyscalls().odirectRead(t, fd, 0, addr, 2 * PAGE).run())
                .as("iomap_dio_complete: ret = i_size - offset").isEqualTo(PAGE + 8);
        assertThat(k.fileSyscalls().odirectRead(t, fd, PAGE, addr, PAGE).run()).isEqualTo(8);
        assertThat(load(k, t, addr)).isEqualTo(1);
    }

    @Test
    void aWriteUnmapsTheCachedPageAndAPipeKeepsTheOldOne() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        int fd = creat(k, t, FsType.EXT4, "f", PAGE);
        long map = mmapFile(k, t, fd, 1, RW, Mman.MAP_SHARED);
        write(k, t, map, D0);
        fsync(k, t, fd);
        int cached = pfnAt(t, map);
        int[] p = pipe(k, t);
        assertThat(k.fileSyscalls().vmsplice(t, p[1], map, PAGE).run()).isEqualTo(PAGE);
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, D1);

        assertThat(k.fileSyscalls().odirectWrite(t, fd, 0, addr, PAGE).run()).isEqualTo(PAGE);

        assertThat(t.mm().pte(map)).as("unmap_mapping_folio").isZero();
        assertThat(inode(t, fd).mapping().pageAt(0)).as("invalidate_complete_folio2 ignores the pipe's reference")
                .isNotEqualTo(cached);
        assertThatPage(k, cached).as("the pipe's page, orphaned with the old data").hasRefcount(1).holds(0, D0);
        assertThat(pread(k, t, fd, 0)).isEqualTo(D1);
        assertThat(load(k, t, map)).isEqualTo(D1);
        assertThat(violatedInvariants(k)).isEmpty();
    }

    @Test
    void aWriteLeavesThePrivateCopiesOfAMappingOfTheFile() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        int fd = creat(k, t, FsType.EXT4, "f", 2 * PAGE);
        pwrite(k, t, fd, 0, D0);
        pwrite(k, t, fd, PAGE, D0);
        long priv = mmapFile(k, t, fd, 2, RW, Mman.MAP_PRIVATE);
        assertThat(load(k, t, priv)).isEqualTo(D0);         // the cache page, mapped read-only
        write(k, t, priv + PAGE, 7);                        // a private COW copy
        long addr = mmapAnon(k, t, 2, RW);
        write(k, t, addr, D1);

        assertThat(k.fileSyscalls().odirectWrite(t, fd, 0, addr, 2 * PAGE).run()).isEqualTo(2 * PAGE);

        assertThat(t.mm().pte(priv)).as("the page-cache pte of the private mapping goes (even_cows=0)").isZero();
        assertThat(load(k, t, priv + PAGE)).as("the private copy stays").isEqualTo(7);
        assertThat(load(k, t, priv)).isEqualTo(D1);
        assertThat(violatedInvariants(k)).isEmpty();
    }

    @Test
    void aWriteDropsACachedPageNobodyElseHolds() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        int fd = creat(k, t, FsType.EXT4, "f", PAGE);
        pwrite(k, t, fd, 0, D0);
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, D1);

        assertThat(k.fileSyscalls().odirectWrite(t, fd, 0, addr, PAGE).run()).isEqualTo(PAGE);

        assertThat(inode(t, fd).mapping().pageAt(0)).as("invalidate_inode_pages2_range dropped it").isNegative();
        assertThat(pread(k, t, fd, 0)).isEqualTo(D1);
    }

    @Test
    void aWriteExtendsTheFile() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        int fd = creat(k, t, FsType.EXT4, "f", 0);
        long addr = mmapAnon(k, t, 2, RW);
        write(k, t, addr + PAGE, D1);

        assertThat(k.fileSyscalls().odirectWrite(t, fd, PAGE, addr + PAGE, PAGE).run()).isEqualTo(PAGE);

        assertThat(inode(t, fd).mapping().size()).isEqualTo(2 * PAGE);
        assertThat(pread(k, t, fd, PAGE)).isEqualTo(D1);
    }

    @Test
    void errnos() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        FileSyscalls fs = k.fileSyscalls();
        int fd = creat(k, t, FsType.EXT4, "f", 2 * PAGE);
        int ro = openReadOnly(k, t, fd);
        int shm = creat(k, t, FsType.TMPFS, "s", PAGE);
        long addr = mmapAnon(k, t, 1, RW);

        assertThat(fs.odirectRead(t, 99, 0, addr, PAGE).run()).isEqualTo(-Errno.EBADF);
        assertThat(fs.odirectWrite(t, ro, 0, addr, PAGE).run()).as("not open for writing").isEqualTo(-Errno.EBADF);
        assertThat(fs.odirectRead(t, fd, 8, addr, PAGE).run()).as("unaligned FOFF").isEqualTo(-Errno.EINVAL);
        assertThat(fs.odirectRead(t, fd, 0, addr + 8, PAGE).run()).as("unaligned ADDR").isEqualTo(-Errno.EINVAL);
        assertThat(fs.odirectRead(t, fd, 0, addr, 8).run()).as("unaligned LEN").isEqualTo(-Errno.EINVAL);
        assertThat(fs.odirectRead(t, shm, 0, addr, PAGE).run()).as("tmpfs from 6.6: a copy").isEqualTo(PAGE);
        assertThat(fs.odirectRead(t, fd, 0, addr + 16 * PAGE, PAGE).run()).as("no VMA").isEqualTo(-Errno.EFAULT);
        assertThat(fs.odirectRead(t, fd, 2 * PAGE, addr, PAGE).run()).as("at EOF").isZero();
        assertThat(k.gupHolders().held()).isEmpty();
        assertThat(violatedInvariants(k)).isEmpty();
    }

    /** tmpfs: -EINVAL before 6.6; from 6.6 (shmem_direct_io) a copy through the page cache that holds no page. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"5.19, false", "6.18, true"})
    void tmpfsTakesODirectFrom66AsACopy(String profile, boolean copies) {
        Kernel k = boot(profile);
        Task t = k.spawn("p");
        FileSyscalls fs = k.fileSyscalls();
        int shm = creat(k, t, FsType.TMPFS, "s", PAGE);
        pwrite(k, t, shm, 8, D1);
        long addr = mmapAnon(k, t, 2, RW);
        write(k, t, addr + PAGE, D0);

        long r = fs.odirectRead(t, shm, 0, addr, 2 * PAGE).run();
        if (!copies) {
            assertThat(r).isEqualTo(-Errno.EINVAL);
            return;
        }
        assertThat(r).as("cut at i_size").isEqualTo(PAGE);
        assertThat(load(k, t, addr + 8)).isEqualTo(D1);
        assertThat(fs.odirectWrite(t, shm, PAGE, addr + PAGE, PAGE).run()).isEqualTo(PAGE);
        assertThat(pread(k, t, shm, PAGE)).isEqualTo(D0);
        assertThat(inode(t, shm).size()).isEqualTo(2 * PAGE);
        assertThat(k.gupHolders().held()).isEmpty();
        assertThat(violatedInvariants(k)).isEmpty();
    }

    @Test
    void aReadIntoAReadOnlyMappingFaults() {
        Kernel k = boot("5.19");
        Task t = k.spawn("p");
        int fd = creat(k, t, FsType.EXT4, "f", PAGE);
        long addr = mmapAnon(k, t, 1, Mman.PROT_READ);

        assertThat(k.fileSyscalls().odirectRead(t, fd, 0, addr, PAGE).run()).isEqualTo(-Errno.EFAULT);
        assertThat(k.fileSyscalls().odirectWrite(t, fd, 0, addr, PAGE).run()).as("a write only reads the pages")
                .isEqualTo(PAGE);
    }

    @Test
    void withFollGetAForkDuringTheReadLetsTheParentCowAwayFromTheData() {
        assertThat(parentSeesTheDataAfterForkAndStore("5.19")).isFalse();
        assertThat(parentSeesTheDataAfterForkAndStore("6.18")).isTrue();
    }

    /** GUP, then fork and a parent store to another word of the page, then the DMA and completion. */
    private static boolean parentSeesTheDataAfterForkAndStore(String profile) {
        Kernel k = boot(profile);
        Task t = k.spawn("p");
        int fd = creat(k, t, FsType.EXT4, "f", PAGE);
        pwrite(k, t, fd, 0, D0);
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 1);
        KernelCall<Void> read = k.fileSyscalls().odirectRead(t, fd, 0, addr, PAGE);
        stepToDma(read);

        TestKernels.fork(k, t, "c");
        write(k, t, addr + 8, 2);
        read.step();
        read.step();

        assertThat(read.ret()).isEqualTo(PAGE);
        return load(k, t, addr) == D0;
    }
}
