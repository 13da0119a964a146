package org.mmsim.kernel.mm.mmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.PRIVATE_ANON;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.creat;
import static org.mmsim.kernel.testing.TestKernels.fork;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.mmapFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Mman;

/**
 * {@code mlock()}/{@code munlock()} (mm/mlock.c) and {@code mmap(MAP_LOCKED)}: VM_LOCKED on split VMAs,
 * {@code mm->locked_vm} against RLIMIT_MEMLOCK, the populate, and each errno.
 */
class MlockTest {
    private final Kernel k = boot("6.18");
    private final Syscalls sys = k.syscalls();
    private final Task t = k.spawn("p");

    @Test
    void mlockLocksSplitsCountsAndFaultsIn() {
        long addr = mmapAnon(k, t, 4, RW);

        assertThat(sys.mlock(t, addr + PAGE, 2 * PAGE).run()).isZero();

        assertThat(t.mm().vmaAt(addr).has(VmFlags.VM_LOCKED)).isFalse();
        assertThat(t.mm().vmaAt(addr + PAGE).start()).isEqualTo(addr + PAGE);
        assertThat(t.mm().vmaAt(addr + PAGE).end()).isEqualTo(addr + 3 * PAGE);
        assertThat(t.mm().vmaAt(addr + PAGE).has(VmFlags.VM_LOCKED)).isTrue();
        assertThat(t.mm().vmaAt(addr + 3 * PAGE).has(VmFlags.VM_LOCKED)).isFalse();
        assertThat(t.mm().lockedVm()).isEqualTo(2);
        assertThatPte(t, addr + PAGE).isWritable();
        assertThatPte(t, addr + 2 * PAGE).isWritable();
        assertThatPte(t, addr).isNone();
    }

    @Test
    void anUnalignedStartIsWidenedToItsPage() {
        long addr = mmapAnon(k, t, 2, RW);
        assertThat(sys.mlock(t, addr + 8, 8).run()).isZero();
        assertThat(t.mm().lockedVm()).isEqualTo(1);
        assertThat(sys.munlock(t, addr + 16, 8).run()).isZero();
        assertThat(t.mm().lockedVm()).isZero();
    }

    @Test
    void lockingAgainCountsOnce() {
        long addr = mmapAnon(k, t, 2, RW);
        assertThat(sys.mlock(t, addr, 2 * PAGE).run()).isZero();
        assertThat(sys.mlock(t, addr, 2 * PAGE).run()).isZero();
        assertThat(t.mm().lockedVm()).isEqualTo(2);
    }

    /**
     * Locking a locked range again under a limit it fills: from 4.9 the check leaves out the pages already locked
     * ({@code count_mm_mlocked_page_nr}, 0cf2f6f6dc60) and it succeeds; 4.8 counts them twice and says -ENOMEM.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"4.8", "4.9", "6.18"})
    void lockingALockedRangeAgainAtTheLimit(String profile) {
        Kernel kk = boot(profile);
        Task p = kk.spawn("p");
        assertThat(kk.syscalls().setrlimitMemlock(p, 2 * PAGE).run()).isZero();
        long addr = mmapAnon(kk, p, 2, RW);
        assertThat(kk.syscalls().mlock(p, addr, 2 * PAGE).run()).isZero();

        assertThat(kk.syscalls().mlock(p, addr, 2 * PAGE).run())
                .isEqualTo(profile.equals("4.8") ? -Errno.ENOMEM : 0);
        assertThat(p.mm().lockedVm()).isEqualTo(2);
    }

    @Test
    void munlockClearsAndUncounts() {
        long addr = mmapAnon(k, t, 2, RW);
        sys.mlock(t, addr, 2 * PAGE).run();

        assertThat(sys.munlock(t, addr, PAGE).run()).isZero();

        assertThat(t.mm().vmaAt(addr).has(VmFlags.VM_LOCKED)).isFalse();
        assertThat(t.mm().vmaAt(addr + PAGE).has(VmFlags.VM_LOCKED)).isTrue();
        assertThat(t.mm().lockedVm()).isEqualTo(1);
    }

    /** {@code do_mlock}: the pages asked for plus locked_vm must fit RLIMIT_MEMLOCK (no CAP_IPC_LOCK). */
    @Test
    void enomemBeyondTheLimit() {
        long addr = mmapAnon(k, t, 3, RW);
        sys.setrlimitMemlock(t, 2 * PAGE).run();

        assertThat(sys.mlock(t, addr, 3 * PAGE).run()).isEqualTo(-Errno.ENOMEM);
        assertThat(t.mm().lockedVm()).isZero();
        assertThat(t.mm().vmaAt(addr).has(VmFlags.VM_LOCKED)).isFalse();
        assertThat(sys.mlock(t, addr, 2 * PAGE).run()).isZero();
        assertThat(sys.mlock(t, addr + 2 * PAGE, PAGE).run()).isEqualTo(-Errno.ENOMEM);
        assertThat(sys.mlock(t, addr, 2 * PAGE).run()).as("count_mm_mlocked_page_nr: already locked").isZero();
    }

    /** {@code can_do_mlock}: RLIMIT_MEMLOCK 0 without CAP_IPC_LOCK. */
    @Test
    void epermUnderAZeroLimit() {
        long addr = mmapAnon(k, t, 1, RW);
        sys.setrlimitMemlock(t, 0).run();
        assertThat(sys.mlock(t, addr, PAGE).run()).isEqualTo(-Errno.EPERM);
        assertThat(sys.munlock(t, addr, PAGE).run()).as("munlock needs no limit").isZero();
        assertThat(sys.mmap(t, 0, PAGE, RW, PRIVATE_ANON | Mman.MAP_LOCKED).run()).isEqualTo(-Errno.EPERM);
    }

    /** {@code apply_vma_lock_flags}: an unmapped start changes nothing; a hole later leaves the VMAs before it locked. */
    @Test
    void enomemForAnUnmappedPart() {
        long addr = mmapAnon(k, t, 3, RW);
        sys.munmap(t, addr + PAGE, PAGE).run();

        assertThat(sys.mlock(t, addr + PAGE, PAGE).run()).isEqualTo(-Errno.ENOMEM);
        assertThat(t.mm().lockedVm()).isZero();
        assertThat(sys.mlock(t, addr, 3 * PAGE).run()).isEqualTo(-Errno.ENOMEM);
        assertThat(t.mm().vmaAt(addr).has(VmFlags.VM_LOCKED)).isTrue();
        assertThat(t.mm().vmaAt(addr + 2 * PAGE).has(VmFlags.VM_LOCKED)).isFalse();
        assertThat(t.mm().lockedVm()).isEqualTo(1);
        assertThat(sys.munlock(t, addr, 3 * PAGE).run()).isEqualTo(-Errno.ENOMEM);
        assertThat(t.mm().lockedVm()).isZero();
    }

    /**
     * A fault that fails part way through the populate fails the mlock ({@code __mm_populate} goes on from the page
     * GUP stopped at): a shared mapping of two pages over a one-page ext4 file faults the first page in, and the
     * second, past EOF, is SIGBUS (-EFAULT), which mlock reports as -ENOMEM. The VMA stays locked and counted.
     */
    @Test
    void aFaultThatFailsPartWayFailsTheMlock() {
        int fd = creat(k, t, FsType.EXT4, "f", PAGE);
        long addr = mmapFile(k, t, fd, 2, RW, Mman.MAP_SHARED);

        assertThat(sys.mlock(t, addr, 2 * PAGE).run()).isEqualTo(-Errno.ENOMEM);

        assertThat(t.mm().vmaAt(addr).has(VmFlags.VM_LOCKED)).isTrue();
        assertThat(t.mm().lockedVm()).isEqualTo(2);
        assertThatPte(t, addr).isPresent();
        assertThatPte(t, addr + PAGE).isNone();
    }

    /**
     * A length that wraps: munlock says -EINVAL; mlock's limit check sees the huge page count first (-ENOMEM), even
     * under the largest limit the model's setrlimit takes (only RLIM_INFINITY would let it reach -EINVAL).
     */
    @Test
    void aWrappingLength() {
        long addr = mmapAnon(k, t, 1, RW);
        assertThat(sys.mlock(t, addr, -2 * PAGE).run()).isEqualTo(-Errno.ENOMEM);
        assertThat(sys.munlock(t, addr, -2 * PAGE).run()).isEqualTo(-Errno.EINVAL);
        sys.setrlimitMemlock(t, Long.MAX_VALUE).run();
        assertThat(sys.mlock(t, addr, -2 * PAGE).run()).isEqualTo(-Errno.ENOMEM);
    }

    @Test
    void mapLockedIsCountedAndRefusedBeyondTheLimit() {
        long addr = sys.mmap(t, 0, 2 * PAGE, RW, PRIVATE_ANON | Mman.MAP_LOCKED).run();
        assertThat(addr).isPositive();
        assertThat(t.mm().lockedVm()).isEqualTo(2);
        assertThatPte(t, addr).isWritable();

        sys.setrlimitMemlock(t, 3 * PAGE).run();
        assertThat(sys.mmap(t, 0, 2 * PAGE, RW, PRIVATE_ANON | Mman.MAP_LOCKED).run()).isEqualTo(-Errno.EAGAIN);
        assertThat(sys.mmap(t, 0, 2 * PAGE, RW, PRIVATE_ANON).run()).as("not locked: no limit").isPositive();

        assertThat(sys.munmap(t, addr, PAGE).run()).isZero();
        assertThat(t.mm().lockedVm()).isEqualTo(1);
    }

    /** {@code dup_mmap}: the child's VMAs lose VM_LOCKED and its locked_vm starts at 0. */
    @Test
    void forkDoesNotInheritLocks() {
        long addr = mmapAnon(k, t, 1, RW);
        sys.mlock(t, addr, PAGE).run();

        Task child = fork(k, t, "c");

        assertThat(child.mm().vmaAt(addr).has(VmFlags.VM_LOCKED)).isFalse();
        assertThat(child.mm().lockedVm()).isZero();
        assertThat(t.mm().lockedVm()).isEqualTo(1);
    }

    /** MADV_DONTNEED refuses a VM_LOCKED VMA ({@code madvise_dontneed_free_valid_vma}). */
    @Test
    void dontneedRefusesALockedVma() {
        long addr = mmapAnon(k, t, 1, RW);
        sys.mlock(t, addr, PAGE).run();
        assertThat(sys.madvise(t, addr, PAGE, Mman.MADV_DONTNEED).run()).isEqualTo(-Errno.EINVAL);
        assertThatPte(t, addr).isPresent();
    }
}
