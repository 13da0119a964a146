package org.mmsim.scenario;

import static org.mmsim.scenario.Bindings.num;

import java.util.List;
import org.mmsim.drivers.dmirror.DmirrorDriver;
import org.mmsim.kernel.uapi.Fcntl;

/**
 * The HMM test device's operations ({@code drivers/dmirror}, lib/test_hmm.c): open a mirror of unit 0 to 3, read and
 * write through it, migrate pages to and from a coherent unit's memory, and snapshot the CPU page table.
 */
final class DmirrorOps {
    private DmirrorOps() {}

    static List<Operation> operations() {
        return List.of(
                Operation.of("dmirror_open", "NEW [N]",
                        "open(/dev/hmm_dmirrorN): a device mirroring this process's address space through an "
                                + "interval notifier; NEW names it; returns the fd. Unit N 0 (the default) and 1 only "
                                + "mirror; 2 and 3 have device-coherent memory (6.0; -ENOENT before)",
                        (b, t, op) -> b.files().open(t, devicePath(op), Fcntl.O_RDWR))
                        .binding("dev")
                        .returning((b, t, op, calls) -> FileOps.bindFd(b, op, calls, devicePath(op))),
                Operation.of("dmirror_read", "DEV ADDR",
                        "HMM_DMIRROR_READ of one word at ADDR through the mirror (hmm_range_fault first if it has no "
                                + "entry); returns the word, -EFAULT or -EPERM",
                        (b, t, op) -> b.files().ioctl(t, b.fd(op, 0, "dev"), DmirrorDriver.HMM_DMIRROR_READ,
                                b.addr(op, 1), 1)),
                Operation.of("dmirror_write", "DEV ADDR VALUE",
                        "HMM_DMIRROR_WRITE of VALUE at ADDR through the mirror (a write fault first if its entry is "
                                + "missing or read-only); returns 0, -EFAULT or -EPERM",
                        (b, t, op) -> b.files().ioctl(t, b.fd(op, 0, "dev"), DmirrorDriver.HMM_DMIRROR_WRITE,
                                b.addr(op, 1), 1, num(op, 2))),
                Operation.of("dmirror_migrate", "DEV ADDR [N]",
                        "HMM_DMIRROR_MIGRATE_TO_DEV: migrate N pages (default 1) from ADDR to the device's "
                                + "coherent memory (units 2 and 3); returns the pages the mirror then maps, -ENOENT if "
                                + "one is missing, -EINVAL",
                        (b, t, op) -> b.files().ioctl(t, coherentFd(b, op), DmirrorDriver.HMM_DMIRROR_MIGRATE_TO_DEV,
                                b.addr(op, 1), pages(op))),
                Operation.of("dmirror_migrate_sys", "DEV ADDR [N]",
                        "HMM_DMIRROR_MIGRATE_TO_SYS: migrate the device's own pages among N pages (default 1) from "
                                + "ADDR back to system memory; returns how many moved, or -EINVAL",
                        (b, t, op) -> b.files().ioctl(t, coherentFd(b, op), DmirrorDriver.HMM_DMIRROR_MIGRATE_TO_SYS,
                                b.addr(op, 1), pages(op))),
                Operation.of("dmirror_snapshot", "DEV ADDR [N]",
                        "HMM_DMIRROR_SNAPSHOT of N pages (1 to 7, default 1) from ADDR without faulting: one "
                                + "HMM_DMIRROR_PROT_* byte per page, page 0 in the low byte (0xFF error, 0x01 read, "
                                + "0x02 write, 0x10 zero page, 0x40/0x50 this/another device's coherent memory)",
                        (b, t, op) -> b.files().ioctl(t, b.fd(op, 0, "dev"), DmirrorDriver.HMM_DMIRROR_SNAPSHOT,
                                b.addr(op, 1), pages(op))));
    }

    /** The device node UNIT names: {@code /dev/hmm_dmirror} for unit 0, {@code /dev/hmm_dmirrorN} else. */
    private static String devicePath(Op op) {
        return "/dev/" + DmirrorDriver.deviceName(op.args().size() > 1 ? (int) num(op, 1) : 0);
    }

    private static long pages(Op op) {
        return op.args().size() > 2 ? num(op, 2) : 1;
    }

    /**
     * The fd of a device with coherent memory: units 0 and 1 would migrate to device-private memory, which the model
     * does not have, so a scenario that asks for it stops here rather than run a different kernel.
     */
    private static int coherentFd(Bindings b, Op op) throws ScenarioException {
        int fd = b.fd(op, 0, "dev");
        String path = b.namedPath(op, 0);
        if (path != null && (path.equals("/dev/" + DmirrorDriver.deviceName(0))
                || path.equals("/dev/" + DmirrorDriver.deviceName(1)))) {
            throw b.error(op, 0, "'" + Bindings.name(op, 0) + "' is " + path + ", whose migrations go to "
                    + "device-private memory, which the model does not have; open unit 2 or 3 (device-coherent memory)");
        }
        return fd;
    }
}
