package org.mmsim.drivers;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmsim.drivers.dmirror.DmirrorDriver;
import org.mmsim.drivers.gpu.GpuDriver;
import org.mmsim.drivers.mmio.MmioDriver;
import org.mmsim.drivers.rdma.RdmaDriver;
import org.mmsim.drivers.spu.SpuDriver;
import org.mmsim.drivers.ummunotify.UmmunotifyDriver;
import org.mmsim.kernel.syscall.RecordReadCall;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.profile.Profiles;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Fcntl;
import org.mmsim.kernel.uapi.Mman;

/**
 * A machine with drivers copies as a value: the copy's drivers are new instances with the original's state, the
 * copy's files and VMAs use the copy's operation tables, and both go on alike (the next mapping of the device gets
 * the same aperture pages on either, and neither sees the other's).
 */
class DriversCopyTest {
    private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;

    private static long mapDevice(Kernel k, Task t) {
        int fd = (int) k.fileSyscalls().open(t, "/dev/" + MmioDriver.DEVICE, Fcntl.O_RDWR).run();
        assertThat(fd).isPositive();
        return k.syscalls().mmap(t, 0, 4096, RW, Mman.MAP_SHARED, fd, 0).run();
    }

    @Test
    void aCopyGoesOnAsTheOriginalAndApartFromIt() {
        Kernel k = Kernel.boot(Profiles.byName("6.18"), 256, 0, Drivers.all());
        Task p = k.spawn("p");
        long first = mapDevice(k, p);
        assertThat(first).isPositive();

        Kernel copy = k.copy();
        assertThat(copy.fingerprint()).isEqualTo(k.fingerprint());
        assertThat(copy.drivers()).isEqualTo(k.drivers());
        Task cp = copy.tasks().byPid(p.pid());
        assertThat(cp.mm().vmaAt(first).vmOps().name()).isEqualTo("mmio_vm_ops");
        assertThat(cp.mm().vmaAt(first).has(VmFlags.VM_PFNMAP)).isTrue();

        long inCopy = mapDevice(copy, cp);
        long before = k.fingerprint();
        assertThat(copy.fingerprint()).isNotEqualTo(before);
        long inOriginal = mapDevice(k, p);
        assertThat(inOriginal).isEqualTo(inCopy);
        assertThat(k.fingerprint()).isEqualTo(copy.fingerprint());
        assertThat(cp.mm().pte(inCopy)).isEqualTo(p.mm().pte(inOriginal)).isNotZero();
    }

    /**
     * The devices that follow a process's memory copy their MRs, mirrors, device page tables and notifiers with the
     * machine: a munmap in the copy zaps the copy's device entries only, and a device read then differs.
     */
    @Test
    void mirroringDevicesCopyTheirTablesAndNotifiers() {
        Kernel k = Kernel.boot(Profiles.byName("6.18"), 256, 0, Drivers.all());
        Task p = k.spawn("p");
        long a = k.syscalls().mmap(p, 0, 4096, RW, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0).run();
        assertThat(k.syscalls().store(p, a, 0x11).run()).isZero();
        int mr = (int) k.fileSyscalls().open(p, "/dev/" + RdmaDriver.DEVICE, Fcntl.O_RDWR).run();
        assertThat(k.fileSyscalls().ioctl(p, mr, RdmaDriver.RDMA_REG_MR, a, 4096, RdmaDriver.MODE_ODP, 7).run())
                .isZero();
        int pinned = (int) k.fileSyscalls().open(p, "/dev/" + RdmaDriver.DEVICE, Fcntl.O_RDWR).run();
        assertThat(k.fileSyscalls().ioctl(p, pinned, RdmaDriver.RDMA_REG_MR, a, 4096, RdmaDriver.MODE_PINNED, 7)
                .run()).isZero();
        int dev = (int) k.fileSyscalls().open(p, "/dev/" + DmirrorDriver.DEVICE, Fcntl.O_RDWR).run();
        assertThat(k.fileSyscalls().ioctl(p, mr, RdmaDriver.RDMA_READ, 0).run()).isEqualTo(0x11);
        assertThat(k.fileSyscalls().ioctl(p, dev, DmirrorDriver.HMM_DMIRROR_READ, a, 1).run()).isEqualTo(0x11);

        Kernel copy = k.copy();
        assertThat(copy.fingerprint()).isEqualTo(k.fingerprint());
        Task cp = copy.tasks().byPid(p.pid());
        assertThat(copy.syscalls().munmap(cp, a, 4096).run()).isZero();
        assertThat(copy.fingerprint()).isNotEqualTo(k.fingerprint());
        assertThat(copy.fileSyscalls().ioctl(cp, mr, RdmaDriver.RDMA_READ, 0).run()).isEqualTo(-14);
        assertThat(copy.fileSyscalls().ioctl(cp, dev, DmirrorDriver.HMM_DMIRROR_READ, a, 1).run()).isEqualTo(-14);
        assertThat(copy.fileSyscalls().ioctl(cp, pinned, RdmaDriver.RDMA_READ, 0).run()).isEqualTo(0x11);
        assertThat(k.fileSyscalls().ioctl(p, mr, RdmaDriver.RDMA_READ, 0).run()).isEqualTo(0x11);
        assertThat(k.fileSyscalls().ioctl(p, dev, DmirrorDriver.HMM_DMIRROR_READ, a, 1).run()).isEqualTo(0x11);
        assertThat(k.syscalls().munmap(p, a, 4096).run()).isZero();
        assertThat(k.fingerprint()).isEqualTo(copy.fingerprint());
    }

    /**
     * The buffer manager copies its BOs (placement, frames, reservation) and its device mapping with the machine: an
     * eviction in the copy zaps the copy's pte and moves the copy's BO only; the same eviction in the original makes
     * the two machines equal again.
     */
    @Test
    void theBufferManagerCopiesItsObjectsAndMapping() {
        Kernel k = Kernel.boot(Profiles.byName("6.18"), 256, 0, Drivers.all());
        Task p = k.spawn("p");
        int bo = (int) k.fileSyscalls().open(p, "/dev/" + GpuDriver.DEVICE, Fcntl.O_RDWR).run();
        assertThat(k.fileSyscalls().ioctl(p, bo, GpuDriver.GPU_CREATE, 1, GpuDriver.VRAM, 0).run()).isEqualTo(1);
        assertThat(k.fileSyscalls().ioctl(p, bo, GpuDriver.GPU_WRITE, 0, 0x42).run()).isZero();
        long off = k.fileSyscalls().ioctl(p, bo, GpuDriver.GPU_MAP_OFFSET).run();
        long a = k.syscalls().mmap(p, 0, 4096, RW, Mman.MAP_SHARED, bo, off).run();
        assertThat(k.syscalls().load(p, a).run()).isZero();
        assertThat(p.mm().pte(a)).isNotZero();

        Kernel copy = k.copy();
        assertThat(copy.fingerprint()).isEqualTo(k.fingerprint());
        Task cp = copy.tasks().byPid(p.pid());
        assertThat(copy.fileSyscalls().ioctl(cp, bo, GpuDriver.GPU_EVICT).run()).isZero();
        assertThat(cp.mm().pte(a)).isZero();
        assertThat(p.mm().pte(a)).isNotZero();
        assertThat(copy.fingerprint()).isNotEqualTo(k.fingerprint());
        assertThat(k.fileSyscalls().ioctl(p, bo, GpuDriver.GPU_EVICT).run()).isZero();
        assertThat(k.fingerprint()).isEqualTo(copy.fingerprint());
        assertThat(copy.fileSyscalls().ioctl(cp, bo, GpuDriver.GPU_READ, 0).run()).isEqualTo(0x42);
    }

    /**
     * A dma-buf copies with its attachments, and an importer's MR with its mapping: an eviction in the copy tells the
     * copy's importer only (its translation is zapped, the original's is not), and the HCA's next access in the copy
     * faults and reads the BO's new frame; the same steps in the original make the two machines equal again.
     */
    @Test
    void aDmaBufCopiesWithItsImporters() {
        Kernel k = Kernel.boot(Profiles.byName("6.18").with(Switch.DMABUF_MOVE_NOTIFY, "on"), 256, 0, Drivers.all());
        Task p = k.spawn("p");
        int bo = (int) k.fileSyscalls().open(p, "/dev/" + GpuDriver.DEVICE, Fcntl.O_RDWR).run();
        assertThat(k.fileSyscalls().ioctl(p, bo, GpuDriver.GPU_CREATE, 1, GpuDriver.VRAM, 0).run()).isEqualTo(1);
        assertThat(k.fileSyscalls().ioctl(p, bo, GpuDriver.GPU_WRITE, 0, 0x42).run()).isZero();
        int buf = (int) k.fileSyscalls().ioctl(p, bo, GpuDriver.GPU_EXPORT).run();
        int mr = (int) k.fileSyscalls().open(p, "/dev/" + RdmaDriver.DEVICE, Fcntl.O_RDWR).run();
        assertThat(k.fileSyscalls().ioctl(p, mr, RdmaDriver.RDMA_REG_DMABUF_MR, 0, 4096, buf,
                RdmaDriver.MODE_DMABUF_DYNAMIC, 7).run()).isZero();

        Kernel copy = k.copy();
        assertThat(copy.fingerprint()).isEqualTo(k.fingerprint());
        Task cp = copy.tasks().byPid(p.pid());
        assertThat(copy.fileSyscalls().ioctl(cp, bo, GpuDriver.GPU_EVICT).run()).isZero();
        assertThat(copy.fingerprint()).isNotEqualTo(k.fingerprint());
        assertThat(copy.fileSyscalls().ioctl(cp, mr, RdmaDriver.RDMA_READ, 0).run()).isEqualTo(0x42);
        assertThat(org.mmsim.kernel.check.Invariants.checkStep(copy)).isEmpty();
        assertThat(k.fileSyscalls().ioctl(p, bo, GpuDriver.GPU_EVICT).run()).isZero();
        assertThat(k.fileSyscalls().ioctl(p, mr, RdmaDriver.RDMA_READ, 0).run()).isEqualTo(0x42);
        assertThat(k.fingerprint()).isEqualTo(copy.fingerprint());
        assertThat(copy.fileSyscalls().close(cp, mr).run()).isZero();
        assertThat(copy.fingerprint()).isNotEqualTo(k.fingerprint());
    }

    /**
     * The spu device copies its contexts, their state mutexes and a context switch stopped half way (holding both
     * mutexes, its unmap_mapping_range between two ptes): both machines finish the switch alike, and a load in each
     * then reads the saved image of the context switched out.
     */
    @Test
    void aContextSwitchStoppedHalfWayCopies() {
        Kernel k = Kernel.boot(Profiles.byName("6.18"), 256, 0, Drivers.all());
        Task p = k.spawn("p");
        int x = (int) k.fileSyscalls().open(p, "/dev/" + SpuDriver.DEVICE, Fcntl.O_RDWR).run();
        int y = (int) k.fileSyscalls().open(p, "/dev/" + SpuDriver.DEVICE, Fcntl.O_RDWR).run();
        long l = k.syscalls().mmap(p, 0, 2 * 4096, RW, Mman.MAP_SHARED, x, 0).run();
        assertThat(k.fileSyscalls().ioctl(p, x, SpuDriver.SPU_RUN, 0).run()).isZero();
        assertThat(k.syscalls().store(p, l, 0x11).complete().signal()).isZero();
        assertThat(k.syscalls().store(p, l + 4096, 0x12).complete().signal()).isZero();
        KernelCall<Void> sw = k.fileSyscalls().ioctl(p, y, SpuDriver.SPU_RUN, 0);
        sw.step();
        sw.step();
        assertThat(sw.done()).isFalse();

        Copier c = new Copier();
        Kernel copy = k.copy(c);
        KernelCall<Void> csw = c.copy(sw);
        assertThat(copy.fingerprint()).isEqualTo(k.fingerprint());
        assertThat(csw.fingerprint()).isEqualTo(sw.fingerprint());
        Task cp = copy.tasks().byPid(p.pid());
        while (!sw.done()) {
            sw.step();
        }
        assertThat(copy.fingerprint()).isNotEqualTo(k.fingerprint());
        while (!csw.done()) {
            csw.step();
        }
        assertThat(csw.ret()).isZero();
        assertThat(copy.fingerprint()).isEqualTo(k.fingerprint());
        assertThat(k.syscalls().load(p, l + 4096).complete().value()).isEqualTo(0x12);
        assertThat(copy.syscalls().load(cp, l + 4096).complete().value()).isEqualTo(0x12);
    }

    /**
     * The ummunotify device copies each open file's registrations, queue and flags with the machine, and a read asleep
     * on its wait queue copies with its buffer: a munmap in the copy wakes the copy's reader only, which reads the
     * copy's event into the copy's buffer.
     */
    @Test
    void aSleepingUmmunotifyReadCopiesWithItsBuffer() {
        Kernel k = Kernel.boot(Profiles.byName("6.18"), 256, 0, Drivers.all());
        Task p = k.spawn("p");
        long a = k.syscalls().mmap(p, 0, 2 * 4096, RW, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0).run();
        int fd = (int) k.fileSyscalls().open(p, "/dev/" + UmmunotifyDriver.DEVICE, Fcntl.O_RDONLY).run();
        assertThat(k.fileSyscalls().ioctl(p, fd, UmmunotifyDriver.UMMUNOTIFY_REGISTER_REGION, a, a + 8192, 9, 0)
                .run()).isZero();
        RecordReadCall read = k.fileSyscalls().readRecords(p, fd, 32, false);
        read.step();
        assertThat(read.blockedOn()).isNotNull();

        Copier c = new Copier();
        Kernel copy = k.copy(c);
        RecordReadCall cread = c.copy(read);
        assertThat(copy.fingerprint()).isEqualTo(k.fingerprint());
        assertThat(cread.fingerprint()).isEqualTo(read.fingerprint());
        Task cp = copy.tasks().byPid(p.pid());
        assertThat(copy.syscalls().munmap(cp, a + 4096, 4096).run()).isZero();
        assertThat(cread.blockedOn()).isNull();
        assertThat(read.blockedOn()).as("the original's reader still sleeps").isNotNull();
        cread.step();
        assertThat(cread.ret()).isEqualTo(32);
        assertThat(cread.buffer()).containsExactly(1L << 32, a + 4096, a + 8192, 9);
        assertThat(read.buffer()).isEmpty();
    }
}
