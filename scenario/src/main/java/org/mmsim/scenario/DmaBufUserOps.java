package org.mmsim.scenario;

import static org.mmsim.scenario.Bindings.flags;
import static org.mmsim.scenario.Bindings.name;
import static org.mmsim.scenario.Bindings.num;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mmsim.kernel.mm.pgtable.CacheMode;
import org.mmsim.kernel.uapi.DmaBufUapi;
import org.mmsim.kernel.uapi.Mman;

/**
 * What user space does with a dma-buf fd ({@code org.mmsim.kernel.dmabuf}; the fd comes from {@code gpu_export}):
 * map it, bracket CPU access with {@code DMA_BUF_IOCTL_SYNC}, and ask seed 001's proposed
 * {@code DMA_BUF_IOCTL_INFO} how a CPU mapping of it is cached.
 */
final class DmaBufUserOps {
    private DmaBufUserOps() {}

    /** The MAPINFO words: seed 001's {@code enum dma_buf_map_info}. */
    static final Map<String, Integer> MAP_INFO = new LinkedHashMap<>();
    /** The CACHE words: {@code CacheMode}. */
    static final Map<String, Integer> CACHE = new LinkedHashMap<>();

    static {
        MAP_INFO.put("incoherent", DmaBufUapi.DMA_BUF_MAP_INCOHERENT);
        MAP_INFO.put("coherent_wc", DmaBufUapi.DMA_BUF_COHERENT_WC);
        MAP_INFO.put("coherent_cached", DmaBufUapi.DMA_BUF_COHERENT_CACHED);
        CACHE.put("wb", CacheMode.WB);
        CACHE.put("wc", CacheMode.WC);
        CACHE.put("uc", CacheMode.UC);
    }

    static List<Operation> operations() {
        return List.of(
                Operation.of("dmabuf_mmap", "NEW FD LEN",
                        "mmap(NULL, LEN, PROT_READ|PROT_WRITE, MAP_SHARED) of dma-buf FD at offset 0 "
                                + "(dma_buf_mmap_internal, then the exporter's mmap); binds NEW to the address",
                        (b, t, op) -> b.sys().mmap(t, 0, num(op, 2), Mman.PROT_READ | Mman.PROT_WRITE,
                                Mman.MAP_SHARED, b.fd(op, 1, "file"), 0))
                        .binding("address")
                        .returning(MemoryOps::bindAddress),
                Operation.of("dmabuf_sync", "FD DMA_BUF_SYNC",
                        "ioctl(DMA_BUF_IOCTL_SYNC) of dma-buf FD with the flags (DMA_BUF_SYNC_START or _END, with "
                                + "_READ, _WRITE or _RW): the exporter's begin_cpu_access or end_cpu_access; returns "
                                + "0 or -EINVAL",
                        (b, t, op) -> b.files().ioctl(t, b.fd(op, 0, "file"), DmaBufUapi.DMA_BUF_IOCTL_SYNC,
                                flags(op, 1))),
                Operation.of("dmabuf_info", "FD",
                        "ioctl(DMA_BUF_IOCTL_INFO, DMA_BUF_INFO_MAP_INFO) of dma-buf FD (seed 001's proposal, "
                                + "switch dmabuf_map_info): returns the map_info (0 incoherent, 1 coherent_wc, 2 "
                                + "coherent_cached), or -ENOTTY where the ioctl does not exist (Linux)",
                        (b, t, op) -> b.files().ioctl(t, b.fd(op, 0, "file"), DmaBufUapi.DMA_BUF_IOCTL_INFO,
                                DmaBufUapi.DMA_BUF_INFO_MAP_INFO)));
    }

    /** The word argument {@code i} of {@code op} as a value of {@code words}. */
    static int word(Op op, int i, Map<String, Integer> words) {
        return words.get(name(op, i));
    }
}
