package org.mmsim.kernel.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.creat;
import static org.mmsim.kernel.testing.TestKernels.fsync;
import static org.mmsim.kernel.testing.TestKernels.inode;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.loadSignal;
import static org.mmsim.kernel.testing.TestKernels.memfdCreate;
import static org.mmsim.kernel.testing.TestKernels.mmapFile;
import static org.mmsim.kernel.testing.TestKernels.pread;
import static org.mmsim.kernel.testing.TestKernels.pwrite;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.syscall.FileSyscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Mman;
import org.mmsim.kernel.uapi.Signal;

/**
 * Truncation and the end of a file: {@code truncate_pagecache} (mm/truncate.c: the cache beyond the new size goes,
 * and {@code truncate_inode_partial_folio} zeroes the straddling page from the new size on), the filesystem's own
 * truncate of its blocks ({@code ext4_truncate}: {@code ext4_block_truncate_page}, {@code ext4_ext_remove_space}),
 * and {@code ext4_bio_write_folio}'s {@code folio_zero_segment} of the page that straddles {@code i_size} at each
 * writeback. Data once cut off never comes back when the file grows again.
 */
class TruncateTest {
    private final Kernel k = boot("6.18");
    private final FileSyscalls fs = k.fileSyscalls();
    private final Task t = k.spawn("p");

    private void ftruncate(int fd, long size) {
        assertThat(fs.ftruncate(t, fd, size).run()).as("ftruncate to %d", size).isZero();
    }

    @Test
    void ext4FreesTheBlocksPastTheNewSizeSoThatGrowingAgainReadsZeros() {
        int f = creat(k, t, FsType.EXT4, "f", 2 * PAGE);
        pwrite(k, t, f, PAGE, 0x55);
        fsync(k, t, f);
        assertThat(inode(t, f).diskWord(1, 0)).as("written back").isEqualTo(0x55);

        ftruncate(f, PAGE);
        assertThat(inode(t, f).diskWord(1, 0)).as("ext4_ext_remove_space freed the block").isZero();
        ftruncate(f, 2 * PAGE);
        assertThat(pread(k, t, f, PAGE)).as("a hole, not the old block").isZero();
    }

    @Test
    void ext4ZeroesTheTailOfTheBlockThatStraddlesTheNewSize() {
        int f = creat(k, t, FsType.EXT4, "f", 16);
        pwrite(k, t, f, 0, 0x1122334455667788L);
        pwrite(k, t, f, 8, 0x66);
        fsync(k, t, f);
        assertThat(k.fileSyscalls().reclaim(t, f, 0).run()).as("the clean page leaves the cache").isEqualTo(1);

        ftruncate(f, 4);
        assertThat(inode(t, f).diskWord(0, 0)).as("bytes 4..7 zeroed on disk (little-endian)")
                .isEqualTo(0x55667788L);
        assertThat(inode(t, f).diskWord(0, 1)).isZero();
        ftruncate(f, 16);
        assertThat(pread(k, t, f, 0)).isEqualTo(0x55667788L);
        assertThat(pread(k, t, f, 8)).isZero();
    }

    @Test
    void theCachedPageThatStraddlesTheNewSizeIsZeroedFromTheByte() {
        int f = memfdCreate(k, t, "m", 16);
        pwrite(k, t, f, 0, 0x1122334455667788L);
        ftruncate(f, 4);
        ftruncate(f, 16);
        assertThat(pread(k, t, f, 0)).as("truncate_inode_partial_folio kept bytes 0..3").isEqualTo(0x55667788L);
    }

    @Test
    void creatOfAnExistingFileTruncatesItsCacheAndItsMappings() {
        int f = creat(k, t, FsType.EXT4, "f", 2 * PAGE);
        long a = mmapFile(k, t, f, 2, RW, Mman.MAP_SHARED);
        write(k, t, a + PAGE, 0x55);

        creat(k, t, FsType.EXT4, "f", PAGE);
        assertThat(loadSignal(k, t, a + PAGE)).as("the pte went, and the page is past EOF")
                .isEqualTo(Signal.SIGBUS);
        ftruncate(f, 2 * PAGE);
        assertThat(pread(k, t, f, PAGE)).as("the dirty page was dropped, never written").isZero();
    }

    @Test
    void writebackZeroesThePageThatStraddlesTheEndOfTheFileFromIt() {
        int f = creat(k, t, FsType.EXT4, "f", 8);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, a, 0x11);
        write(k, t, a + 8, 0xbad);
        assertThat(load(k, t, a + 8)).as("past EOF but in the last page: stored").isEqualTo(0xbad);

        fsync(k, t, f);
        assertThat(load(k, t, a + 8)).as("folio_zero_segment at writeback").isZero();
        assertThat(inode(t, f).diskWord(0, 1)).isZero();
        assertThat(inode(t, f).diskWord(0, 0)).isEqualTo(0x11);
        ftruncate(f, 16);
        assertThat(pread(k, t, f, 8)).isZero();
    }
}
