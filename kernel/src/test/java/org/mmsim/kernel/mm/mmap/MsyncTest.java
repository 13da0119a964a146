package org.mmsim.kernel.mm.mmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.creat;
import static org.mmsim.kernel.testing.TestKernels.inode;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.mmapFile;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Mman;

/** {@code msync()} (mm/msync.c): each errno, and MS_SYNC writing a shared ext4 mapping back. */
class MsyncTest {
    private final Kernel k = boot("6.18");
    private final Syscalls sys = k.syscalls();
    private final Task t = k.spawn("p");

    @Test
    void msSyncWritesASharedFileMappingBackAndMsAsyncDoesNot() {
        int fd = creat(k, t, FsType.EXT4, "f", PAGE);
        long addr = mmapFile(k, t, fd, 1, RW, Mman.MAP_SHARED);
        write(k, t, addr, 0x77);

        assertThat(sys.msync(t, addr, PAGE, Msync.MS_ASYNC).run()).isZero();
        assertThat(inode(t, fd).diskWord(0, 0)).as("MS_ASYNC is a no-op").isZero();

        assertThat(sys.msync(t, addr, PAGE, Msync.MS_SYNC).run()).isZero();
        assertThat(inode(t, fd).diskWord(0, 0)).isEqualTo(0x77);
    }

    /** 3.16 (7fc34a62ca44): vfs_fsync_range over the file bytes the range maps; before, the whole file. */
    @ParameterizedTest(name = "{0}: the other page written {1}")
    @CsvSource({"2.6.27, true", "4.8, false", "6.18, false"})
    void msSyncWritesBackOnlyTheRangeSince316(String profile, boolean whole) {
        Kernel kk = boot(profile);
        Task p = kk.spawn("p");
        int fd = creat(kk, p, FsType.EXT4, "f", 2 * PAGE);
        long addr = mmapFile(kk, p, fd, 2, RW, Mman.MAP_SHARED);
        write(kk, p, addr, 0x77);
        write(kk, p, addr + PAGE, 0x88);

        assertThat(kk.syscalls().msync(p, addr + PAGE, PAGE, Msync.MS_SYNC).run()).isZero();

        assertThat(inode(p, fd).diskWord(1, 0)).isEqualTo(0x88);
        assertThat(inode(p, fd).diskWord(0, 0)).isEqualTo(whole ? 0x77 : 0);
        assertThat(Pte.write(p.mm().pte(addr))).as("a page left alone keeps its writable pte").isEqualTo(!whole);
    }

    @Test
    void aPrivateFileMappingIsNotWrittenBack() {
        int fd = creat(k, t, FsType.EXT4, "f", PAGE);
        long addr = mmapFile(k, t, fd, 1, RW, Mman.MAP_PRIVATE);
        write(k, t, addr, 0x77);
        assertThat(sys.msync(t, addr, PAGE, Msync.MS_SYNC).run()).isZero();
        assertThat(inode(t, fd).diskWord(0, 0)).isZero();
    }

    @Test
    void einvalForBadFlagsOrAnUnalignedStart() {
        long addr = mmapAnon(k, t, 1, RW);
        assertThat(sys.msync(t, addr, PAGE, 8).run()).isEqualTo(-Errno.EINVAL);
        assertThat(sys.msync(t, addr, PAGE, Msync.MS_ASYNC | Msync.MS_SYNC).run()).isEqualTo(-Errno.EINVAL);
        assertThat(sys.msync(t, addr + 8, PAGE, Msync.MS_SYNC).run()).isEqualTo(-Errno.EINVAL);
        assertThat(sys.msync(t, addr, 0, Msync.MS_SYNC).run()).isZero();
    }

    @Test
    void enomemForAWrapOrAnUnmappedPart() {
        long addr = mmapAnon(k, t, 3, RW);
        sys.munmap(t, addr + PAGE, PAGE).run();
        assertThat(sys.msync(t, addr, -2 * PAGE, Msync.MS_SYNC).run()).isEqualTo(-Errno.ENOMEM);
        assertThat(sys.msync(t, addr, 3 * PAGE, Msync.MS_ASYNC).run()).isEqualTo(-Errno.ENOMEM);
        assertThat(sys.msync(t, addr, 3 * PAGE, Msync.MS_SYNC).run()).isEqualTo(-Errno.ENOMEM);
        assertThat(sys.msync(t, addr + 2 * PAGE, 2 * PAGE, Msync.MS_SYNC).run()).as("a hole at the end")
                .isEqualTo(-Errno.ENOMEM);
    }

    /** The hole does not stop MS_SYNC: the file mapped after it is still written back, then -ENOMEM. */
    @Test
    void msSyncStillSyncsPastAHole() {
        int fd = creat(k, t, FsType.EXT4, "f", PAGE);
        long file = mmapFile(k, t, fd, 1, RW, Mman.MAP_SHARED);
        write(k, t, file, 0x55);
        assertThat(sys.msync(t, file - PAGE, 2 * PAGE, Msync.MS_SYNC).run()).isEqualTo(-Errno.ENOMEM);
        assertThat(inode(t, fd).diskWord(0, 0)).isEqualTo(0x55);
    }

    @Test
    void ebusyForMsInvalidateOnALockedVma() {
        long addr = mmapAnon(k, t, 1, RW);
        assertThat(sys.msync(t, addr, PAGE, Msync.MS_INVALIDATE).run()).isZero();
        sys.mlock(t, addr, PAGE).run();
        assertThat(sys.msync(t, addr, PAGE, Msync.MS_INVALIDATE).run()).isEqualTo(-Errno.EBUSY);
        assertThat(sys.msync(t, addr, PAGE, Msync.MS_SYNC).run()).isZero();
    }
}
