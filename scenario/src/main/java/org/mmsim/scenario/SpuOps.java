package org.mmsim.scenario;


import java.util.List;
import org.mmsim.drivers.spu.SpuDriver;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.uapi.Fcntl;
import org.mmsim.kernel.uapi.Mman;

/**
 * The operations of the {@code spu} device ({@code org.mmsim.drivers.spu}, Cell's spufs): create a context, map its
 * local store or its problem-state area, and run it on the (single) physical SPU, which switches out the context
 * there.
 */
final class SpuOps {
    private SpuOps() {}

    private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;

    static List<Operation> operations() {
        return List.of(
                Operation.of("spu_create", "NEW",
                        "spu_create(): open(/dev/spu), a new SPU context (saved, zeroed local store); NEW names its "
                                + "fd; returns it, or -ENOSPC when the image pool is used up (->open fails)",
                        (b, t, op) -> b.files().open(t, "/dev/" + SpuDriver.DEVICE, Fcntl.O_RDWR))
                        .binding("file")
                        .returning(FileOps::bindFd),
                Operation.of("spu_run", "FILE",
                        "spu_run() of context FILE on SPU 0: switch out the context there (unmap its mappings, save "
                                + "its local store), unmap FILE's mappings, load its local store; returns 0 or -errno",
                        (b, t, op) -> b.files().ioctl(t, b.fd(op, 0, "CTX"), SpuDriver.SPU_RUN, 0)),
                Operation.of("spu_mmap_ls", "NEW FILE",
                        "mmap(NULL, LS, PROT_READ|PROT_WRITE, MAP_SHARED) of context FILE's local store (its mem file); "
                                + "binds NEW to the address",
                        (b, t, op) -> b.sys().mmap(t, 0, SpuDriver.LS_PAGES * Page.PAGE_SIZE, RW, Mman.MAP_SHARED,
                                b.fd(op, 1, "CTX"), 0))
                        .binding("address")
                        .returning(MemoryOps::bindAddress),
                Operation.of("spu_mmap_ps", "NEW FILE",
                        "mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_SHARED) of context FILE's problem-state area (its "
                                + "psmap file): a load waits until the context is loaded; binds NEW to the address",
                        (b, t, op) -> b.sys().mmap(t, 0, Page.PAGE_SIZE, RW, Mman.MAP_SHARED, b.fd(op, 1, "CTX"),
                                (long) SpuDriver.PS_PGOFF * Page.PAGE_SIZE))
                        .binding("address")
                        .returning(MemoryOps::bindAddress));
    }
}
