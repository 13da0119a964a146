package org.mmsim.scenario;

import static org.mmsim.scenario.Bindings.num;

import java.util.List;

/** The io_uring operations: a ring, its one fixed buffer, and writes from it. */
final class IoUringOps {
    private IoUringOps() {}

    static List<Operation> operations() {
        return List.of(
                Operation.of("io_uring_setup", "NEW", "io_uring_setup(); NEW names the ring's fd; returns it or -ENOSYS",
                        (b, t, op) -> b.files().ioUringSetup(t))
                        .binding("ring").returning(FileOps::bindFd),
                Operation.of("io_uring_register_buffers", "RING ADDR LEN",
                        "IORING_REGISTER_BUFFERS of [ADDR, ADDR+LEN): a writable long-term pin",
                        (b, t, op) -> b.files().ioUringRegisterBuffers(t, b.fd(op, 0, "io_uring"), b.addr(op, 1),
                                num(op, 2))),
                Operation.of("io_uring_write_fixed", "RING FILE FOFF ADDR LEN",
                        "IORING_OP_WRITE_FIXED: write the fixed buffer's [ADDR, ADDR+LEN) to FILE at FOFF",
                        (b, t, op) -> b.files().ioUringWriteFixed(t, b.fd(op, 0, "io_uring"), b.fd(op, 1, "file"),
                                num(op, 2), b.addr(op, 3), num(op, 4))),
                Operation.of("io_uring_unregister_buffers", "RING", "IORING_UNREGISTER_BUFFERS: unpin and uncharge",
                        (b, t, op) -> b.files().ioUringUnregisterBuffers(t, b.fd(op, 0, "io_uring"))));
    }
}
