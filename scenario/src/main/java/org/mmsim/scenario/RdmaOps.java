package org.mmsim.scenario;

import static org.mmsim.scenario.Bindings.name;
import static org.mmsim.scenario.Bindings.num;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mmsim.drivers.rdma.RdmaDriver;
import org.mmsim.kernel.uapi.Fcntl;

/**
 * The RDMA device's operations ({@code drivers/rdma}): register a memory region, have the HCA read or write it, and
 * deregister it, as the ioctls {@code ibv_reg_mr}, RDMA work requests and {@code ibv_dereg_mr} come down to.
 */
final class RdmaOps {
    private RdmaOps() {}

    /** The MODE words: how the MR follows the process's memory. */
    static final Map<String, Integer> MODES = new LinkedHashMap<>();

    static {
        MODES.put("pinned", RdmaDriver.MODE_PINNED);
        MODES.put("odp", RdmaDriver.MODE_ODP);
        MODES.put("odp_noretry", RdmaDriver.MODE_ODP_NORETRY);
    }

    /** The IMPORT words: how an MR over a dma-buf follows the exporter's moves. */
    static final Map<String, Integer> IMPORTS = new LinkedHashMap<>();

    static {
        IMPORTS.put("dynamic", RdmaDriver.MODE_DMABUF_DYNAMIC);
        IMPORTS.put("pinned", RdmaDriver.MODE_DMABUF_PINNED);
        IMPORTS.put("ignore_move", RdmaDriver.MODE_DMABUF_IGNORE_MOVE);
    }

    private static final int ACCESS = RdmaDriver.IB_ACCESS_LOCAL_WRITE | RdmaDriver.IB_ACCESS_REMOTE_WRITE
            | RdmaDriver.IB_ACCESS_REMOTE_READ;

    static List<Operation> operations() {
        return List.of(
                Operation.of("rdma_reg_mr", "NEW ADDR LEN MODE",
                        "open(/dev/rdma), then REG_MR of [ADDR, ADDR+LEN), writable: MODE pinned (long-term pins, "
                                + "memlock-charged), odp (interval notifier, device page faults) or odp_noretry (a "
                                + "deliberately broken ODP driver that skips mmu_interval_read_retry); NEW names the "
                                + "MR; returns 0 or -errno",
                        (b, t, op) -> b.files().open(t, "/dev/" + RdmaDriver.DEVICE, Fcntl.O_RDWR))
                        .binding("mr")
                        .then((b, t, op, calls) -> {
                            int fd = (int) calls.get(0).ret();
                            return calls.size() == 1 && fd >= 0 ? b.files().ioctl(t, fd, RdmaDriver.RDMA_REG_MR,
                                    b.addr(op, 1), num(op, 2), MODES.get(name(op, 3)), ACCESS) : null;
                        })
                        .returning(FileOps::bindDeviceFd),
                Operation.of("rdma_reg_dmabuf_mr", "NEW FD FOFF LEN IMPORT",
                        "open(/dev/rdma), then REG_DMABUF_MR of bytes [FOFF, FOFF+LEN) of dma-buf FD, writable: "
                                + "IMPORT dynamic (mlx5: ->move_notify zaps, the next access faults under the "
                                + "buffer's lock), pinned (ib_umem_dmabuf_get_pinned: dma_buf_pin) or ignore_move (a "
                                + "deliberately broken importer: the pinned path without the pin); NEW names the MR; "
                                + "returns 0 or -errno",
                        (b, t, op) -> b.files().open(t, "/dev/" + RdmaDriver.DEVICE, Fcntl.O_RDWR))
                        .binding("mr")
                        .then((b, t, op, calls) -> {
                            int fd = (int) calls.get(0).ret();
                            return calls.size() == 1 && fd >= 0 ? b.files().ioctl(t, fd,
                                    RdmaDriver.RDMA_REG_DMABUF_MR, num(op, 2), num(op, 3), b.fd(op, 1, "file"),
                                    IMPORTS.get(name(op, 4)), ACCESS) : null;
                        })
                        .returning(FileOps::bindDeviceFd),
                Operation.of("rdma_write", "MR FOFF VALUE",
                        "the HCA executes an RDMA WRITE of VALUE at byte offset FOFF of MR (a device page fault first "
                                + "for an ODP MR without a valid device pte); returns 0 or -errno",
                        (b, t, op) -> b.files().ioctl(t, b.fd(op, 0, "mr"), RdmaDriver.RDMA_WRITE, num(op, 1),
                                num(op, 2))),
                Operation.of("rdma_read", "MR FOFF",
                        "the HCA executes an RDMA READ at byte offset FOFF of MR; returns the word or -errno",
                        (b, t, op) -> b.files().ioctl(t, b.fd(op, 0, "mr"), RdmaDriver.RDMA_READ, num(op, 1))),
                Operation.of("rdma_dereg_mr", "MR",
                        "DEREG_MR: unpin and uncharge a pinned MR, remove an ODP MR's notifier; returns 0 or -EINVAL",
                        (b, t, op) -> b.files().ioctl(t, b.fd(op, 0, "mr"), RdmaDriver.RDMA_DEREG_MR)));
    }
}
