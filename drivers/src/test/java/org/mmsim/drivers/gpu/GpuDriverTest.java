package org.mmsim.drivers.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.check.Invariants;
import org.mmsim.kernel.mm.WordRead;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.drivers.Drivers;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.api.Exports;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.profile.Profiles;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Fcntl;
import org.mmsim.kernel.uapi.Mman;
import org.mmsim.kernel.uapi.Signal;

/** {@code /dev/gpu}: faults insert the placement's pfn, moves zap every mapping, VRAM evicts, errnos. */
class GpuDriverTest {
    private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;

    private static int create(Kernel k, Task t, long pages, long placement) {
        int fd = (int) k.fileSyscalls().open(t, "/dev/" + GpuDriver.DEVICE, Fcntl.O_RDWR).run();
        assertThat(k.fileSyscalls().ioctl(t, fd, GpuDriver.GPU_CREATE, pages, placement, 0).run()).isPositive();
        return fd;
    }

    private static long map(Kernel k, Task t, int fd) {
        return map(k, t, fd, 1, Mman.MAP_SHARED);
    }

    /** {@code mmap} of {@code pages} pages of the BO of {@code fd} with {@code flags}: the address or -errno. */
    private static long map(Kernel k, Task t, int fd, int pages, int flags) {
        long off = k.fileSyscalls().ioctl(t, fd, GpuDriver.GPU_MAP_OFFSET).run();
        return k.syscalls().mmap(t, 0, pages * 4096L, RW, flags, fd, off).run();
    }

    @Test
    void aFaultInsertsThePlacementPfnWriteCombinedForVram() {
        Kernel k = Kernel.boot(Profiles.byName("6.18"), 256, 0, Drivers.all());
        Task p = k.spawn("p");
        int x = create(k, p, 1, GpuDriver.VRAM);
        assertThat(k.fileSyscalls().ioctl(p, x, GpuDriver.GPU_WRITE, 0, 0x11).run()).isZero();
        long a = map(k, p, x);
        assertThat(k.syscalls().load(p, a).run()).isZero();
        long pte = p.mm().pte(a);
        assertThat(Pte.special(pte)).isTrue();
        assertThat(pte & (Pte.PWT | Pte.PCD)).isEqualTo(Exports.pgprotWritecombine(0) & (Pte.PWT | Pte.PCD));
        assertThat(k.fileSyscalls().ioctl(p, x, GpuDriver.GPU_EVICT).run()).isZero();
        assertThat(p.mm().pte(a)).isZero();
        assertThat(k.syscalls().load(p, a).run()).isZero();
        assertThat(p.mm().pte(a) & (Pte.PWT | Pte.PCD)).isZero();
        assertThat(k.fileSyscalls().ioctl(p, x, GpuDriver.GPU_READ, 0).run()).isEqualTo(0x11);
    }

    /** ttm_bo_vm_fault_reserved prefaults up to TTM_BO_VM_NUM_PREFAULT pages from the faulting one to the VMA's end. */
    @Test
    void aFaultMapsTheRestOfTheBoInTheVmaToo() {
        Kernel k = Kernel.boot(Profiles.byName("6.18"), 256, 0, Drivers.all());
        Task p = k.spawn("p");
        int x = create(k, p, 3, GpuDriver.VRAM);
        long a = map(k, p, x, 3, Mman.MAP_SHARED);

        assertThat(k.syscalls().load(p, a + 4096).run()).isZero();

        assertThat(p.mm().pte(a)).as("before the faulting page: not prefaulted").isZero();
        assertThat(Pte.pfn(p.mm().pte(a + 4096)) + 1).isEqualTo(Pte.pfn(p.mm().pte(a + 2 * 4096)));
        assertThat(k.fileSyscalls().ioctl(p, x, GpuDriver.GPU_EVICT).run()).isZero();
        assertThat(p.mm().pte(a + 4096)).isZero();
        assertThat(p.mm().pte(a + 2 * 4096)).as("the move zaps the prefaulted pte too").isZero();
    }

    @Test
    void aPrivateWritableMappingOfABoIsRefused() {
        Kernel k = Kernel.boot(Profiles.byName("6.18"), 256, 0, Drivers.all());
        Task p = k.spawn("p");
        int x = create(k, p, 1, GpuDriver.VRAM);

        assertThat(map(k, p, x, 1, Mman.MAP_PRIVATE)).as("ttm_bo_mmap_obj: is_cow_mapping").isEqualTo(-Errno.EINVAL);
        assertThat(map(k, p, x)).isPositive();
    }

    @Test
    void evictionZapsEveryProcessAndValidateEvictsWhenVramIsFull() {
        Kernel k = Kernel.boot(Profiles.byName("6.18"), 256, 0, Drivers.all());
        Task p = k.spawn("p");
        int x = create(k, p, 4, GpuDriver.VRAM);
        int y = create(k, p, 1, GpuDriver.SYSTEM);
        long a = map(k, p, x);
        k.syscalls().load(p, a).run();
        Task c = k.syscalls().fork(p, "c").complete();
        assertThat(c.mm().pte(a)).isNotZero();
        assertThat(k.fileSyscalls().ioctl(p, y, GpuDriver.GPU_VALIDATE).run()).isZero();
        assertThat(p.mm().pte(a)).isZero();
        assertThat(c.mm().pte(a)).isZero();
        int z = (int) k.fileSyscalls().open(p, "/dev/" + GpuDriver.DEVICE, Fcntl.O_RDWR).run();
        assertThat(k.fileSyscalls().ioctl(p, z, GpuDriver.GPU_CREATE, 4, GpuDriver.VRAM, 0).run())
                .isEqualTo(-Errno.ENOMEM);
    }

    @Test
    void badIoctlsFail() {
        Kernel k = Kernel.boot(Profiles.byName("6.18"), 256, 0, Drivers.all());
        Task p = k.spawn("p");
        int fd = (int) k.fileSyscalls().open(p, "/dev/" + GpuDriver.DEVICE, Fcntl.O_RDWR).run();
        assertThat(k.fileSyscalls().ioctl(p, fd, GpuDriver.GPU_CREATE, 0, GpuDriver.VRAM, 0).run())
                .isEqualTo(-Errno.EINVAL);
        assertThat(k.fileSyscalls().ioctl(p, fd, GpuDriver.GPU_CREATE, 1, 7, 0).run()).isEqualTo(-Errno.EINVAL);
        assertThat(k.fileSyscalls().ioctl(p, fd, GpuDriver.GPU_CREATE, 5, GpuDriver.VRAM, 0).run())
                .isEqualTo(-Errno.EINVAL);
        assertThat(k.fileSyscalls().ioctl(p, fd, GpuDriver.GPU_VALIDATE).run()).isEqualTo(-Errno.EINVAL);
        assertThat(k.fileSyscalls().ioctl(p, fd, 0x1234).run()).isEqualTo(-Errno.ENOTTY);
    }

    /**
     * ttm_bo_vm_reserve with FAULT_FLAG_ALLOW_RETRY: a fault that finds the reservation held by a move drops
     * mmap_lock while it waits and returns VM_FAULT_RETRY, so the access faults again; a munmap may run meanwhile.
     */
    @Test
    void aFaultWaitingForTheReservationHoldsNoMmapLockAndFaultsAgain() {
        Kernel k = Kernel.boot(Profiles.byName("6.18"), 256, 0, Drivers.all());
        Task p = k.spawn("p");
        int x = create(k, p, 1, GpuDriver.VRAM);
        long a = map(k, p, x);
        KernelCall<Void> evict = k.fileSyscalls().ioctl(p, x, GpuDriver.GPU_EVICT);
        evict.step(); // the move takes bo->base.resv and stops inside unmap_mapping_range
        assertThat(evict.done()).isFalse();
        var load = k.syscalls().load(p, a);
        load.step();
        assertThat(load.done()).as("asleep on the reservation").isFalse();
        assertThat(load.point()).contains("mmap_lock dropped");

        KernelCall<Void> munmap = k.syscalls().munmap(p, a, 4096);
        assertThat(munmap.blockedOn()).as("mmap_lock is free").isNull();
        assertThat(munmap.run()).isZero();
        assertThat(evict.run()).isZero();
        while (!load.done()) {
            load.step();
        }
        assertThat(load.result().signal()).as("the refault finds no VMA").isEqualTo(Signal.SIGSEGV);
    }

    /**
     * The broken driver, stepped by hand: the fault looks X's VRAM pfn up and sleeps; an eviction runs to the end
     * (its unmap finds no pte yet); the fault resumes and inserts the pfn X has left. With the reservation the
     * eviction waits for the fault instead and zaps the pte it inserted.
     */
    @Test
    void theNolockFaultInsertsAStalePfnWhenAMoveRunsInItsWindow() {
        Kernel k = Kernel.boot(Profiles.byName("6.18"), 256, 0, Drivers.all());
        Task p = k.spawn("p");
        int x = (int) k.fileSyscalls().open(p, "/dev/" + GpuDriver.DEVICE, Fcntl.O_RDWR).run();
        assertThat(k.fileSyscalls().ioctl(p, x, GpuDriver.GPU_CREATE, 1, GpuDriver.VRAM, GpuDriver.GPU_CREATE_NOLOCK)
                .run()).isEqualTo(1);
        long a = map(k, p, x);
        var load = k.syscalls().load(p, a);
        load.step();
        assertThat(load.done()).isFalse();
        assertThat(k.fileSyscalls().ioctl(p, x, GpuDriver.GPU_EVICT).run()).isZero();
        while (!load.done()) {
            load.step();
        }
        assertThat(p.mm().pte(a)).isNotZero();
        assertThat(Invariants.checkStep(k)).extracting(Violation::invariant).contains("device-isolation");

        Kernel l = Kernel.boot(Profiles.byName("6.18"), 256, 0, Drivers.all());
        Task q = l.spawn("q");
        int y = create(l, q, 1, GpuDriver.VRAM);
        long b = map(l, q, y);
        var fault = l.syscalls().load(q, b);
        fault.step();
        KernelCall<Void> evict = l.fileSyscalls().ioctl(q, y, GpuDriver.GPU_EVICT);
        while (evict.blockedOn() == null && !evict.done()) {
            evict.step();
        }
        assertThat(evict.done()).isFalse();
        assertThat(evict.blockedOn().lock()).contains("bo->base.resv");
        while (!fault.done()) {
            fault.step();
        }
        assertThat(Invariants.checkStep(l)).isEmpty();
        assertThat(evict.run()).isZero();
        assertThat(q.mm().pte(b)).isZero();
        assertThat(Invariants.checkStep(l)).isEmpty();
    }

    /**
     * {@code /proc/PID/mem} of a VRAM BO: -EIO before vm_ops_access (2.6.27) and before TTM had an {@code ->access}
     * (4.14, ttm_vm_access), the word through it after.
     */
    @ParameterizedTest
    @CsvSource({"2.6.19, -5", "2.6.23, -5", "2.6.27, -5", "4.9, -5", "5.7, 8", "6.18, 8"})
    void ptraceReachesTheObjectThroughTtmsAccessFrom414(String profile, int ret) {
        Kernel k = Kernel.boot(Profiles.byName(profile), 256, 0, Drivers.all());
        Task p = k.spawn("p");
        Task d = k.spawn("d");
        int x = create(k, p, 1, GpuDriver.VRAM);
        assertThat(k.fileSyscalls().ioctl(p, x, GpuDriver.GPU_WRITE, 8, 0x5a).run()).isZero();
        long a = map(k, p, x);
        KernelCall<WordRead> read = k.syscalls().procMemRead(d, p, a + 8);
        read.run();
        assertThat(read.result().ret()).isEqualTo(ret);
        if (ret > 0) {
            assertThat(read.result().value()).isEqualTo(0x5a);
        }
    }
}
