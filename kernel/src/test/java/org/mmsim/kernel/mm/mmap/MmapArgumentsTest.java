package org.mmsim.kernel.mm.mmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.creat;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;

import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Mman;

/**
 * The argument checks of {@code mmap()}, {@code munmap()} and {@code madvise()} in the kernel's order: {@code sys_mmap}
 * (arch/x86), {@code ksys_mmap_pgoff}, {@code do_mmap} with {@code round_hint_to_min} and {@code __get_unmapped_area},
 * {@code do_vmi_munmap}, {@code do_madvise}.
 */
class MmapArgumentsTest {
    private static final int ANON = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS;

    private final Kernel k = boot("6.18");
    private final Syscalls sys = k.syscalls();
    private final Task t = k.spawn("p");

    /** do_mmap: {@code addr = round_hint_to_min(addr)}, which does {@code hint &= PAGE_MASK}: rounded down. */
    @Test
    void roundHintToMinRoundsAnUnalignedHintDownToItsPage() {
        long hint = 0x1000_0000L;

        assertThat(sys.mmap(t, hint + 8, PAGE, RW, ANON).run()).isEqualTo(hint);
        assertThat(sys.mmap(t, 2 * hint + PAGE - 8, PAGE, RW, ANON).run()).isEqualTo(2 * hint);
    }

    /** round_hint_to_min: a nonzero hint below {@code mmap_min_addr} becomes {@code PAGE_ALIGN(mmap_min_addr)}. */
    @Test
    void roundHintToMinRaisesALowHintToMmapMinAddr() {
        assertThat(sys.mmap(t, PAGE, PAGE, RW, ANON).run()).isEqualTo(Mmap.MMAP_MIN_ADDR);
    }

    /**
     * __get_unmapped_area: MAP_FIXED takes the address as given; {@code offset_in_page(addr)} is -EINVAL, a range
     * beyond TASK_SIZE -ENOMEM, and {@code security_mmap_addr} (cap_mmap_addr) -EPERM below mmap_min_addr.
     */
    @Test
    void getUnmappedAreaMapFixedErrnos() {
        long a = mmapAnon(k, t, 1, RW);

        assertThat(sys.mmap(t, a + 8, PAGE, RW, ANON | Mman.MAP_FIXED).run()).isEqualTo(-Errno.EINVAL);
        assertThat(sys.mmap(t, 1L << 47, PAGE, RW, ANON | Mman.MAP_FIXED).run()).isEqualTo(-Errno.ENOMEM);
        assertThat(sys.mmap(t, 0, PAGE, RW, ANON | Mman.MAP_FIXED).run()).isEqualTo(-Errno.EPERM);
        assertThat(t.mm().vmas()).hasSize(1);
    }

    /** do_mmap: {@code if (!len) return -EINVAL}; a PAGE_ALIGN that wraps to 0 is -ENOMEM. */
    @Test
    void doMmapZeroLengthIsEinvalAndAWrappingLengthEnomem() {
        assertThat(sys.mmap(t, 0, 0, RW, ANON).run()).isEqualTo(-Errno.EINVAL);
        assertThat(sys.mmap(t, 0, -1, RW, ANON).run()).isEqualTo(-Errno.ENOMEM);
        assertThat(sys.mmap(t, 0, -(1L << 40), RW, ANON).run()).as("beyond TASK_SIZE").isEqualTo(-Errno.ENOMEM);
    }

    /**
     * sys_mmap rejects an unaligned offset first (-EINVAL), ksys_mmap_pgoff a fd that is not open (-EBADF), both
     * before do_mmap looks at the length or the type.
     */
    @Test
    void sysMmapOffsetThenKsysMmapPgoffEbadfComeFirst() {
        assertThat(sys.mmap(t, 0, 0, RW, Mman.MAP_SHARED, 99, 8).run()).isEqualTo(-Errno.EINVAL);
        assertThat(sys.mmap(t, 0, 0, RW, Mman.MAP_SHARED, 99, 0).run()).isEqualTo(-Errno.EBADF);
        assertThat(sys.mmap(t, 0, PAGE, RW, 0, 99, 0).run()).as("no type").isEqualTo(-Errno.EBADF);
    }

    /**
     * do_mmap, MAP_SHARED_VALIDATE: a file mapping with a flag outside LEGACY_MAP_MASK is -EOPNOTSUPP (MAP_SHARED
     * drops it silently); an anonymous mapping knows only MAP_SHARED and MAP_PRIVATE: -EINVAL.
     */
    @Test
    void doMmapSharedValidateRefusesUnknownFlags() {
        int fd = creat(k, t, FsType.TMPFS, "f", PAGE);
        int unknown = 0x800000;

        assertThat(sys.mmap(t, 0, PAGE, RW, Mman.MAP_SHARED_VALIDATE | unknown, fd, 0).run())
                .isEqualTo(-Errno.EOPNOTSUPP);
        long a = sys.mmap(t, 0, PAGE, RW, Mman.MAP_SHARED_VALIDATE, fd, 0).run();
        assertThat(a).isPositive();
        assertThat(t.mm().vmaAt(a).has(VmFlags.VM_SHARED)).isTrue();
        assertThat(sys.mmap(t, 0, PAGE, RW, Mman.MAP_SHARED | unknown, fd, 0).run()).isPositive();
        assertThat(sys.mmap(t, 0, PAGE, RW, Mman.MAP_SHARED_VALIDATE | Mman.MAP_ANONYMOUS).run())
                .isEqualTo(-Errno.EINVAL);
    }

    /** do_mmap: MAP_FIXED_NOREPLACE over an existing mapping is -EEXIST; over a free range it maps there. */
    @Test
    void doMmapFixedNoreplaceIsEexistOverAMapping() {
        long a = mmapAnon(k, t, 1, RW);

        assertThat(sys.mmap(t, a, PAGE, RW, ANON | Mman.MAP_FIXED_NOREPLACE).run()).isEqualTo(-Errno.EEXIST);
        assertThat(sys.mmap(t, a - PAGE, PAGE, RW, ANON | Mman.MAP_FIXED_NOREPLACE).run()).isEqualTo(a - PAGE);
        assertThat(sys.mmap(t, a + 8, PAGE, RW, ANON | Mman.MAP_FIXED_NOREPLACE).run()).as("fixed: not rounded")
                .isEqualTo(-Errno.EINVAL);
    }

    /** do_vmi_munmap: {@code end == start} (length 0) is -EINVAL. */
    @Test
    void doVmiMunmapZeroLengthIsEinval() {
        long a = mmapAnon(k, t, 1, RW);
        assertThat(sys.munmap(t, a, 0).run()).isEqualTo(-Errno.EINVAL);
        assertThat(t.mm().vmas()).hasSize(1);
    }

    /** do_madvise: {@code if (end == start) return 0}, after the advice and alignment checks. */
    @Test
    void doMadviseZeroLengthIsZero() {
        long a = mmapAnon(k, t, 1, RW);
        assertThat(sys.madvise(t, a, 0, Mman.MADV_DONTNEED).run()).isZero();
        assertThat(sys.madvise(t, a + 8, 0, Mman.MADV_DONTNEED).run()).isEqualTo(-Errno.EINVAL);
        assertThat(sys.madvise(t, a, 0, 999).run()).isEqualTo(-Errno.EINVAL);
    }
}
