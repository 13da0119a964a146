package org.mmsim.kernel.mm.mmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.PRIVATE_ANON;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.fork;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Mman;

/**
 * {@code mlock2(MLOCK_ONFAULT)}, {@code mlockall()} and {@code munlockall()} (mm/mlock.c, 4.4's lock-on-fault):
 * VM_LOCKONFAULT, {@code mm->def_flags}, what is faulted in and counted, and each errno.
 */
class MlockallTest {
    private final Kernel k = boot("6.18");
    private final Syscalls sys = k.syscalls();
    private final Task t = k.spawn("p");

    @Test
    void mlock2OnFaultLocksAndCountsButFaultsNothingIn() {
        long a = mmapAnon(k, t, 2, RW);

        assertThat(sys.mlock2(t, a, 2 * PAGE, Mman.MLOCK_ONFAULT).run()).isZero();

        assertThat(t.mm().vmaAt(a).flags() & VmFlags.VM_LOCKED_MASK).isEqualTo(VmFlags.VM_LOCKED_MASK);
        assertThat(t.mm().lockedVm()).isEqualTo(2);
        assertThatPte(t, a).isNone();
        write(k, t, a, 1);
        assertThatPte(t, a).isWritable();
        assertThatPte(t, a + PAGE).isNone();
    }

    /** mlock of a lock-on-fault range clears VM_LOCKONFAULT and faults it in; the pages were counted already. */
    @Test
    void mlockOverLockOnFaultFaultsInWithoutCountingTwice() {
        long a = mmapAnon(k, t, 2, RW);
        sys.mlock2(t, a, 2 * PAGE, Mman.MLOCK_ONFAULT).run();

        assertThat(sys.mlock(t, a, 2 * PAGE).run()).isZero();

        assertThat(t.mm().vmaAt(a).has(VmFlags.VM_LOCKONFAULT)).isFalse();
        assertThat(t.mm().lockedVm()).isEqualTo(2);
        assertThatPte(t, a + PAGE).isWritable();
        assertThat(sys.munlock(t, a, 2 * PAGE).run()).isZero();
        assertThat(t.mm().lockedVm()).isZero();
        assertThat(t.mm().vmaAt(a).flags() & VmFlags.VM_LOCKED_MASK).isZero();
    }

    @Test
    void mlock2TakesOnlyMlockOnfaultAndCameIn44() {
        long a = mmapAnon(k, t, 1, RW);
        assertThat(sys.mlock2(t, a, PAGE, 2).run()).isEqualTo(-Errno.EINVAL);
        Kernel old = boot("2.6.27");
        Task p = old.spawn("p");
        long b = mmapAnon(old, p, 1, RW);
        assertThat(old.syscalls().mlock2(p, b, PAGE, 0).run()).isEqualTo(-Errno.ENOSYS);
        assertThat(old.syscalls().mlockall(p, Mman.MCL_CURRENT | Mman.MCL_ONFAULT).run()).isEqualTo(-Errno.EINVAL);
        assertThat(old.syscalls().mlockall(p, Mman.MCL_CURRENT).run()).isZero();
    }

    @Test
    void mlockallCurrentLocksAndFaultsInEveryVma() {
        long a = mmapAnon(k, t, 2, RW);
        long b = a - 8 * PAGE;
        sys.mmap(t, b, PAGE, Mman.PROT_READ, PRIVATE_ANON | Mman.MAP_FIXED).run();

        assertThat(sys.mlockall(t, Mman.MCL_CURRENT).run()).isZero();

        assertThat(t.mm().vmaAt(a).has(VmFlags.VM_LOCKED)).isTrue();
        assertThat(t.mm().vmaAt(b).has(VmFlags.VM_LOCKED)).isTrue();
        assertThat(t.mm().lockedVm()).isEqualTo(3);
        assertThatPte(t, a + PAGE).isWritable();
        assertThatPte(t, b).isPresent();
        assertThat(t.mm().defFlags()).isZero();
        long c = mmapAnon(k, t, 1, RW);
        assertThat(t.mm().vmaAt(c).has(VmFlags.VM_LOCKED)).isFalse();
    }

    /** MCL_FUTURE: every later mapping is VM_LOCKED and faulted in; with MCL_ONFAULT, locked as it faults. */
    @Test
    void mlockallFutureLocksLaterMappings() {
        assertThat(sys.mlockall(t, Mman.MCL_FUTURE).run()).isZero();
        assertThat(t.mm().defFlags()).isEqualTo(VmFlags.VM_LOCKED);
        long a = mmapAnon(k, t, 1, RW);
        assertThat(t.mm().vmaAt(a).has(VmFlags.VM_LOCKED)).isTrue();
        assertThatPte(t, a).isWritable();
        assertThat(t.mm().lockedVm()).isEqualTo(1);

        assertThat(sys.mlockall(t, Mman.MCL_FUTURE | Mman.MCL_ONFAULT).run()).isZero();
        long b = mmapAnon(k, t, 1, RW);
        assertThat(t.mm().vmaAt(b).flags() & VmFlags.VM_LOCKED_MASK).isEqualTo(VmFlags.VM_LOCKED_MASK);
        assertThatPte(t, b).isNone();

        assertThat(sys.munlockall(t).run()).isZero();
        assertThat(t.mm().defFlags()).isZero();
        assertThat(t.mm().lockedVm()).isZero();
        assertThat(t.mm().vmaAt(a).flags() & VmFlags.VM_LOCKED_MASK).isZero();
        long c = mmapAnon(k, t, 1, RW);
        assertThat(t.mm().vmaAt(c).has(VmFlags.VM_LOCKED)).isFalse();
    }

    @ParameterizedTest(name = "flags {0}")
    @ValueSource(ints = {0, Mman.MCL_ONFAULT, 8, Mman.MCL_CURRENT | 8})
    void mlockallRefusesNoFlagOnfaultAloneAndUnknownFlags(int flags) {
        assertThat(sys.mlockall(t, flags).run()).isEqualTo(-Errno.EINVAL);
    }

    @Test
    void mlockallCurrentMustFitEveryMappedPageUnderTheLimit() {
        mmapAnon(k, t, 4, RW);
        sys.setrlimitMemlock(t, 3 * PAGE).run();
        assertThat(sys.mlockall(t, Mman.MCL_CURRENT).run()).isEqualTo(-Errno.ENOMEM);
        assertThat(sys.mlockall(t, Mman.MCL_FUTURE).run()).isZero(); // no MCL_CURRENT: no check
        assertThat(mmapAnonResult(4)).isEqualTo(-Errno.EAGAIN); // mlock_future_ok with def_flags
        sys.setrlimitMemlock(t, 0).run();
        assertThat(sys.mlockall(t, Mman.MCL_CURRENT).run()).isEqualTo(-Errno.EPERM);
    }

    private long mmapAnonResult(int pages) {
        return sys.mmap(t, 0, pages * PAGE, RW, PRIVATE_ANON).run();
    }

    /** Memory locks are not inherited by a child created via fork: neither the VMAs' flags nor def_flags. */
    @Test
    void forkPassesOnNoLock() {
        long a = mmapAnon(k, t, 1, RW);
        sys.mlock2(t, a, PAGE, Mman.MLOCK_ONFAULT).run();
        sys.mlockall(t, Mman.MCL_FUTURE).run();
        Task c = fork(k, t, "c");

        assertThat(c.mm().vmaAt(a).flags() & VmFlags.VM_LOCKED_MASK).isZero();
        assertThat(c.mm().defFlags()).isZero();
        assertThat(c.mm().lockedVm()).isZero();
        long b = mmapAnon(k, c, 1, RW);
        assertThat(c.mm().vmaAt(b).has(VmFlags.VM_LOCKED)).isFalse();
    }

    /** Before 4.9 (b155b4fde5bd) mlock_fixup counted a locked range again when only VM_LOCKONFAULT changed. */
    @ParameterizedTest(name = "{0}: locked_vm {1}")
    @org.junit.jupiter.params.provider.CsvSource({"4.8, 4", "4.9, 2"})
    void mlockOverLockOnFaultCountedTwiceBefore49(String profile, long lockedVm) {
        Kernel kk = boot(profile);
        Task p = kk.spawn("p");
        long a = mmapAnon(kk, p, 2, RW);
        kk.syscalls().mlock2(p, a, 2 * PAGE, Mman.MLOCK_ONFAULT).run();
        assertThat(kk.syscalls().mlock(p, a, 2 * PAGE).run()).isZero();
        assertThat(p.mm().lockedVm()).isEqualTo(lockedVm);
    }

    /** Before 5.2 (dedca63504a2) mlockall(MCL_ONFAULT) alone passed and unlocked everything, as munlockall does. */
    @Test
    void mlockallOnfaultAloneUnlockedEverythingBefore52() {
        Kernel kk = boot("4.9");
        Task p = kk.spawn("p");
        long a = mmapAnon(kk, p, 1, RW);
        kk.syscalls().mlock(p, a, PAGE).run();
        kk.syscalls().mlockall(p, Mman.MCL_FUTURE).run();

        assertThat(kk.syscalls().mlockall(p, Mman.MCL_ONFAULT).run()).isZero();

        assertThat(p.mm().vmaAt(a).has(VmFlags.VM_LOCKED)).isFalse();
        assertThat(p.mm().defFlags()).isZero();
        assertThat(p.mm().lockedVm()).isZero();
    }
}
