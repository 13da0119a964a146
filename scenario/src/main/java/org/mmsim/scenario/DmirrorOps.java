package org.mmsim.scenario;

import static org.mmsim.scenario.Bindings.num;

import java.util.List;
import org.mmsim.drivers.dmirror.DmirrorDriver;
import org.mmsim.kernel.uapi.Fcntl;

/** The HMM test device's operations ({@code drivers/dmirror}, lib/test_hmm.c): open a mirror, read and write through it. */
final class DmirrorOps {
    private DmirrorOps() {}

    static List<Operation> operations() {
        return List.of(
                Operation.of("dmirror_open", "NEW",
                        "open(/dev/hmm_dmirror): a device mirroring this process's address space through an interval "
                                + "notifier; NEW names it; returns the fd",
                        (b, t, op) -> b.files().open(t, "/dev/" + DmirrorDriver.DEVICE, Fcntl.O_RDWR))
                        .binding("dev")
                        .returning(FileOps::bindFd),
                Operation.of("dmirror_read", "DEV ADDR",
                        "HMM_DMIRROR_READ of one word at ADDR through the mirror (hmm_range_fault first if it has no "
                                + "entry); returns the word, -EFAULT or -EPERM",
                        (b, t, op) -> b.files().ioctl(t, b.fd(op, 0, "dev"), DmirrorDriver.HMM_DMIRROR_READ,
                                b.addr(op, 1), 1)),
                Operation.of("dmirror_write", "DEV ADDR VALUE",
                        "HMM_DMIRROR_WRITE of VALUE at ADDR through the mirror (a write fault first if its entry is "
                                + "missing or read-only); returns 0, -EFAULT or -EPERM",
                        (b, t, op) -> b.files().ioctl(t, b.fd(op, 0, "dev"), DmirrorDriver.HMM_DMIRROR_WRITE,
                                b.addr(op, 1), 1, num(op, 2))));
    }
}
