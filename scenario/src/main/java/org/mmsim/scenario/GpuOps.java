package org.mmsim.scenario;

import static org.mmsim.scenario.Bindings.name;
import static org.mmsim.scenario.Bindings.num;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mmsim.drivers.gpu.GpuDriver;
import org.mmsim.kernel.uapi.Fcntl;
import org.mmsim.kernel.uapi.Mman;

/**
 * The operations of the TTM-style buffer manager {@code /dev/gpu} ({@code org.mmsim.drivers.gpu}): create a buffer
 * object in VRAM or system memory, map it, move it, and have the GPU's engine read or write it. A BO is the open file
 * its {@code gpu_create} made (the name is of kind {@code bo}).
 */
final class GpuOps {
    private GpuOps() {}

    /** The PLACE words. */
    static final Map<String, Integer> PLACES = new LinkedHashMap<>();
    /** The LOCKING words: {@code nolock} is the broken driver whose fault handler does not reserve the BO. */
    static final Map<String, Integer> LOCKING = new LinkedHashMap<>();

    static {
        PLACES.put("vram", GpuDriver.VRAM);
        PLACES.put("system", GpuDriver.SYSTEM);
        LOCKING.put("lock", 0);
        LOCKING.put("nolock", GpuDriver.GPU_CREATE_NOLOCK);
        LOCKING.put("generic_access", GpuDriver.GPU_CREATE_GENERIC_ACCESS);
    }

    static List<Operation> operations() {
        return List.of(
                Operation.of("gpu_create", "NEW N PLACE [LOCKING]",
                        "open(/dev/gpu), then GPU_CREATE of a buffer object of N pages placed in PLACE (vram or "
                                + "system); LOCKING nolock makes the deliberately broken driver whose fault handler "
                                + "does not reserve the BO, generic_access one whose ->access is generic_access_phys; NEW names the BO; returns its id or -errno",
                        (b, t, op) -> b.files().open(t, "/dev/" + GpuDriver.DEVICE, Fcntl.O_RDWR))
                        .binding("bo")
                        .then((b, t, op, calls) -> {
                            int fd = (int) calls.get(0).ret();
                            int lock = op.arg(3) == null ? 0 : LOCKING.get(name(op, 3));
                            return calls.size() == 1 && fd >= 0 ? b.files().ioctl(t, fd, GpuDriver.GPU_CREATE,
                                    num(op, 1), PLACES.get(name(op, 2)), lock) : null;
                        })
                        .returning(FileOps::bindDeviceFd),
                Operation.of("gpu_mmap", "NEW BO LEN",
                        "GPU_MAP_OFFSET of BO, then mmap(NULL, LEN, PROT_READ|PROT_WRITE, MAP_SHARED) of the device "
                                + "at that fake offset (ttm_bo_mmap: VM_IO|VM_PFNMAP, ttm_bo_vm_ops, nothing mapped "
                                + "yet); binds NEW to the address",
                        (b, t, op) -> b.files().ioctl(t, b.fd(op, 1, "bo"), GpuDriver.GPU_MAP_OFFSET))
                        .binding("address")
                        .then((b, t, op, calls) -> {
                            long off = calls.get(0).ret();
                            return calls.size() == 1 && off >= 0 ? b.sys().mmap(t, 0, num(op, 2),
                                    Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, b.fd(op, 1, "bo"), off)
                                    : null;
                        })
                        .returning(MemoryOps::bindAddress),
                Operation.of("gpu_export", "NEW BO [MAPINFO]",
                        "DRM_IOCTL_PRIME_HANDLE_TO_FD of BO: export it as a dma-buf and bind NEW to the new fd; "
                                + "MAPINFO (incoherent, coherent_wc or coherent_cached) is the map_info the exporter "
                                + "declares (seed 001), by default the one of its placement now (coherent_wc in "
                                + "VRAM, coherent_cached in system memory); returns the fd or -errno",
                        (b, t, op) -> op.arg(2) == null
                                ? b.files().ioctl(t, b.fd(op, 1, "bo"), GpuDriver.GPU_EXPORT)
                                : b.files().ioctl(t, b.fd(op, 1, "bo"), GpuDriver.GPU_EXPORT,
                                        DmaBufUserOps.word(op, 2, DmaBufUserOps.MAP_INFO)))
                        .binding("file")
                        .returning(FileOps::bindDeviceFd),
                Operation.of("gpu_validate", "BO",
                        "GPU_VALIDATE: move BO into VRAM (ttm_bo_validate), evicting another BO first when VRAM is "
                                + "full; returns 0, -ENOMEM or -EINVAL",
                        (b, t, op) -> b.files().ioctl(t, b.fd(op, 0, "bo"), GpuDriver.GPU_VALIDATE)),
                Operation.of("gpu_evict", "BO",
                        "GPU_EVICT: move BO to system memory (ttm_bo_evict); returns 0, -ENOMEM or -EINVAL",
                        (b, t, op) -> b.files().ioctl(t, b.fd(op, 0, "bo"), GpuDriver.GPU_EVICT)),
                Operation.of("gpu_write", "BO FOFF VALUE",
                        "the GPU's engine writes VALUE at byte offset FOFF of BO through its placement; returns 0 "
                                + "or -EINVAL",
                        (b, t, op) -> b.files().ioctl(t, b.fd(op, 0, "bo"), GpuDriver.GPU_WRITE, num(op, 1),
                                num(op, 2))),
                Operation.of("gpu_read", "BO FOFF",
                        "the GPU's engine reads the word at byte offset FOFF of BO; returns it or -EINVAL",
                        (b, t, op) -> b.files().ioctl(t, b.fd(op, 0, "bo"), GpuDriver.GPU_READ, num(op, 1)))
                        .returning((b, t, op, calls) -> {
                            long ret = calls.get(0).ret();
                            return ret < 0 && ret >= -4095 ? Value.of(ret) : Value.data(ret);
                        }));
    }
}
