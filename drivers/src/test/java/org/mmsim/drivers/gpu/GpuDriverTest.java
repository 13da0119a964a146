package org.mmsim.drivers.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmsim.drivers.Drivers;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.api.Exports;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.profile.Profiles;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Fcntl;
import org.mmsim.kernel.uapi.Mman;

/** {@code /dev/gpu}: faults insert the placement's pfn, moves zap every mapping, VRAM evicts, errnos. */
class GpuDriverTest {
    private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;

    private static int create(Kernel k, Task t, long pages, long placement) {
        int fd = (int) k.fileSyscalls().open(t, "/dev/" + GpuDriver.DEVICE, Fcntl.O_RDWR).run();
        assertThat(k.fileSyscalls().ioctl(t, fd, GpuDriver.GPU_CREATE, pages, placement, 0).run()).isPositive();
        return fd;
    }

    private static long map(Kernel k, Task t, int fd) {
        long off = k.fileSyscalls().ioctl(t, fd, GpuDriver.GPU_MAP_OFFSET).run();
        return k.syscalls().mmap(t, 0, 4096, RW, Mman.MAP_SHARED, fd, off).run();
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
}
