package org.mmsim.drivers.spu;

import java.util.ArrayList;
import java.util.List;
import org.mmsim.kernel.api.DeviceMemory;
import org.mmsim.kernel.api.Driver;
import org.mmsim.kernel.api.Exports;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.fs.FileOperations;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.VmFault;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.profile.DriverFault;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code /dev/spu}: Cell's spufs (arch/powerpc/platforms/cell/spufs/), seed 000's first example and kernel-mm.md §7.6
 * and §10 B5. Fewer physical SPUs ({@link #NR_SPUS}) than contexts: each open of the device is a context
 * ({@code spu_create}), which its process maps and runs; {@link #SPU_RUN} schedules a context onto a physical SPU,
 * switching out the one there ({@link SpuRun}: {@code spu_unmap_mappings}, save, load under the state mutexes).
 *
 * <p>Memory, reserved at init ({@code module_init}): each physical SPU's local store ({@link #LS_PAGES} frames) and
 * problem-state register page, and a pool of saved local-store images ({@link #MAX_CONTEXTS} ×
 * {@link #LS_PAGES} frames, with a {@code struct page}: they stand for vmalloc'ed kernel memory). Whether the
 * physical local store and registers have a {@code struct page} follows the profile's {@code driver_fault}, as spufs'
 * history did:
 * <ul>
 *   <li>{@code nopage} (2.6.19): sparsemem {@code struct page}s; {@code spufs_mem_mmap} sets only VM_RESERVED (none
 *       in the model), {@code spufs_mem_mmap_nopage} returns the physical LS page when the context is loaded, the
 *       saved image's page when not, with a reference: normal ptes, so GUP (ptrace) follows them and can keep the
 *       physical page across a context switch (B5).</li>
 *   <li>{@code fault} (2.6.23+; 78bde53e351b "remove need for struct page for SPEs"): raw PFNs; the mappings are
 *       VM_IO|VM_PFNMAP, {@code spufs_mem_mmap_fault} inserts the PFN with {@code vmf_insert_pfn_prot} (noncached
 *       for the physical LS, cached for the saved image) under {@code ctx->state_mutex}; GUP refuses the VMA and
 *       ptrace goes through {@code ->access} ({@code spufs_mem_mmap_access}, 2.6.27's {@code vm_ops_access}; before
 *       that: -EIO).</li>
 * </ul>
 *
 * <p>File offsets: [0, {@link #LS_PAGES} pages) is the local store ({@code mem}); page {@link #PS_PGOFF} is the
 * problem-state area ({@code psmap}), whose fault waits until the context is loaded. Its word 0 holds the id of the
 * context loaded on the SPU (what the SPU's registers say about what runs there).
 *
 * <p>State (registered): the contexts, the physical SPUs' occupants, the next context id and the reserved frames.
 * The device-isolation invariant is told who owns each frame ({@link #owners}).
 */
public final class SpuDriver implements Driver {
    /** The device node: {@code /dev/spu}. */
    public static final String DEVICE = "spu";
    /** Physical SPUs. */
    public static final int NR_SPUS = 1;
    /** Local-store pages of an SPU (256 KiB on Cell; a few pages here). */
    public static final int LS_PAGES = 2;
    /** Contexts the image pool has room for; {@code spu_create} beyond it fails with -ENOSPC. */
    public static final int MAX_CONTEXTS = 4;
    /** The page offset of the problem-state area in a context's file. */
    public static final int PS_PGOFF = 16;
    /** Model-only ioctl: {@code spu_run} of this context on physical SPU {@code args[0]}, switching out the one there. */
    public static final int SPU_RUN = 0x5301;

    private Exports kernel;
    private final Spus spus = new Spus();

    /** The driver's state: reserved frames, what runs on each SPU, the contexts. */
    static final class Spus implements Hashable {
        /** First frame of SPU 0's local store; SPU n's is {@code ls + n * LS_PAGES}. */
        int ls;
        /** First problem-state frame; SPU n's is {@code ps + n}. */
        int ps;
        /** First frame of the saved-image pool; context id i's image is {@code images + (i - 1) * LS_PAGES}. */
        int images;
        /** Whether the physical frames have a {@code struct page} (the nopage era). */
        boolean structPage;
        /** The context id loaded on each SPU, 0 if none ({@code spu->ctx}). */
        int[] occupant = new int[NR_SPUS];
        int nextId = 1;
        final List<SpuContext> contexts = new ArrayList<>();

        @Override
        public void hashInto(StateHasher h) {
            h.add(ls).add(ps).add(images).add(structPage).add(nextId);
            for (int o : occupant) {
                h.add(o);
            }
            h.add(contexts.size());
            for (SpuContext x : contexts) {
                x.hashInto(h);
            }
        }
    }

    /** {@code spufs_mem_mmap_vmops} and {@code spufs_ps_mmap_vmops}: {@link SpufsVmOps}. */
    private final SpufsVmOps vm = new SpufsVmOps(this);

    // ---- the device ------------------------------------------------------------------------------------------------

    private final FileOperations fops = new FileOperations() {
        @Override
        public String name() {
            return "spufs_context_fops";
        }

        /**
         * {@code spu_create} → {@code spufs_create_context} → {@code alloc_spu_context}: a new context, saved, with a
         * zeroed image and its own {@code address_space}, which the file's {@code f_mapping} points at. -ENOSPC when
         * the image pool is used up.
         */
        @Override
        public int open(File file) {
            if (spus.nextId > MAX_CONTEXTS) {
                return -Errno.ENOSPC;
            }
            kernel.tracePath("alloc_spu_context");
            int id = spus.nextId++;
            SpuContext ctx = new SpuContext(id, kernel.newDeviceMapping("spu" + id),
                    spus.images + (id - 1) * LS_PAGES);
            spus.contexts.add(ctx);
            file.setPrivateData(ctx);
            file.setMapping(ctx.mapping);
            return 0;
        }

        /**
         * {@code spufs_mem_mmap} / {@code spufs_psmap_mmap}: MAP_SHARED only (-EINVAL), and no check of the size: a
         * fault past the local store is SIGBUS ({@code spufs_mem_mmap_fault}). The model keeps both files in one
         * offset space, so a mapping of {@code mem} must stay below the problem-state page, and one of {@code psmap} is
         * exactly that page (-EINVAL otherwise). VM_IO|VM_PFNMAP in the fault era; nothing in the nopage era.
         */
        @Override
        public int mmap(File file, Vma vma) {
            if (!(file.privateData() instanceof SpuContext ctx) || ctx.dead) {
                return -Errno.EINVAL;
            }
            if (!vma.has(VmFlags.VM_SHARED)) {
                return -Errno.EINVAL;
            }
            long pages = (vma.end() - vma.start()) >>> Page.PAGE_SHIFT;
            boolean ls = vma.pgoff() + pages <= PS_PGOFF;
            boolean ps = vma.pgoff() == PS_PGOFF && pages == 1;
            if (!ls && !ps) {
                return -Errno.EINVAL;
            }
            kernel.tracePath(ls ? "spufs_mem_mmap" : "spufs_psmap_mmap");
            if (!nopageEra()) {
                vma.setFlags(vma.flags() | VmFlags.VM_IO | VmFlags.VM_PFNMAP);
            }
            vma.setPrivateData(ctx);
            vma.setVmOps(ls ? vm.localStore() : vm.problemState());
            return 0;
        }

        @Override
        public KernelCall<Void> ioctlCall(File file, Mm current, int cmd, long[] args) {
            if (cmd != SPU_RUN || args.length < 1 || args[0] < 0 || args[0] >= NR_SPUS
                    || !(file.privateData() instanceof SpuContext ctx) || ctx.dead) {
                return null;
            }
            return new SpuRun(SpuDriver.this, ctx, (int) args[0]);
        }

        /** SPU_RUN on a bad SPU number or a dead context: -EINVAL; anything else: -ENOTTY. */
        @Override
        public long ioctl(File file, int cmd, long arg) {
            return cmd == SPU_RUN ? -Errno.EINVAL : -Errno.ENOTTY;
        }

        /**
         * {@code spufs_dir_close} → {@code destroy_spu_context}: a loaded context is unbound from its SPU (its
         * contents are dropped: nothing maps it any more, since every VMA holds the file).
         */
        @Override
        public void release(File file) {
            if (!(file.privateData() instanceof SpuContext ctx) || ctx.dead) {
                return;
            }
            kernel.tracePath("destroy_spu_context");
            if (ctx.loaded()) {
                spus.occupant[ctx.spu] = 0;
                ctx.state = SpuContext.SAVED;
                ctx.spu = -1;
            }
            ctx.dead = true;
            spus.contexts.remove(ctx);
        }
    };

    /**
     * Who owns each frame now: a physical LS or problem-state frame, the context loaded on its SPU; a saved image's
     * frame, its context while that context is SAVED, nobody while it is loaded (the image is stale then: a mapping
     * of it would lose the context's stores); anything else, -1. A VMA of the device maps the context it was mmapped
     * from.
     */
    private final DeviceMemory owners = new DeviceMemory() {
        @Override
        public String name() {
            return DEVICE;
        }

        @Override
        public int owner(int pfn) {
            if (pfn >= spus.ls && pfn < spus.ls + NR_SPUS * LS_PAGES) {
                return idOrNone(spus.occupant[(pfn - spus.ls) / LS_PAGES]);
            }
            if (pfn >= spus.ps && pfn < spus.ps + NR_SPUS) {
                return idOrNone(spus.occupant[pfn - spus.ps]);
            }
            if (pfn >= spus.images && pfn < spus.images + MAX_CONTEXTS * LS_PAGES) {
                SpuContext ctx = byId((pfn - spus.images) / LS_PAGES + 1);
                return ctx != null && !ctx.loaded() ? ctx.id : -1;
            }
            return -1;
        }

        @Override
        public int objectAt(Mm mm, long addr) {
            Vma vma = mm.vmaAt(addr);
            if (vma == null || !vm.owns(vma.vmOps())) {
                return -1;
            }
            return vma.privateData() instanceof SpuContext ctx ? ctx.id : -1;
        }
    };

    private static int idOrNone(int id) {
        return id == 0 ? -1 : id;
    }

    @Override
    public String name() {
        return DEVICE;
    }

    /** Reserve the SPUs' local stores, problem-state pages and the image pool, then register. */
    @Override
    public void init(Exports k) {
        this.kernel = k;
        spus.structPage = nopageEra();
        spus.ls = k.reserveDeviceMemory(NR_SPUS * LS_PAGES, spus.structPage);
        spus.ps = k.reserveDeviceMemory(NR_SPUS, spus.structPage);
        spus.images = k.reserveDeviceMemory(MAX_CONTEXTS * LS_PAGES, true);
        register(k);
    }

    private void register(Exports k) {
        this.kernel = k;
        k.registerChrdev(DEVICE, fops);
        k.registerState(spus);
        k.registerDeviceMemory(owners);
    }

    @Override
    public Driver copy(Exports k, Copier c) {
        SpuDriver d = new SpuDriver();
        d.register(k);
        c.pair(this, d);
        c.pair(fops, d.fops);
        vm.pairWith(d.vm, c);
        c.pair(owners, d.owners);
        c.pair(spus, d.spus);
        d.spus.ls = spus.ls;
        d.spus.ps = spus.ps;
        d.spus.images = spus.images;
        d.spus.structPage = spus.structPage;
        d.spus.occupant = spus.occupant.clone();
        d.spus.nextId = spus.nextId;
        return d;
    }

    /** The contexts, after the files whose private data they are (the VFS copies those). */
    @Override
    public void copyState(Driver original, Copier c) {
        for (SpuContext x : ((SpuDriver) original).spus.contexts) {
            spus.contexts.add(c.copy(x));
        }
    }

    // ---- for the calls and the handlers ----------------------------------------------------------------------------

    Exports kernel() {
        return kernel;
    }

    Spus spus() {
        return spus;
    }

    /** Whether the profile's fault path calls {@code ->nopage} (2.6.19): struct-page local store, one-step switches. */
    boolean nopageEra() {
        return kernel.profile().driverFault() != DriverFault.FAULT;
    }

    SpuContext byId(int id) {
        for (SpuContext x : spus.contexts) {
            if (x.id == id) {
                return x;
            }
        }
        return null;
    }

    static SpuContext contextOf(Vma vma) {
        return vma.privateData() instanceof SpuContext ctx && !ctx.dead ? ctx : null;
    }

    /** The local-store page {@code addr} of {@code vma} maps, or -1 beyond the local store. */
    static int lsPage(Vma vma, long addr) {
        long page = ((addr - vma.start()) >>> Page.PAGE_SHIFT) + vma.pgoff();
        return page >= 0 && page < LS_PAGES ? (int) page : -1;
    }

    /** Where page {@code page} of {@code ctx}'s local store is now: on its SPU if loaded, else in its saved image. */
    int lsPfn(SpuContext ctx, int page) {
        return ctx.loaded() ? spus.ls + ctx.spu * LS_PAGES + page : ctx.backing + page;
    }

    /** The physical LS frame of SPU {@code spu}. */
    int physLs(int spu, int page) {
        return spus.ls + spu * LS_PAGES + page;
    }

    /** The locked half of {@code spufs_mem_mmap_fault}: pick the PFN and cache attribute, insert, release. */
    int lsInsert(Vma vma, long addr, SpuContext ctx) {
        ctx.stateMutex.lock();
        try {
            int page = lsPage(vma, addr);
            long prot = ctx.loaded() ? Exports.pgprotNoncached(vma.pageProt()) : vma.pageProt();
            return kernel.vmfInsertPfnProt(vma, addr, lsPfn(ctx, page), prot);
        } finally {
            ctx.stateMutex.unlock();
        }
    }

    /**
     * {@code spufs_ps_fault} from {@code spu_acquire} on: sleep for the state mutex (mmap_lock held), or, the context
     * saved, in {@code spufs_wait} with mmap_lock dropped ({@link PsResume}); else insert the problem-state PFN.
     */
    int psFault(VmFault vmf, SpuContext ctx) {
        if (!ctx.stateMutex.acquire().available()) {
            vmf.pause(new PsResume(this, ctx, false));
            return VmFault.VM_FAULT_NOPAGE;
        }
        if (!ctx.loaded()) {
            kernel.tracePath("spufs_ps_fault: mmap_read_unlock, spufs_wait");
            vmf.pause(new PsResume(this, ctx, true));
            return VmFault.VM_FAULT_NOPAGE;
        }
        ctx.stateMutex.lock();
        try {
            return kernel.vmfInsertPfnProt(vmf.vma(), vmf.address(), spus.ps + ctx.spu,
                    Exports.pgprotNoncached(vmf.vma().pageProt()));
        } finally {
            ctx.stateMutex.unlock();
        }
    }
}
