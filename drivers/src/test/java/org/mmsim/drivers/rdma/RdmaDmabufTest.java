package org.mmsim.drivers.rdma;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mmsim.drivers.Drivers;
import org.mmsim.drivers.gpu.GpuDriver;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.check.Invariants;
import org.mmsim.kernel.dmabuf.DmaBuf;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.mm.pgtable.CacheMode;
import org.mmsim.kernel.profile.Profiles;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Fcntl;
import org.mmsim.kernel.uapi.Mman;

/**
 * RDMA memory regions over a GPU buffer exported as a dma-buf ({@code UmemDmabuf}): registration and its errnos, the
 * three importers (dynamic, pinned, and the broken one that ignores {@code ->move_notify}) against the GPU's moves
 * under both values of {@code dmabuf_move_notify}, the device fault that waits for a move's reservation, and the
 * teardown.
 */
class RdmaDmabufTest {
    private static final int ACCESS = RdmaDriver.IB_ACCESS_LOCAL_WRITE | RdmaDriver.IB_ACCESS_REMOTE_WRITE
            | RdmaDriver.IB_ACCESS_REMOTE_READ;

    /** A machine whose dmabuf_move_notify is the given value, with a one-page VRAM BO (word 0 = 0x11) exported. */
    private static final class M {
        final Kernel k;
        final Task p;
        /** The BO's fd: one page in VRAM, word 0 = 0x11. */
        final int bo;
        /** The BO's dma-buf fd. */
        final int buf;

        M(String moveNotify) {
            k = Kernel.boot(Profiles.byName("6.18").with(Switch.DMABUF_MOVE_NOTIFY, moveNotify), 256, 0, Drivers.all());
            p = k.spawn("p");
            bo = (int) k.fileSyscalls().open(p, "/dev/" + GpuDriver.DEVICE, Fcntl.O_RDWR).run();
            assertThat(k.fileSyscalls().ioctl(p, bo, GpuDriver.GPU_CREATE, 1, GpuDriver.VRAM, 0).run()).isPositive();
            assertThat(k.fileSyscalls().ioctl(p, bo, GpuDriver.GPU_WRITE, 0, 0x11).run()).isZero();
            buf = (int) k.fileSyscalls().ioctl(p, bo, GpuDriver.GPU_EXPORT).run();
            assertThat(buf).isPositive();
        }

        int open() {
            return (int) k.fileSyscalls().open(p, "/dev/" + RdmaDriver.DEVICE, Fcntl.O_RDWR).run();
        }

        long reg(int mr, long off, long len, long fd, int mode) {
            return k.fileSyscalls().ioctl(p, mr, RdmaDriver.RDMA_REG_DMABUF_MR, off, len, fd, mode, ACCESS).run();
        }

        /** A new MR over the whole buffer in {@code mode}: its fd. */
        int mr(int mode) {
            int mr = open();
            assertThat(reg(mr, 0, 4096, buf, mode)).isZero();
            return mr;
        }

        long ioctl(int fd, int cmd, long... args) {
            return k.fileSyscalls().ioctl(p, fd, cmd, args).run();
        }

        DmaBuf dmabuf() {
            return (DmaBuf) p.files().get(buf).privateData();
        }

        List<String> violations() {
            return Invariants.checkStep(k).stream().map(Violation::invariant).toList();
        }
    }

    @Test
    void registrationRefusesWhatIbUmemDmabufGetRefuses() {
        M t = new M("off");
        int mr = t.open();
        assertThat(t.reg(mr, 0, 4096, 99, RdmaDriver.MODE_DMABUF_DYNAMIC)).as("no such fd").isEqualTo(-Errno.EBADF);
        assertThat(t.reg(mr, 0, 4096, t.bo, RdmaDriver.MODE_DMABUF_DYNAMIC)).as("not a dma-buf")
                .isEqualTo(-Errno.EINVAL);
        assertThat(t.reg(mr, 0, 8192, t.buf, RdmaDriver.MODE_DMABUF_DYNAMIC)).as("past the buffer")
                .isEqualTo(-Errno.EINVAL);
        assertThat(t.reg(mr, 4096, 1, t.buf, RdmaDriver.MODE_DMABUF_DYNAMIC)).as("past the buffer")
                .isEqualTo(-Errno.EINVAL);
        assertThat(t.reg(mr, 0, 0, t.buf, RdmaDriver.MODE_DMABUF_DYNAMIC)).as("no pages").isEqualTo(-Errno.EINVAL);
        assertThat(t.reg(mr, -1, 4096, t.buf, RdmaDriver.MODE_DMABUF_DYNAMIC)).isEqualTo(-Errno.EINVAL);
        assertThat(t.reg(mr, 0, 4096, t.buf, 3)).as("unknown mode").isEqualTo(-Errno.EINVAL);
        assertThat(t.ioctl(mr, RdmaDriver.RDMA_REG_DMABUF_MR, 0, 4096, t.buf)).as("too few arguments")
                .isEqualTo(-Errno.EINVAL);
        assertThat(t.k.fileSyscalls().ioctl(t.p, mr, RdmaDriver.RDMA_REG_DMABUF_MR, 0, 4096, t.buf,
                RdmaDriver.MODE_DMABUF_DYNAMIC, RdmaDriver.IB_ACCESS_REMOTE_WRITE).run())
                .as("remote write without local write").isEqualTo(-Errno.EINVAL);
        assertThat(t.k.fileSyscalls().ioctl(t.p, mr, RdmaDriver.RDMA_REG_DMABUF_MR, 0, 4096, t.buf,
                RdmaDriver.MODE_DMABUF_DYNAMIC, 1 << 6).run()).as("IB_ACCESS_ON_DEMAND").isEqualTo(-Errno.EINVAL);
        assertThat(t.reg(mr, 0, 0, 99, RdmaDriver.MODE_DMABUF_DYNAMIC)).as("the fd is looked up before the size")
                .isEqualTo(-Errno.EBADF);
        assertThat(t.dmabuf().attachments()).as("nothing attached by a failed registration").isEmpty();
        assertThat(t.p.files().get(t.buf).count()).as("nor a reference kept").isEqualTo(1);
        assertThat(t.reg(mr, 8, 8, t.buf, RdmaDriver.MODE_DMABUF_DYNAMIC)).isZero();
        assertThat(t.reg(mr, 0, 4096, t.buf, RdmaDriver.MODE_DMABUF_DYNAMIC)).as("one MR per context")
                .isEqualTo(-Errno.EBUSY);
        assertThat(t.ioctl(mr, RdmaDriver.RDMA_READ, 0)).as("offset 0 of the MR is byte 8 of the buffer").isZero();
        assertThat(t.ioctl(mr, RdmaDriver.RDMA_READ, 8)).as("past the MR").isEqualTo(-Errno.EINVAL);
        assertThat(t.ioctl(mr, RdmaDriver.RDMA_READ, Long.MAX_VALUE - 7)).as("no overflow").isEqualTo(-Errno.EINVAL);
        assertThat(t.dmabuf().attachments()).hasSize(1);
        assertThat(t.p.files().get(t.buf).count()).as("dma_buf_get's reference").isEqualTo(2);
    }

    @Test
    void beforeFiveTwelveTheMethodDoesNotExist() {
        Kernel k = Kernel.boot(Profiles.byName("5.11"), 256, 0, Drivers.all());
        Task p = k.spawn("p");
        int mr = (int) k.fileSyscalls().open(p, "/dev/" + RdmaDriver.DEVICE, Fcntl.O_RDWR).run();
        assertThat(k.fileSyscalls().ioctl(p, mr, RdmaDriver.RDMA_REG_DMABUF_MR, 0, 4096, 3,
                RdmaDriver.MODE_DMABUF_DYNAMIC, ACCESS).run()).isEqualTo(-Errno.EPROTONOSUPPORT);
    }

    /**
     * Without move notifiers the dynamic MR's first mapping pins the BO, and the GPU pins into GTT: the registration
     * moves the BO out of VRAM, an eviction finds it in system memory already, and a move back is refused.
     */
    @Test
    void byDefaultADynamicImportersMappingPinsTheBufferInSystemMemory() {
        M t = new M("off");
        long a = t.k.syscalls().mmap(t.p, 0, 4096, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, t.buf, 0).run();
        assertThat(t.k.syscalls().load(t.p, a).complete().value()).isEqualTo(0x11);
        assertThat(CacheMode.of(t.p.mm().pte(a))).as("VRAM").isEqualTo(CacheMode.WC);
        int mr = t.mr(RdmaDriver.MODE_DMABUF_DYNAMIC);
        assertThat(t.p.mm().pte(a)).as("the pin's move zapped the CPU mapping").isZero();
        assertThat(t.k.syscalls().load(t.p, a).complete().value()).isEqualTo(0x11);
        assertThat(CacheMode.of(t.p.mm().pte(a))).as("system memory").isEqualTo(CacheMode.WB);
        assertThat(t.ioctl(mr, RdmaDriver.RDMA_READ, 0)).isEqualTo(0x11);
        assertThat(t.ioctl(t.bo, GpuDriver.GPU_EVICT)).as("already there").isZero();
        assertThat(t.ioctl(t.bo, GpuDriver.GPU_VALIDATE)).as("Moving of pinned BOs is forbidden")
                .isEqualTo(-Errno.EINVAL);
        assertThat(t.ioctl(mr, RdmaDriver.RDMA_DEREG_MR)).isZero();
        assertThat(t.dmabuf().attachments()).isEmpty();
        assertThat(t.ioctl(t.bo, GpuDriver.GPU_VALIDATE)).as("unpinned by the unmap").isZero();
        assertThat(t.violations()).isEmpty();
    }

    @Test
    void withMoveNotifyADynamicImporterFollowsTheMove() {
        M t = new M("on");
        int mr = t.mr(RdmaDriver.MODE_DMABUF_DYNAMIC);
        assertThat(t.ioctl(mr, RdmaDriver.RDMA_WRITE, 8, 0x22)).isZero();
        assertThat(t.ioctl(t.bo, GpuDriver.GPU_EVICT)).isZero();
        assertThat(t.violations()).as("the translation was zapped before the move").isEmpty();
        assertThat(t.ioctl(mr, RdmaDriver.RDMA_READ, 8)).as("a device fault maps the new frame").isEqualTo(0x22);
        assertThat(t.ioctl(mr, RdmaDriver.RDMA_WRITE, 0, 0x33)).isZero();
        assertThat(t.ioctl(t.bo, GpuDriver.GPU_READ, 0)).isEqualTo(0x33);
        assertThat(t.ioctl(t.bo, GpuDriver.GPU_VALIDATE)).isZero();
        assertThat(t.ioctl(mr, RdmaDriver.RDMA_READ, 0)).isEqualTo(0x33);
        assertThat(t.violations()).isEmpty();
    }

    /** With move notifiers and a peer-to-peer importer the GPU pins in VRAM: no move there, no victim either. */
    @Test
    void aPinnedImporterKeepsTheBufferInVramUntilDeregistered() {
        M t = new M("on");
        int mr = t.mr(RdmaDriver.MODE_DMABUF_PINNED);
        assertThat(t.ioctl(t.bo, GpuDriver.GPU_EVICT)).isEqualTo(-Errno.EINVAL);
        int other = (int) t.k.fileSyscalls().open(t.p, "/dev/" + GpuDriver.DEVICE, Fcntl.O_RDWR).run();
        assertThat(t.ioctl(other, GpuDriver.GPU_CREATE, 4, GpuDriver.SYSTEM, 0)).isPositive();
        assertThat(t.ioctl(other, GpuDriver.GPU_VALIDATE)).as("the pinned BO is no victim").isEqualTo(-Errno.ENOMEM);
        assertThat(t.ioctl(mr, RdmaDriver.RDMA_READ, 0)).isEqualTo(0x11);
        assertThat(t.k.fileSyscalls().close(t.p, mr).run()).as("closing deregisters").isZero();
        assertThat(t.ioctl(other, GpuDriver.GPU_VALIDATE)).isZero();
        assertThat(t.ioctl(t.bo, GpuDriver.GPU_READ, 0)).isEqualTo(0x11);
        assertThat(t.violations()).isEmpty();
    }

    /** Without them it pins into GTT, twice (dma_buf_pin, and the map's pin): the BO stays in system memory. */
    @Test
    void withoutMoveNotifyAPinnedImporterPinsTheBufferInSystemMemory() {
        M t = new M("off");
        int mr = t.mr(RdmaDriver.MODE_DMABUF_PINNED);
        assertThat(t.ioctl(t.bo, GpuDriver.GPU_EVICT)).isZero();
        assertThat(t.ioctl(t.bo, GpuDriver.GPU_VALIDATE)).isEqualTo(-Errno.EINVAL);
        assertThat(t.ioctl(mr, RdmaDriver.RDMA_WRITE, 8, 0x12)).isZero();
        assertThat(t.ioctl(t.bo, GpuDriver.GPU_READ, 8)).isEqualTo(0x12);
        assertThat(t.ioctl(mr, RdmaDriver.RDMA_DEREG_MR)).isZero();
        assertThat(t.ioctl(t.bo, GpuDriver.GPU_VALIDATE)).as("both pins dropped").isZero();
        assertThat(t.violations()).isEmpty();
    }

    @Test
    void anImporterThatIgnoresMoveNotifyIsSafeOnlyWhileMappingsPin() {
        M off = new M("off");
        int mr = off.mr(RdmaDriver.MODE_DMABUF_IGNORE_MOVE);
        assertThat(off.ioctl(off.bo, GpuDriver.GPU_EVICT)).as("the map's pin moved it there").isZero();
        assertThat(off.ioctl(off.bo, GpuDriver.GPU_VALIDATE)).isEqualTo(-Errno.EINVAL);
        assertThat(off.violations()).isEmpty();
        assertThat(off.ioctl(mr, RdmaDriver.RDMA_DEREG_MR)).isZero();

        M t = new M("on");
        int broken = t.mr(RdmaDriver.MODE_DMABUF_IGNORE_MOVE);
        assertThat(t.ioctl(t.bo, GpuDriver.GPU_EVICT)).isZero();
        assertThat(t.violations()).containsExactly("dmabuf-coherence");
        assertThat(t.ioctl(broken, RdmaDriver.RDMA_WRITE, 8, 0x44)).isZero();
        assertThat(t.ioctl(t.bo, GpuDriver.GPU_READ, 8)).as("the write went to the old frame").isZero();
        assertThat(t.ioctl(broken, RdmaDriver.RDMA_DEREG_MR)).isZero();
        assertThat(t.violations()).isEmpty();
    }

    /**
     * A move tells the importer after the CPU unmap, in the step that copies: while the unmap runs the HCA still
     * reaches the BO where it is (its write is copied with it). A fault on a translation an earlier move zapped waits
     * for the reservation lock the next move holds across its unmap, and then maps the BO's new frame.
     */
    @Test
    void aDeviceFaultWaitsForTheMove() {
        M t = new M("on");
        int mr = t.mr(RdmaDriver.MODE_DMABUF_DYNAMIC);
        long a = t.k.syscalls().mmap(t.p, 0, 4096, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, t.buf, 0).run();
        assertThat(t.k.syscalls().load(t.p, a).complete().value()).isEqualTo(0x11);
        KernelCall<Void> evict = t.k.fileSyscalls().ioctl(t.p, t.bo, GpuDriver.GPU_EVICT);
        evict.step();
        assertThat(evict.done()).as("stopped in unmap_mapping_range, the reservation held").isFalse();
        assertThat(t.ioctl(mr, RdmaDriver.RDMA_WRITE, 8, 0x22)).as("not told yet: the old frame is still the BO's")
                .isZero();
        while (!evict.done()) {
            evict.step();
        }
        assertThat(evict.ret()).isZero();
        assertThat(t.violations()).isEmpty();

        assertThat(t.k.syscalls().load(t.p, a).complete().value()).isEqualTo(0x11);
        KernelCall<Void> validate = t.k.fileSyscalls().ioctl(t.p, t.bo, GpuDriver.GPU_VALIDATE);
        validate.step();
        assertThat(validate.done()).isFalse();
        KernelCall<Void> read = t.k.fileSyscalls().ioctl(t.p, mr, RdmaDriver.RDMA_READ, 8);
        read.step();
        assertThat(read.done()).isFalse();
        assertThat(read.blockedOn()).as("zapped by the eviction: the fault waits for the lock").isNotNull();
        while (!validate.done()) {
            validate.step();
        }
        assertThat(validate.ret()).isZero();
        assertThat(read.blockedOn()).isNull();
        assertThat(read.run()).as("the write made during the first move's unmap, copied twice").isEqualTo(0x22);
        assertThat(t.violations()).isEmpty();
    }

    @Test
    void theMrHoldsTheBufferAfterItsFdIsClosed() {
        M t = new M("off");
        int mr = t.mr(RdmaDriver.MODE_DMABUF_DYNAMIC);
        File file = t.p.files().get(t.buf);
        DmaBuf dmabuf = t.dmabuf();
        assertThat(t.k.fileSyscalls().close(t.p, t.buf).run()).isZero();
        assertThat(file.released()).isFalse();
        assertThat(t.ioctl(mr, RdmaDriver.RDMA_READ, 0)).isEqualTo(0x11);
        assertThat(t.ioctl(mr, RdmaDriver.RDMA_DEREG_MR)).isZero();
        assertThat(dmabuf.attachments()).isEmpty();
        assertThat(file.released()).as("the MR's was the last reference").isTrue();
        assertThat(t.ioctl(mr, RdmaDriver.RDMA_READ, 0)).isEqualTo(-Errno.EINVAL);
        assertThat(t.ioctl(t.bo, GpuDriver.GPU_EVICT)).isZero();
    }
}
