package org.mmsim.scenario;

import static org.mmsim.scenario.Bindings.flags;
import static org.mmsim.scenario.Bindings.name;
import static org.mmsim.scenario.Bindings.num;

import java.util.List;
import org.mmsim.drivers.mmio.MmioDriver;
import org.mmsim.kernel.uapi.Fcntl;
import org.mmsim.kernel.uapi.Mman;

/**
 * The operations of the devices in {@code org.mmsim.drivers}: what a program does with each device, as the system
 * calls it makes. A device's operations are declared here, one provider entry per device.
 */
final class DeviceOps {
    private DeviceOps() {}

    static List<Operation> operations() {
        return List.of(
                Operation.of("mmap_device", "NEW LEN PROT",
                        "open(/dev/mmio), mmap(NULL, LEN, PROT, MAP_SHARED) of it, close(): a device's MMIO aperture "
                                + "mapped with remap_pfn_range (VM_IO|VM_PFNMAP); binds NEW to the address",
                        (b, t, op) -> b.files().open(t, "/dev/" + MmioDriver.DEVICE, Fcntl.O_RDWR))
                        .binding("address")
                        .then((b, t, op, calls) -> {
                            int fd = (int) calls.get(0).ret();
                            return switch (calls.size()) {
                                case 1 -> fd < 0 ? null : b.sys().mmap(t, 0, num(op, 1), flags(op, 2), Mman.MAP_SHARED,
                                        fd, 0);
                                case 2 -> b.files().close(t, fd);
                                default -> null;
                            };
                        })
                        .returning((b, t, op, calls) -> {
                            long ret = calls.size() > 1 ? calls.get(1).ret() : calls.get(0).ret();
                            b.bind(name(op, 0), new Bindings.Address(ret));
                            return Value.of(ret);
                        }));
    }
}
