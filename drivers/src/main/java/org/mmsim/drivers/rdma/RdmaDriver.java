package org.mmsim.drivers.rdma;

import java.util.ArrayList;
import java.util.List;
import org.mmsim.drivers.hmm.MirrorFaultCall;
import org.mmsim.drivers.rdma.DmabufMrCalls.DmabufAccessCall;
import org.mmsim.drivers.rdma.DmabufMrCalls.RegDmabufMrCall;
import org.mmsim.drivers.rdma.RdmaCalls.AccessCall;
import org.mmsim.drivers.rdma.RdmaCalls.DeregCall;
import org.mmsim.drivers.rdma.RdmaCalls.Fail;
import org.mmsim.drivers.rdma.RdmaCalls.RegMrCall;
import org.mmsim.kernel.api.Driver;
import org.mmsim.kernel.api.Exports;
import org.mmsim.kernel.api.SecondaryMmu;
import org.mmsim.kernel.fs.FdTable;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.fs.FileOperations;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.hmm.HmmRange;
import org.mmsim.kernel.mm.notifier.MmuIntervalNotifier;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code /dev/rdma}: an RDMA NIC as {@code ib_uverbs} and {@code ib_umem}/{@code ib_umem_odp} present it to memory
 * management. Each open file is a user context ({@code ib_ucontext}) with at most one memory region (a
 * simplification: the model's programs register one MR per open). An MR is
 *
 * <ul>
 *   <li><b>pinned</b> ({@code ib_umem_get}): {@code pin_user_pages_fast(FOLL_LONGTERM | FOLL_WRITE)} of every page
 *       (before FOLL_PIN, 5.6: {@code get_user_pages(FOLL_WRITE, or FOLL_FORCE for a read-only MR)}), charged to
 *       RLIMIT_MEMLOCK; the HCA then DMAs to and from the pinned frames whatever the process's page tables say
 *       later (the {@code pin-coherence} invariant checks those); or
 *   <li><b>on-demand paging</b> ({@code ib_umem_odp_get}): an {@code mmu_interval_notifier} over the MR's pages and no
 *       pins. The device page table starts empty; an access to a page without a valid entry raises a device page
 *       fault that runs the HMM loop ({@link MirrorFaultCall}: read_begin, {@code hmm_range_fault} under
 *       {@code mmap_lock}, {@code umem_mutex} + read_retry, program). {@code ->invalidate}
 *       ({@code ib_umem_notifier_invalidate_range} → {@code mlx5_ib_invalidate_range}) sets the sequence and zaps
 *       the device entries in range under {@code umem_mutex}. The device page tables are registered as a secondary
 *       MMU ({@code device-coherence}); or
 *   <li><b>over a dma-buf</b> ({@code ib_umem_dmabuf_get}, {@link #RDMA_REG_DMABUF_MR}): an attachment to a buffer
 *       another driver exported, followed through its exporter's {@code ->move_notify} or pinned
 *       ({@link UmemDmabuf}).
 * </ul>
 * The first two are {@link Umem}'s.
 *
 * <p>ioctls (the fields of the command structure as {@code args}): {@link #RDMA_REG_MR} addr len mode access,
 * {@link #RDMA_REG_DMABUF_MR}, {@link #RDMA_DEREG_MR}, and {@link #RDMA_READ} off / {@link #RDMA_WRITE} off value,
 * which stand for the HCA executing an RDMA READ or WRITE work request at byte offset {@code off} of the MR (the word
 * goes to or comes from the wire: the ioctl returns it). Closing the file deregisters the MR
 * ({@code ib_uverbs_close} → {@code uverbs_destroy_ufile_hw}).
 *
 * <p>Mode {@link Mr#ODP_NORETRY} is a deliberately broken ODP driver that programs its snapshot without
 * {@code mmu_interval_read_retry}: the explorer finds it keeping a stale device entry.
 */
public final class RdmaDriver implements Driver {
    /** The device node: {@code /dev/rdma}. */
    public static final String DEVICE = "rdma";

    /**
     * The frames a pinned, registered MR holds, page by page from its first page, if {@code privateData} is an open
     * {@code /dev/rdma} file's; else null (no MR, an ODP MR, or one deregistered). For checkers that hold what a
     * registration holds against what the process maps (the registration cache's), not for drivers.
     */
    public static int[] pinnedFrames(Object privateData) {
        if (!(privateData instanceof Context ctx) || ctx.mr == null || ctx.mr.dead || ctx.mr.odp()
                || ctx.mr.pages == null) {
            return null;
        }
        int[] out = new int[ctx.mr.pages.nr()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ctx.mr.pages.pfn(i);
        }
        return out;
    }

    /** {@code IB_USER_VERBS_CMD_REG_MR}: args addr, len, mode ({@link #MODE_PINNED}...), access flags. */
    public static final int RDMA_REG_MR = 1;
    /** {@code IB_USER_VERBS_CMD_DEREG_MR}. */
    public static final int RDMA_DEREG_MR = 2;
    /** The HCA executes an RDMA READ at MR offset args[0]: returns the word. */
    public static final int RDMA_READ = 3;
    /** The HCA executes an RDMA WRITE of args[1] at MR offset args[0]. */
    public static final int RDMA_WRITE = 4;
    /**
     * {@code IB_UVERBS_METHOD_REG_DMABUF_MR}: args offset, len, fd (a dma-buf), mode ({@link #MODE_DMABUF_DYNAMIC}...),
     * access flags: an MR over bytes [offset, offset+len) of the buffer ({@link UmemDmabuf}).
     */
    public static final int RDMA_REG_DMABUF_MR = 5;

    public static final int MODE_PINNED = Mr.PINNED;
    public static final int MODE_ODP = Mr.ODP;
    public static final int MODE_ODP_NORETRY = Mr.ODP_NORETRY;
    public static final int MODE_DMABUF_DYNAMIC = DmabufMr.DYNAMIC;
    public static final int MODE_DMABUF_PINNED = DmabufMr.PINNED;
    public static final int MODE_DMABUF_IGNORE_MOVE = DmabufMr.IGNORE_MOVE;

    public static final int IB_ACCESS_LOCAL_WRITE = 1;
    public static final int IB_ACCESS_REMOTE_WRITE = 1 << 1;
    public static final int IB_ACCESS_REMOTE_READ = 1 << 2;
    public static final int IB_ACCESS_REMOTE_ATOMIC = 1 << 3;
    /** {@code IB_ACCESS_RELAXED_ORDERING} ({@code IB_ACCESS_OPTIONAL_FIRST}). */
    public static final int IB_ACCESS_RELAXED_ORDERING = 1 << 20;

    Exports kernel;
    private final Table table = new Table();
    final Umem umem = new Umem(this);
    final UmemDmabuf umemDmabuf = new UmemDmabuf(this);

    /** Every registered MR, in registration order (those over process memory, then over dma-bufs), and the next MR
     * id: the driver's state. */
    private static final class Table implements Hashable {
        final List<Mr> mrs = new ArrayList<>();
        final List<DmabufMr> dmrs = new ArrayList<>();
        int nextId = 1;

        @Override
        public void hashInto(StateHasher h) {
            h.add(nextId).add(mrs.size());
            for (Mr mr : mrs) {
                mr.hashInto(h);
            }
            h.add(dmrs.size());
            for (DmabufMr mr : dmrs) {
                mr.hashInto(h);
            }
        }
    }

    /** {@code struct ib_ucontext}, the file's private data: its MR, over process memory or over a dma-buf. */
    static final class Context extends StateObject implements Hashable {
        Mr mr;
        DmabufMr dmr;

        @Override
        public void hashInto(StateHasher h) {
            h.add(mr == null ? 0 : mr.id).add(dmr == null ? 0 : dmr.id);
        }

        @Override
        public Context copy(Copier c) {
            Context x = c.pair(this, new Context());
            x.mr = c.copy(mr);
            x.dmr = c.copy(dmr);
            return x;
        }
    }

    /** The ODP MRs' device page tables, for the device-coherence invariant. */
    final SecondaryMmu view = new SecondaryMmu() {
        @Override
        public String name() {
            return "rdma-odp";
        }

        @Override
        public boolean importsDmaBufs() {
            return !table.dmrs.isEmpty();
        }

        @Override
        public void forEachDmaBufEntry(DmaBufEntries out) {
            for (DmabufMr mr : table.dmrs) {
                for (int i = 0; i < mr.dev.length; i++) {
                    if (mr.valid(i)) {
                        out.entry(mr.dmabuf(), mr.bufferPage(i), (int) (mr.dev[i] & HmmRange.PFN_MASK),
                                "rdma MR " + mr.id + " (" + mr.attach.importerOps().name() + ")");
                    }
                }
            }
        }

        @Override
        public void forEachEntry(Entries out) {
            for (Mr mr : table.mrs) {
                for (int i = 0; i < mr.dev.length; i++) {
                    if (mr.valid(i)) {
                        out.entry(mr.mm, mr.start() + ((long) i << Page.PAGE_SHIFT),
                                (int) (mr.dev[i] & HmmRange.PFN_MASK), (mr.dev[i] & HmmRange.WRITE) != 0);
                    }
                }
            }
        }
    };

    private final FileOperations fops = new FileOperations() {
        @Override
        public String name() {
            return "uverbs_fops";
        }

        /** {@code ib_uverbs_open}: a new user context. */
        @Override
        public int open(File file) {
            file.setPrivateData(new Context());
            return 0;
        }

        @Override
        public KernelCall<Void> ioctlCall(File file, FdTable files, Mm current, int cmd, long[] args) {
            Context ctx = (Context) file.privateData();
            return switch (cmd) {
                case RDMA_REG_MR -> args.length < 4 ? new Fail(kernel, -Errno.EINVAL)
                        : new RegMrCall(RdmaDriver.this, ctx, current, args[0], args[1], (int) args[2], (int) args[3]);
                case RDMA_REG_DMABUF_MR -> args.length < 5 || args[3] != (int) args[3] || args[4] != (int) args[4]
                        ? new Fail(kernel, -Errno.EINVAL)
                        : new RegDmabufMrCall(RdmaDriver.this, ctx, current, files, args);
                case RDMA_DEREG_MR -> new DeregCall(RdmaDriver.this, ctx);
                case RDMA_READ, RDMA_WRITE -> args.length < (cmd == RDMA_READ ? 1 : 2)
                        || (ctx.mr == null && ctx.dmr == null) ? new Fail(kernel, -Errno.EINVAL)
                        : ctx.dmr != null ? new DmabufAccessCall(RdmaDriver.this, ctx.dmr, args[0], cmd == RDMA_WRITE,
                                cmd == RDMA_WRITE ? args[1] : 0)
                        : new AccessCall(RdmaDriver.this, ctx.mr, args[0], cmd == RDMA_WRITE,
                                cmd == RDMA_WRITE ? args[1] : 0);
                default -> new Fail(kernel, -Errno.ENOTTY);
            };
        }

        /** {@code ib_uverbs_close}: the context's MR is deregistered. */
        @Override
        public void release(File file) {
            kernel.tracePath("ib_uverbs_close");
            Context ctx = (Context) file.privateData();
            if (ctx.mr != null || ctx.dmr != null) {
                dereg(ctx);
            }
        }
    };

    @Override
    public String name() {
        return DEVICE;
    }

    @Override
    public void init(Exports k) {
        this.kernel = k;
        k.registerChrdev(DEVICE, fops);
        k.registerState(table);
        k.registerSecondaryMmu(view);
    }

    @Override
    public Driver copy(Exports k, Copier c) {
        RdmaDriver d = new RdmaDriver();
        d.init(k);
        c.pair(this, d);
        c.pair(fops, d.fops);
        c.pair(umem.notifierOps, d.umem.notifierOps);
        c.pair(view, d.view);
        c.pair(umemDmabuf.dynamicOps, d.umemDmabuf.dynamicOps);
        c.pair(umemDmabuf.pinnedOps, d.umemDmabuf.pinnedOps);
        c.pair(table, d.table);
        d.table.nextId = table.nextId;
        return d;
    }

    /** The MRs, once the machine's mms and files are copied (an MR names its mm, whose VMAs name files). */
    @Override
    public void copyState(Driver original, Copier c) {
        for (Mr mr : ((RdmaDriver) original).table.mrs) {
            table.mrs.add(c.copy(mr));
        }
        for (DmabufMr mr : ((RdmaDriver) original).table.dmrs) {
            table.dmrs.add(c.copy(mr));
        }
    }

    // ---- the MRs ------------------------------------------------------------------------------------------------

    /** The id the next MR gets. */
    int nextId() {
        return table.nextId;
    }

    /** A registered MR over a dma-buf: the context's, and the table's. */
    void add(Context ctx, DmabufMr mr) {
        table.nextId++;
        table.dmrs.add(mr);
        ctx.dmr = mr;
    }

    /** A registered MR over process memory: the context's, and the table's. */
    void add(Context ctx, Mr mr) {
        table.nextId++;
        table.mrs.add(mr);
        ctx.mr = mr;
    }

    /** The live MR whose interval notifier is {@code mni}, or null. */
    Mr byNotifier(MmuIntervalNotifier mni) {
        for (Mr mr : table.mrs) {
            if (mr.mni == mni) {
                return mr;
            }
        }
        return null;
    }

    /**
     * {@code ib_dereg_mr_user}: the context's MR released ({@link Umem#release}, {@link UmemDmabuf#release}) and
     * gone from the table.
     */
    void dereg(Context ctx) {
        kernel.tracePath("ib_dereg_mr_user");
        if (ctx.dmr != null) {
            umemDmabuf.release(ctx.dmr);
            table.dmrs.remove(ctx.dmr);
            ctx.dmr = null;
            return;
        }
        umem.release(ctx.mr);
        table.mrs.remove(ctx.mr);
        ctx.mr = null;
    }
}
