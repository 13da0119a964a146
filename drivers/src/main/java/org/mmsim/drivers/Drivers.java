package org.mmsim.drivers;

import java.util.List;
import org.mmsim.drivers.dmirror.DmirrorDriver;
import org.mmsim.drivers.gpu.GpuDriver;
import org.mmsim.drivers.kvm.KvmDriver;
import org.mmsim.drivers.mmio.MmioDriver;
import org.mmsim.drivers.rdma.RdmaDriver;
import org.mmsim.drivers.spu.SpuDriver;
import org.mmsim.drivers.ummunotify.UmmunotifyDriver;
import org.mmsim.kernel.api.Driver;

/**
 * The registry of device drivers a simulated machine boots with. A new device is a package of its own under
 * {@code org.mmsim.drivers}, written against {@code org.mmsim.kernel.api.Exports} and the {@code @Export}ed kernel
 * types only, plus one line here; nothing in the kernel, the fingerprint, the invariants or the scenario runner
 * changes (see docs/architecture.md, "A device"). A scenario's machine boots only the drivers whose devices its
 * operations open (the scenario module's {@code Operations.drivers}).
 */
public final class Drivers {
    private Drivers() {}

    /** A fresh instance of every driver, in registration order (each machine gets its own). */
    public static List<Driver> all() {
        return List.of(
                new MmioDriver(),
                new KvmDriver(),
                new RdmaDriver(),
                new DmirrorDriver(),
                new GpuDriver(),
                new SpuDriver(),
                new UmmunotifyDriver());
    }
}
