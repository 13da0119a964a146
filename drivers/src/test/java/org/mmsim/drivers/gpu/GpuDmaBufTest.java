package org.mmsim.drivers.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mmsim.drivers.Drivers;
import org.mmsim.drivers.kvm.KvmDriver;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.check.Invariants;
import org.mmsim.kernel.dmabuf.DmaBuf;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.mm.pgtable.CacheMode;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.profile.KernelProfile;
import org.mmsim.kernel.profile.Profiles;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.DmaBufUapi;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Fcntl;
import org.mmsim.kernel.uapi.Mman;

/**
 * The GPU as a dma-buf exporter (PRIME): export, the dma-buf file's mmap, SYNC and the proposed INFO ioctl, release,
 * and the cache-alias invariant against a guest's mapping of the buffer.
 */
class GpuDmaBufTest {
    private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;

    private static Kernel boot(KernelProfile profile) {
        return Kernel.boot(profile, 256, 0, Drivers.all());
    }

    /** A BO of {@code pages} pages in {@code placement}, its word 0 set to 0x11: the BO's fd. */
    private static int bo(Kernel k, Task t, long pages, long placement) {
        int fd = (int) k.fileSyscalls().open(t, "/dev/" + GpuDriver.DEVICE, Fcntl.O_RDWR).run();
        assertThat(k.fileSyscalls().ioctl(t, fd, GpuDriver.GPU_CREATE, pages, placement, 0).run()).isPositive();
        assertThat(k.fileSyscalls().ioctl(t, fd, GpuDriver.GPU_WRITE, 0, 0x11).run()).isZero();
        return fd;
    }

    private static long mmap(Kernel k, Task t, int fd, long pages, long pgoff) {
        return k.syscalls().mmap(t, 0, pages * 4096, RW, Mman.MAP_SHARED, fd, pgoff * 4096).run();
    }

    @Test
    void anExportedBoIsMappedThroughItsDmaBufAndFollowsAMove() {
        Kernel k = boot(Profiles.byName("6.18"));
        Task p = k.spawn("p");
        int x = bo(k, p, 2, GpuDriver.VRAM);
        int f = (int) k.fileSyscalls().ioctl(p, x, GpuDriver.GPU_EXPORT).run();
        assertThat(f).as("the dma-buf's fd, after the BO's").isEqualTo(x + 1);
        File file = p.files().get(f);
        assertThat(file.privateData()).isInstanceOf(DmaBuf.class);
        assertThat(((DmaBuf) file.privateData()).pages()).isEqualTo(2);
        assertThat(((DmaBuf) file.privateData()).mapInfo()).isEqualTo(DmaBufUapi.DMA_BUF_COHERENT_WC);

        long a = mmap(k, p, f, 1, 1);
        assertThat(a).isPositive();
        assertThat(k.syscalls().load(p, a).complete().value()).as("page 1 of the BO").isZero();
        assertThat(CacheMode.of(p.mm().pte(a))).isEqualTo(CacheMode.WC);
        long a0 = mmap(k, p, f, 1, 0);
        assertThat(k.syscalls().load(p, a0).complete().value()).isEqualTo(0x11);

        assertThat(k.fileSyscalls().ioctl(p, x, GpuDriver.GPU_EVICT).run()).isZero();
        assertThat(p.mm().pte(a0)).as("the move's unmap_mapping_range reaches the dma-buf's mapping").isZero();
        assertThat(k.syscalls().load(p, a0).complete().value()).isEqualTo(0x11);
        assertThat(CacheMode.of(p.mm().pte(a0))).as("system memory: cached").isEqualTo(CacheMode.WB);
    }

    @Test
    void dmaBufMmapRefusesARangePastTheBufferAndACowMapping() {
        Kernel k = boot(Profiles.byName("6.18"));
        Task p = k.spawn("p");
        int f = (int) k.fileSyscalls().ioctl(p, bo(k, p, 1, GpuDriver.VRAM), GpuDriver.GPU_EXPORT).run();

        assertThat(mmap(k, p, f, 2, 0)).as("dma_buf_mmap_internal: past the size").isEqualTo(-Errno.EINVAL);
        assertThat(mmap(k, p, f, 1, 1)).isEqualTo(-Errno.EINVAL);
        assertThat(k.syscalls().mmap(p, 0, 4096, RW, Mman.MAP_PRIVATE, f, 0).run())
                .as("the exporter's ttm_bo_mmap_obj: is_cow_mapping").isEqualTo(-Errno.EINVAL);
    }

    @ParameterizedTest(name = "SYNC flags {0}: {1}")
    @CsvSource({"0, -22", "4, -22", "1, 0", "2, 0", "3, 0", "5, 0", "6, 0", "7, 0", "8, -22", "11, -22"})
    void syncChecksItsFlags(long flags, long expected) {
        Kernel k = boot(Profiles.byName("6.18"));
        Task p = k.spawn("p");
        int f = (int) k.fileSyscalls().ioctl(p, bo(k, p, 1, GpuDriver.VRAM), GpuDriver.GPU_EXPORT).run();

        assertThat(k.fileSyscalls().ioctl(p, f, DmaBufUapi.DMA_BUF_IOCTL_SYNC, flags).run()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"none, -25, -25", "export, 1, -22", "query, 2, -22"})
    void infoAnswersByTheSwitch(String mapInfo, long afterMove, long badParam) {
        Kernel k = boot(Profiles.byName("6.18").with(Switch.DMABUF_MAP_INFO, mapInfo));
        Task p = k.spawn("p");
        int x = bo(k, p, 1, GpuDriver.VRAM);
        int f = (int) k.fileSyscalls().ioctl(p, x, GpuDriver.GPU_EXPORT).run();
        assertThat(k.fileSyscalls().ioctl(p, x, GpuDriver.GPU_EVICT).run()).isZero();

        assertThat(k.fileSyscalls().ioctl(p, f, DmaBufUapi.DMA_BUF_IOCTL_INFO, DmaBufUapi.DMA_BUF_INFO_MAP_INFO)
                .run()).as("declared WC in VRAM; asked after the move to system memory").isEqualTo(afterMove);
        assertThat(k.fileSyscalls().ioctl(p, f, DmaBufUapi.DMA_BUF_IOCTL_INFO, 7).run()).isEqualTo(badParam);
        assertThat(k.fileSyscalls().ioctl(p, f, 0x6200 + 99, 0).run()).isEqualTo(-Errno.ENOTTY);
    }

    @Test
    void exportChecksTheHandleAndTheDeclaredMapInfo() {
        Kernel k = boot(Profiles.byName("6.18"));
        Task p = k.spawn("p");
        int empty = (int) k.fileSyscalls().open(p, "/dev/" + GpuDriver.DEVICE, Fcntl.O_RDWR).run();
        assertThat(k.fileSyscalls().ioctl(p, empty, GpuDriver.GPU_EXPORT).run()).isEqualTo(-Errno.ENOENT);
        int x = bo(k, p, 1, GpuDriver.SYSTEM);
        assertThat(k.fileSyscalls().ioctl(p, x, GpuDriver.GPU_EXPORT, 3).run()).isEqualTo(-Errno.EINVAL);
        int f = (int) k.fileSyscalls().ioctl(p, x, GpuDriver.GPU_EXPORT, DmaBufUapi.DMA_BUF_MAP_INCOHERENT).run();
        assertThat(((DmaBuf) p.files().get(f).privateData()).mapInfo()).isEqualTo(DmaBufUapi.DMA_BUF_MAP_INCOHERENT);
        int g = (int) k.fileSyscalls().ioctl(p, x, GpuDriver.GPU_EXPORT).run();
        assertThat(p.files().get(g)).as("obj->dma_buf: the same buffer, another fd").isSameAs(p.files().get(f));
        assertThat(k.fileSyscalls().close(p, f).run()).isZero();
        assertThat(k.fileSyscalls().close(p, g).run()).isZero();
        int h = (int) k.fileSyscalls().ioctl(p, x, GpuDriver.GPU_EXPORT).run();
        assertThat(((DmaBuf) p.files().get(h).privateData()).mapInfo())
                .as("released, exported anew: system memory, cached").isEqualTo(DmaBufUapi.DMA_BUF_COHERENT_CACHED);
    }

    @Test
    void theLastCloseReleasesTheBufferAndTheMappingKeepsItsFile() {
        Kernel k = boot(Profiles.byName("6.18"));
        Task p = k.spawn("p");
        int f = (int) k.fileSyscalls().ioctl(p, bo(k, p, 1, GpuDriver.VRAM), GpuDriver.GPU_EXPORT).run();
        File file = p.files().get(f);
        long a = mmap(k, p, f, 1, 0);
        assertThat(k.fileSyscalls().close(p, f).run()).isZero();
        assertThat(file.released()).as("the VMA holds the file").isFalse();
        assertThat(k.syscalls().load(p, a).complete().value()).isEqualTo(0x11);
        assertThat(k.syscalls().munmap(p, a, 4096).run()).isZero();
        assertThat(file.released()).isTrue();
    }

    /**
     * A one-page BO in {@code placement}, exported and mapped through its dma-buf, and a VM whose memslot over that
     * mapping has attribute {@code cache}, after a host load and a guest load of word 0: the mapping's address.
     */
    private static long guestMapsExportedBo(Kernel k, Task p, long placement, long cache) {
        int f = (int) k.fileSyscalls().ioctl(p, bo(k, p, 1, placement), GpuDriver.GPU_EXPORT).run();
        long a = mmap(k, p, f, 1, 0);
        assertThat(k.syscalls().load(p, a).complete().value()).isEqualTo(0x11);
        int vm = (int) k.fileSyscalls().open(p, "/dev/" + KvmDriver.DEVICE, Fcntl.O_RDWR).run();
        assertThat(k.fileSyscalls().ioctl(p, vm, KvmDriver.KVM_CREATE_VM).run()).isZero();
        assertThat(k.fileSyscalls().ioctl(p, vm, KvmDriver.KVM_SET_USER_MEMORY_REGION, 0, a, 4096, cache).run())
                .isZero();
        assertThat(k.fileSyscalls().ioctl(p, vm, KvmDriver.KVM_GUEST_LOAD, 0).run()).isEqualTo(0x11);
        return a;
    }

    private static List<Violation> cacheAliases(Kernel k) {
        return Invariants.checkStep(k).stream().filter(v -> v.invariant().equals("cache-alias")).toList();
    }

    /** A guest's WC spte to a BO's frame in system memory aliases the direct map's WB; the host's own WC does not. */
    @ParameterizedTest(name = "memslot cache {0}, aliasing {1}: {2} violations")
    @CsvSource({"-1, forbidden, 0", "1, forbidden, 1", "1, self_snoop, 0", "0, forbidden, 0"})
    void aGuestMappingWithAnotherAttributeIsACacheAlias(long cache, String aliasing, int violations) {
        Kernel k = boot(Profiles.byName("6.18").with(Switch.CACHE_ALIASING, aliasing));
        Task p = k.spawn("p");
        long a = guestMapsExportedBo(k, p, GpuDriver.SYSTEM, cache);
        List<Violation> found = cacheAliases(k);
        assertThat(found).hasSize(violations);
        if (violations > 0) {
            assertThat(found.get(0).message()).matches(
                    "pfn \\d+ is mapped WB by the kernel's direct map and WC by kvm for 0x[0-9a-f]+ of mm 1");
        }
        assertThat(Pte.present(p.mm().pte(a))).isTrue();
    }

    /** VRAM has no direct-map alias: the host's WC pte and a guest's WB spte of the same raw pfn disagree. */
    @ParameterizedTest(name = "memslot cache {0}: {1} violations")
    @CsvSource({"-1, 0", "1, 0", "0, 1", "2, 1"})
    void aRawPfnIsJudgedByItsMappingsAlone(long cache, int violations) {
        Kernel k = boot(Profiles.byName("6.18"));
        Task p = k.spawn("p");
        guestMapsExportedBo(k, p, GpuDriver.VRAM, cache);
        List<Violation> found = cacheAliases(k);
        assertThat(found).hasSize(violations);
        if (violations > 0) {
            assertThat(found.get(0).message()).matches("pfn \\d+ is mapped WC by mm 1 at 0x[0-9a-f]+ and "
                    + (cache == 0 ? "WB" : "UC") + " by kvm for 0x[0-9a-f]+ of mm 1");
        }
    }

    @Test
    void aMemslotWithAnUnknownAttributeIsRefused() {
        Kernel k = boot(Profiles.byName("6.18"));
        Task p = k.spawn("p");
        long a = k.syscalls().mmap(p, 0, 4096, RW, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0).run();
        int vm = (int) k.fileSyscalls().open(p, "/dev/" + KvmDriver.DEVICE, Fcntl.O_RDWR).run();
        assertThat(k.fileSyscalls().ioctl(p, vm, KvmDriver.KVM_CREATE_VM).run()).isZero();
        assertThat(k.fileSyscalls().ioctl(p, vm, KvmDriver.KVM_SET_USER_MEMORY_REGION, 0, a, 4096, 3).run())
                .isEqualTo(-Errno.EINVAL);
        assertThat(k.fileSyscalls().ioctl(p, vm, KvmDriver.KVM_SET_USER_MEMORY_REGION, 0, a, 4096, -2).run())
                .isEqualTo(-Errno.EINVAL);
    }
}
