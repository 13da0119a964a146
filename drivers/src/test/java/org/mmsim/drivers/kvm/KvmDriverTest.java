package org.mmsim.drivers.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.testing.KernelAssertions.pfnAt;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmsim.drivers.Drivers;
import org.mmsim.drivers.mmio.MmioDriver;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.profile.KernelProfile;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.TestKernels;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Fcntl;
import org.mmsim.kernel.uapi.Mman;

/** The kvm device: shadow ptes faulted in through GUP, zapped by the MMU notifier, retried across invalidations. */
class KvmDriverTest {

    /** A machine, a process with one anonymous page holding 0x1 at {@code addr}, and a VM with it at gpa 0. */
    private static final class Guest {
        final Kernel k;
        final Task t;
        final long addr;
        final int fd;

        Guest(KernelProfile profile) {
            k = TestKernels.boot(profile, TestKernels.FRAMES, 0, Drivers.all());
            t = k.spawn("p");
            addr = mmapAnon(k, t, 1, RW);
            assertThat(k.syscalls().store(t, addr, 0x1).run()).isZero();
            fd = (int) k.fileSyscalls().open(t, "/dev/" + KvmDriver.DEVICE, Fcntl.O_RDWR).run();
            assertThat(fd).isPositive();
            assertThat(ioctl(KvmDriver.KVM_CREATE_VM).run()).isZero();
            assertThat(ioctl(KvmDriver.KVM_SET_USER_MEMORY_REGION, 0, addr, PAGE).run()).isZero();
        }

        KernelCall<Void> ioctl(int cmd, long... args) {
            return k.fileSyscalls().ioctl(t, fd, cmd, args);
        }

        Vm vm() {
            return (Vm) t.files().get(fd).privateData();
        }

        long load() {
            return ioctl(KvmDriver.KVM_GUEST_LOAD, 0).run();
        }
    }

    private static KernelProfile profile(String name) {
        return TestKernels.profile(name);
    }

    @Test
    void aFaultInstallsAnSpteForTheHostPfn() {
        Guest g = new Guest(profile("6.18"));
        int pfn = pfnAt(g.t, g.addr);

        assertThat(g.ioctl(KvmDriver.KVM_GUEST_STORE, 8, 0x22).run()).isZero();

        Vm.Spte s = g.vm().sptes.get(0L);
        assertThat(s).isNotNull();
        assertThat(s.pfn()).isEqualTo(pfn);
        assertThat(s.hva()).isEqualTo(g.addr);
        assertThat(s.writable()).isTrue();
        assertThat(g.k.syscalls().load(g.t, g.addr + 8).complete().value()).isEqualTo(0x22);
        assertThat(g.load()).isEqualTo(0x1);
    }

    @Test
    void anInvalidationZapsTheSpteAndBumpsTheSequence() {
        Guest g = new Guest(profile("6.18"));
        assertThat(g.load()).isEqualTo(0x1);
        assertThat(g.vm().sptes).hasSize(1);
        long seq = g.vm().invalidateSeq;

        assertThat(g.k.syscalls().munmap(g.t, g.addr, PAGE).run()).isZero();

        assertThat(g.vm().sptes).isEmpty();
        assertThat(g.vm().invalidateSeq).isEqualTo(seq + 1);
        assertThat(g.vm().invalidateInProgress).isZero();
        assertThat(g.load()).isEqualTo(-Errno.EFAULT);
    }

    @Test
    void aFaultRacingAnInvalidationRetries() {
        Guest g = new Guest(profile("6.18"));
        KernelCall<Void> fault = g.ioctl(KvmDriver.KVM_GUEST_LOAD, 0);
        fault.step();                                  // mmu_seq read, pfn resolved; mmu_lock not taken yet
        assertThat(fault.done()).isFalse();
        assertThat(g.vm().sptes).isEmpty();

        assertThat(g.k.syscalls().munmap(g.t, g.addr, PAGE).run()).isZero();

        fault.step();                                  // mmu_invalidate_retry_gfn: the sequence moved
        assertThat(fault.done()).isFalse();
        assertThat(g.vm().sptes).as("no spte installed from the stale pfn").isEmpty();
        fault.step();                                  // back at 1: GUP finds no VMA
        assertThat(fault.done()).isTrue();
        assertThat(fault.ret()).isEqualTo(-Errno.EFAULT);
        assertThat(g.vm().sptes).isEmpty();
    }

    @Test
    void aFaultRacingAnInvalidationOfAnotherPageInstalls() {
        Guest g = new Guest(profile("6.18"));
        long other = mmapAnon(g.k, g.t, 1, RW);
        KernelCall<Void> fault = g.ioctl(KvmDriver.KVM_GUEST_LOAD, 0);
        fault.step();
        assertThat(g.k.syscalls().munmap(g.t, other, PAGE).run()).isZero();
        fault.step();                                  // the sequence moved: retried all the same (seq != mmu_seq)
        assertThat(fault.done()).isFalse();
        fault.step();                                  // 1 again: a fresh mmu_seq and pfn
        assertThat(fault.done()).isFalse();
        fault.step();                                  // 2: nothing moved since, the spte goes in
        assertThat(fault.done()).isTrue();
        assertThat(fault.ret()).isEqualTo(0x1);
        assertThat(g.vm().sptes).hasSize(1);
    }

    @Test
    void withPageRefsTheSpteHoldsAReferenceUntilItIsZapped() {
        Guest g = new Guest(profile("2.6.27"));
        assertThat(g.k.profile().on(Switch.KVM_PAGE_REFS)).isTrue();
        int pfn = pfnAt(g.t, g.addr);
        assertThatPage(g.k, pfn).hasRefcount(1);

        assertThat(g.load()).isEqualTo(0x1);
        assertThatPage(g.k, pfn).hasRefcount(2);
        assertThat(g.vm().sptes.get(0L).ref()).isNotNull();

        assertThat(g.k.syscalls().munmap(g.t, g.addr, PAGE).run()).isZero();  // the invalidation zaps it
        assertThat(g.vm().sptes).isEmpty();
        assertThatPage(g.k, pfn).as("the spte's reference went with it, and the page with its last").hasRefcount(0);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"4.8", "5.9", "6.18"})
    void withoutPageRefsTheSpteHoldsNone(String profile) {
        Guest g = new Guest(profile(profile));
        assertThat(g.k.profile().on(Switch.KVM_PAGE_REFS)).as("acb66dd051d0, 2.6.32").isFalse();
        int pfn = pfnAt(g.t, g.addr);

        KernelCall<Void> fault = g.ioctl(KvmDriver.KVM_GUEST_LOAD, 0);
        fault.step();                                  // hva_to_pfn: the fault holds its reference until it ends
        assertThat(fault.done()).isFalse();
        assertThatPage(g.k, pfn).hasRefcount(2);
        fault.step();                                  // the spte goes in, kvm_release_pfn_clean
        assertThat(fault.ret()).isEqualTo(0x1);
        assertThatPage(g.k, pfn).hasRefcount(1);
        assertThat(g.vm().sptes.get(0L).ref()).isNull();
    }

    /** kvm_fault_ref=off, the reference-free fault of seed 002 (never shipped): nothing held across the fault. */
    @Test
    void withoutTheFaultReferenceNothingIsHeldAcrossTheFault() {
        Guest g = new Guest(profile("5.9").with(Switch.KVM_FAULT_REF, "off"));
        int pfn = pfnAt(g.t, g.addr);

        KernelCall<Void> fault = g.ioctl(KvmDriver.KVM_GUEST_LOAD, 0);
        fault.step();                                  // hva_to_pfn: the pfn only
        assertThat(fault.done()).isFalse();
        assertThatPage(g.k, pfn).hasRefcount(1);
        fault.step();
        assertThat(fault.ret()).isEqualTo(0x1);
        assertThatPage(g.k, pfn).hasRefcount(1);
    }

    /** hva_to_pfn_remapped: a memslot over a VM_IO|VM_PFNMAP mapping maps the pte's raw pfn, with no reference. */
    @Test
    void aMemslotOverAPfnmapMappingReachesTheDevice() {
        Kernel k = TestKernels.boot(profile("6.18"), TestKernels.FRAMES, 0, Drivers.all());
        Task t = k.spawn("p");
        int mmio = (int) k.fileSyscalls().open(t, "/dev/" + MmioDriver.DEVICE, Fcntl.O_RDWR).run();
        long dev = k.syscalls().mmap(t, 0, PAGE, RW, Mman.MAP_SHARED, mmio, 0).run();
        int fd = (int) k.fileSyscalls().open(t, "/dev/" + KvmDriver.DEVICE, Fcntl.O_RDWR).run();
        assertThat(k.fileSyscalls().ioctl(t, fd, KvmDriver.KVM_CREATE_VM).run()).isZero();
        assertThat(k.fileSyscalls().ioctl(t, fd, KvmDriver.KVM_SET_USER_MEMORY_REGION, 0, dev, PAGE).run()).isZero();

        assertThat(k.fileSyscalls().ioctl(t, fd, KvmDriver.KVM_GUEST_LOAD, 0).run()).as("MMIO reads all ones")
                .isEqualTo(-1L);
        Vm vm = (Vm) t.files().get(fd).privateData();
        assertThat(vm.sptes.get(0L).pfn()).isEqualTo((int) Pte.pfn(t.mm().pte(dev)));
        assertThat(vm.sptes.get(0L).ref()).isNull();

        assertThat(k.syscalls().munmap(t, dev, PAGE).run()).isZero();
        assertThat(vm.sptes).isEmpty();
        assertThat(k.fileSyscalls().ioctl(t, fd, KvmDriver.KVM_GUEST_LOAD, 0).run()).isEqualTo(-Errno.EFAULT);
    }

    @Test
    void withoutTheNotifierNothingRegistersAndTheSpteKeepsItsReference() {
        Guest g = new Guest(profile("6.18").with(Switch.KVM_MMU_NOTIFIER, "off"));
        int pfn = pfnAt(g.t, g.addr);
        assertThat(g.vm().sub).isNull();

        assertThat(g.load()).isEqualTo(0x1);
        assertThatPage(g.k, pfn).hasRefcount(2);
        assertThat(g.vm().sptes.get(0L).ref()).isNotNull();
    }

    @Test
    void exitReleasesTheVmAndClosingItDropsEverything() {
        Guest g = new Guest(profile("5.9"));
        Task child = TestKernels.fork(g.k, g.t, "c");   // keeps the VM's file open after the parent exits
        assertThat(g.load()).isEqualTo(0x1);
        Vm vm = g.vm();
        assertThat(vm.sptes).hasSize(1);

        TestKernels.exit(g.k, g.t);

        assertThat(vm.dead).isTrue();
        assertThat(vm.sptes).isEmpty();
        assertThat(vm.sub.released()).isTrue();
        assertThat(g.k.fileSyscalls().ioctl(child, g.fd, KvmDriver.KVM_GUEST_LOAD, 0).run())
                .as("a guest access after release: the VM is dying").isEqualTo(-Errno.EIO);
        assertThat(g.k.fileSyscalls().close(child, g.fd).run()).isZero();
        assertThat(vm.sptes).isEmpty();
    }

    @Test
    void aSecondCreateOnTheSameOpenIsBusyAndOverlappingSlotsAreRefused() {
        Guest g = new Guest(profile("6.18"));
        assertThat(g.ioctl(KvmDriver.KVM_CREATE_VM).run()).isEqualTo(-Errno.EBUSY);
        assertThat(g.ioctl(KvmDriver.KVM_SET_USER_MEMORY_REGION, 0, g.addr, PAGE).run()).isEqualTo(-Errno.EEXIST);
        assertThat(g.ioctl(KvmDriver.KVM_SET_USER_MEMORY_REGION, PAGE, g.addr + 8, PAGE).run())
                .isEqualTo(-Errno.EINVAL);
        assertThat(g.ioctl(KvmDriver.KVM_GUEST_LOAD, PAGE).run()).as("no memslot").isEqualTo(-Errno.EFAULT);
        assertThat(g.ioctl(KvmDriver.KVM_SET_USER_MEMORY_REGION, PAGE, 0xffff888000000000L, PAGE).run())
                .as("!access_ok: a kernel address").isEqualTo(-Errno.EINVAL);
        assertThat(g.ioctl(KvmDriver.KVM_SET_USER_MEMORY_REGION, PAGE, 0x7ffffffff000L, 0x7fff800000001000L)
                .run())
                .as("!access_ok: a range running into the kernel's half").isEqualTo(-Errno.EINVAL);
    }

    @Test
    void aCopyOfAMachineWithAVmGoesOnAlike() {
        Guest g = new Guest(profile("6.18"));
        assertThat(g.load()).isEqualTo(0x1);
        Kernel copy = g.k.copy();
        assertThat(copy.fingerprint()).isEqualTo(g.k.fingerprint());
        Task ct = copy.tasks().byPid(g.t.pid());

        assertThat(copy.syscalls().munmap(ct, g.addr, PAGE).run()).isZero();
        Vm cvm = (Vm) ct.files().get(g.fd).privateData();
        assertThat(cvm.sptes).isEmpty();
        assertThat(g.vm().sptes).as("the original's spte stays").hasSize(1);
        assertThat(g.k.syscalls().munmap(g.t, g.addr, PAGE).run()).isZero();
        assertThat(copy.fingerprint()).isEqualTo(g.k.fingerprint());
    }
}
