package org.mmsim.drivers.mmio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.testing.TestKernels.FRAMES;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.exit;
import static org.mmsim.kernel.testing.TestKernels.fork;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.open;
import static org.mmsim.kernel.testing.TestKernels.pipe;
import static org.mmsim.kernel.testing.TestKernels.profile;
import static org.mmsim.kernel.testing.TestKernels.store;
import static org.mmsim.kernel.testing.TestKernels.write;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.profile.Profiles;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.GupEntry;
import org.mmsim.kernel.testing.InvariantChecking;
import org.mmsim.kernel.testing.RecordingJournal;
import org.mmsim.kernel.testing.TestKernels;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Fcntl;
import org.mmsim.kernel.uapi.Mman;

/**
 * {@code /dev/mmio}: a device mapping made with {@code remap_pfn_range()} (VM_IO|VM_PFNMAP, special ptes to PFNs above
 * RAM) and what the kernel does with it: loads read all-ones and stores are dropped, GUP refuses it, so vmsplice and
 * {@code /proc/PID/mem} cannot reach it, MADV_DONTNEED and MADV_DOFORK refuse it, fork copies its ptes, and zap only
 * clears them.
 */
class MmioDriverTest {
    private static final String DEV = "/dev/" + MmioDriver.DEVICE;

    private final Kernel k = boot("6.18");
    private final Syscalls sys = k.syscalls();
    private final Task t = k.spawn("p");

    private static Kernel boot(String profile) {
        return TestKernels.boot(profile(profile), FRAMES, 0, List.of(new MmioDriver()));
    }

    /** {@code open("/dev/mmio", O_RDWR)} and {@code mmap(NULL, pages * PAGE, prot, MAP_SHARED, fd, 0)}. */
    private static long mapDevice(Kernel k, Task t, int pages, int prot) {
        int fd = open(k, t, DEV, Fcntl.O_RDWR);
        long addr = k.syscalls().mmap(t, 0, pages * PAGE, prot, Mman.MAP_SHARED, fd, 0).run();
        assertThat(addr).as("mmap of %s", DEV).isPositive();
        return addr;
    }

    @Test
    void theDriverRegistersItsDeviceAtBoot() {
        assertThat(k.drivers()).containsExactly(MmioDriver.DEVICE);
        Kernel without = TestKernels.boot("6.18");
        assertThat(without.fileSyscalls().open(without.spawn("q"), DEV, Fcntl.O_RDWR).run())
                .as("a machine booted without the driver").isEqualTo(-Errno.ENOENT);
    }

    @Test
    void theKernelsInvariantValidatorFollowsTheseTestsToo() {
        assertThat(InvariantChecking.on()).isTrue();
    }

    @Test
    void aMappingIsVmIoPfnmapWithSpecialPtesAboveRam() {
        long addr = mapDevice(k, t, 2, RW);

        assertThat(t.mm().vmaAt(addr).flags() & (VmFlags.VM_IO | VmFlags.VM_PFNMAP | VmFlags.VM_DONTEXPAND
                | VmFlags.VM_DONTDUMP)).isEqualTo(VmFlags.VM_IO | VmFlags.VM_PFNMAP | VmFlags.VM_DONTEXPAND
                        | VmFlags.VM_DONTDUMP);
        assertThat(t.mm().vmaAt(addr).vmOps().name()).isEqualTo("mmio_vm_ops");
        assertThatPte(t, addr).isPresent().isSpecial().isWritable();
        assertThat(Pte.pfn(t.mm().pte(addr))).isGreaterThanOrEqualTo(k.frames().nrFrames());
        assertThat(Pte.pfn(t.mm().pte(addr + PAGE))).isEqualTo(Pte.pfn(t.mm().pte(addr)) + 1);
        assertThat(k.pageAlloc().nrAllocated()).as("no struct page behind it").isZero();
    }

    @Test
    void pagemapReportsTheMappingAsAHoleWithoutItsPfn() {
        long addr = mapDevice(k, t, 1, RW);
        assertThatPte(t, addr).isPresent();

        // walk_page_test: a VM_PFNMAP VMA only gets pagemap_pte_hole: soft-dirty (a new VMA's flag), nothing else
        assertThat(sys.pagemap(t, addr).complete()).isEqualTo(1L << 55);
    }

    @Test
    void eachMappingGetsFreshPagesOfTheAperture() {
        long first = mapDevice(k, t, 1, RW);
        long second = mapDevice(k, t, 1, RW);

        assertThat(Pte.pfn(t.mm().pte(second))).isEqualTo(Pte.pfn(t.mm().pte(first)) + 1);
    }

    @Test
    void loadsReadAllOnesAndStoresAreDropped() {
        long addr = mapDevice(k, t, 1, RW);

        write(k, t, addr, 5);

        assertThat(load(k, t, addr)).isEqualTo(-1L);
        assertThat(k.peek(t, addr)).isEqualTo(-1L);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(GupEntry.class)
    void gupRefusesTheMappingWithEfault(GupEntry gup) {
        long addr = mapDevice(k, t, 1, RW);

        assertThat(gup.take(k, t, addr, 1, 0).ret()).isEqualTo(-Errno.EFAULT);
        if (gup.pins()) {
            assertThat(gup.take(k, t, addr, 1, Foll.FOLL_WRITE | Foll.FOLL_LONGTERM).ret()).isEqualTo(-Errno.EFAULT);
        }
        assertThat(k.gupHolders().held()).isEmpty();
    }

    @Test
    void vmspliceOfTheMappingIsEfault() {
        long addr = mapDevice(k, t, 1, RW);
        int[] fds = pipe(k, t);

        assertThat(k.fileSyscalls().vmsplice(t, fds[1], addr, PAGE).run()).isEqualTo(-Errno.EFAULT);
    }

    @Test
    void procPidMemCannotReachTheMappingWithoutAnAccessHook() {
        long addr = mapDevice(k, t, 1, RW);
        Task gdb = k.spawn("gdb");

        assertThat(sys.procMemWrite(gdb, t, addr, 1).run()).isEqualTo(-Errno.EIO);
        assertThat(sys.procMemRead(gdb, t, addr).complete().ret()).isEqualTo(-Errno.EIO);
        assertThat(sys.ptracePoke(gdb, t, addr, 1).run()).isEqualTo(-Errno.EIO);
    }

    @Test
    void madviseRefusesTheMapping() {
        long anon = mmapAnon(k, t, 1, RW);
        write(k, t, anon, 42);
        long dev = mapDevice(k, t, 1, RW);

        assertThat(sys.madvise(t, dev, PAGE, Mman.MADV_DONTNEED).run()).as("VM_PFNMAP").isEqualTo(-Errno.EINVAL);
        assertThat(sys.madvise(t, dev, PAGE, Mman.MADV_DOFORK).run()).as("VM_IO").isEqualTo(-Errno.EINVAL);
        assertThat(load(k, t, anon)).isEqualTo(42L);
        assertThatPte(t, dev).isSpecial();
    }

    /**
     * mprotect checks the VMA's VM_MAY* bits: a device opened read-only has no VM_MAYWRITE. do_mmap gives every file
     * mapping VM_MAYEXEC (the model has no noexec mounts), so PROT_EXEC is allowed.
     */
    @Test
    void mprotectChecksTheVmaMayBits() {
        long rw = mapDevice(k, t, 1, Mman.PROT_READ);
        int ro = open(k, t, DEV, Fcntl.O_RDONLY);
        long readOnly = sys.mmap(t, 0, PAGE, Mman.PROT_READ, Mman.MAP_SHARED, ro, 0).run();
        long before = t.mm().vmaAt(readOnly).flags();

        assertThat(sys.mprotect(t, readOnly, PAGE, RW).run()).as("no VM_MAYWRITE").isEqualTo(-Errno.EACCES);
        assertThat(t.mm().vmaAt(readOnly).flags()).isEqualTo(before);
        assertThat(sys.mmap(t, 0, PAGE, RW, Mman.MAP_SHARED, ro, 0).run()).isEqualTo(-Errno.EACCES);
        assertThat(sys.mprotect(t, rw, PAGE, RW).run()).as("VM_MAYWRITE is set").isZero();
        assertThat(sys.mprotect(t, rw, PAGE, Mman.PROT_READ | Mman.PROT_EXEC).run()).as("VM_MAYEXEC is set").isZero();
    }

    @Test
    void forkCopiesTheDevicePtesAndZapOnlyClearsThem() {
        long addr = mapDevice(k, t, 1, RW);
        long pte = t.mm().pte(addr);

        Task child = fork(k, t, "child");

        assertThat(child.mm().pte(addr)).as("VM_PFNMAP: fork copies the ptes").isEqualTo(Pte.mkOld(pte));
        assertThat(load(k, child, addr)).isEqualTo(-1L);
        assertThat(sys.munmap(child, addr, PAGE).run()).isZero();
        assertThatPte(child, addr).isNone();
        assertThatPte(t, addr).isSpecial();
        exit(k, t);
        assertThat(k.pageAlloc().nrAllocated()).isZero();
    }

    @Test
    void theApertureIsPartOfTheFingerprint() {
        Kernel other = boot("6.18");
        Task p = other.spawn("p");
        long fp = other.fingerprint();
        assertThat(k.fingerprint()).isEqualTo(fp);

        long addr = mapDevice(other, p, 1, RW);
        assertThat(other.syscalls().munmap(p, addr, PAGE).run()).isZero();
        assertThat(other.fileSyscalls().close(p, 3).run()).isZero();

        assertThat(other.fingerprint()).as("only the aperture's next page differs").isNotEqualTo(fp);
        assertThat(store(other, p, addr, 1)).as("the mapping is gone").isNotZero();
    }

    static Iterable<String> allProfiles() {
        return Profiles.names();
    }

    /** A history with anonymous memory, a fork and a device mapping; every address and pte it saw. */
    private static List<Long> history(Kernel k) {
        Syscalls sys = k.syscalls();
        List<Long> seen = new ArrayList<>();
        Task p = k.spawn("parent");
        long a = sys.mmap(p, 0, 2 * PAGE, RW, TestKernels.PRIVATE_ANON).run();
        sys.store(p, a, 1).run();
        long dev = mapDevice(k, p, 2, RW);
        Task c = sys.fork(p, "child").complete();
        sys.store(c, a, 2).run();
        sys.store(c, dev, 3).run();
        seen.add(a);
        seen.add(dev);
        seen.add(mapDevice(k, c, 1, RW));
        for (Task t : List.of(p, c)) {
            seen.add(t.mm().pte(a));
            seen.add(t.mm().pte(dev));
            seen.add(t.mm().pte(dev + PAGE));
        }
        sys.exit(c).run();
        sys.exit(p).run();
        return seen;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allProfiles")
    void twoMachinesWithTheDriverRunningTheSameHistoryAgreeExactly(String profile) {
        Kernel first = boot(profile);
        Kernel second = boot(profile);
        RecordingJournal j1 = new RecordingJournal();
        RecordingJournal j2 = new RecordingJournal();
        first.attach(j1);
        second.attach(j2);

        List<Long> seen1 = history(first);
        List<Long> seen2 = history(second);

        assertThat(seen2).isEqualTo(seen1);
        assertThat(j2.lines()).isEqualTo(j1.lines()).contains("path mmio_mmap", "path remap_pfn_range");
        assertThat(second.fingerprint()).isEqualTo(first.fingerprint());
    }
}
