package org.mmsim.drivers.rdma;

import java.util.Arrays;
import org.mmsim.drivers.rdma.RdmaDriver.Context;
import org.mmsim.kernel.api.Exports;
import org.mmsim.kernel.dmabuf.DmaBuf;
import org.mmsim.kernel.dmabuf.DmaBufAttachOps;
import org.mmsim.kernel.dmabuf.DmaBufAttachment;
import org.mmsim.kernel.dmabuf.SgTable;
import org.mmsim.kernel.fs.FdTable;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.locking.SpinLock;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.hmm.HmmRange;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.uapi.Errno;

/**
 * An RDMA memory region over a dma-buf: drivers/infiniband/core/umem_dmabuf.c and mlx5's dmabuf MR
 * ({@code mlx5_ib_reg_user_mr_dmabuf}, {@code pagefault_dmabuf_mr}, {@code mlx5_ib_dmabuf_invalidate_cb}), the
 * importer of the model's dma-bufs. A mechanism of {@link RdmaDriver}; the state is each {@link DmabufMr}.
 *
 * <p>Three importers, by the registration's mode:
 * <ul>
 *   <li>{@link DmabufMr#DYNAMIC} (mlx5 with ODP): a dynamic attachment whose {@code ->move_notify}
 *       ({@code mlx5_ib_dmabuf_invalidate_cb}, the reservation lock held) zaps the mkey's translation and unmaps;
 *       the next access faults and maps again under the lock ({@code pagefault_dmabuf_mr}). The registration maps
 *       and programs every page at once ({@code mlx5_ib_init_dmabuf_mr}).</li>
 *   <li>{@link DmabufMr#PINNED} ({@code ib_umem_dmabuf_get_pinned}, 5.16, 1e4df4a21c5a: efa; mlx5's data-direct
 *       path, 6.12): a dynamic attachment with {@code ib_umem_dmabuf_attach_pinned_ops} whose
 *       {@code ->move_notify} only warns ("Invalidate callback should not be called when memory is pinned"),
 *       {@code dma_buf_pin}, one mapping for the MR's life.</li>
 *   <li>{@link DmabufMr#IGNORE_MOVE}: deliberately broken, the pinned path without its {@code dma_buf_pin}. Safe
 *       only while {@code dmabuf_move_notify=off} pins every mapping for it.</li>
 * </ul>
 * With {@code dmabuf_move_notify=off} (every profile) the first mapping of any of the three pins the buffer, and the
 * GPU pins into GTT: the registration itself moves a VRAM buffer to system memory ({@code GpuPrime}).
 *
 * <p>Lock order: the buffer's reservation lock, then (mlx5) the MR's own state; the exporter holds the reservation
 * across a whole move and calls {@code ->move_notify} under it, so a fault waits for the move to end.
 */
final class UmemDmabuf {
    private final RdmaDriver driver;

    UmemDmabuf(RdmaDriver driver) {
        this.driver = driver;
    }

    private Exports k() {
        return driver.kernel;
    }

    /** {@code mlx5_ib_dmabuf_attach_ops}. */
    final DmaBufAttachOps dynamicOps = new DmaBufAttachOps() {
        @Override
        public String name() {
            return "mlx5_ib_dmabuf_attach_ops";
        }

        /** {@code mlx5_ib_dmabuf_invalidate_cb}: nothing if unmapped; else zap the mkey, then unmap the pages. */
        @Override
        public void moveNotify(DmaBufAttachment attach) {
            k().tracePath("mlx5_ib_dmabuf_invalidate_cb");
            DmabufMr mr = (DmabufMr) attach.importerPriv();
            if (mr.sgt == null) {
                return;
            }
            Arrays.fill(mr.dev, 0); // mlx5r_umr_update_mr_pas(mr, MLX5_IB_UPD_XLT_ZAP)
            unmapPages(mr);
        }
    };

    /** {@code ib_umem_dmabuf_attach_pinned_ops}. */
    final DmaBufAttachOps pinnedOps = new DmaBufAttachOps() {
        @Override
        public String name() {
            return "ib_umem_dmabuf_attach_pinned_ops";
        }

        /** {@code ib_umem_dmabuf_unsupported_move_notify}: a ratelimited warning, nothing else. */
        @Override
        public void moveNotify(DmaBufAttachment attach) {
            k().tracePath("ib_umem_dmabuf_unsupported_move_notify");
        }
    };

    /** The dma-buf at {@code fd}, if it is one: what a registration waits for. */
    static DmaBuf dmabufOf(FdTable files, long fd) {
        File f = fd < 0 || fd > Integer.MAX_VALUE ? null : files.get((int) fd);
        return f != null && f.privateData() instanceof DmaBuf buf ? buf : null;
    }

    /** The access flags {@code IB_UVERBS_METHOD_REG_DMABUF_MR} accepts ({@code uverbs_get_flags32}). */
    static final int ACCESS_MASK = RdmaDriver.IB_ACCESS_LOCAL_WRITE | RdmaDriver.IB_ACCESS_REMOTE_WRITE
            | RdmaDriver.IB_ACCESS_REMOTE_READ | RdmaDriver.IB_ACCESS_REMOTE_ATOMIC
            | RdmaDriver.IB_ACCESS_RELAXED_ORDERING;

    /**
     * {@code ib_uverbs_reg_dmabuf_mr} → {@code mlx5_ib_reg_user_mr_dmabuf} → {@code ib_umem_dmabuf_get} (or
     * {@code _get_pinned}), then the first mapping. The caller can take the buffer's reservation lock. The iova is
     * the offset (the model has no separate iova argument, so {@code (offset ^ iova) & ~PAGE_MASK} always holds).
     *
     * @return 0, or -EPROTONOSUPPORT (before 5.12: {@code rdma_dmabuf_mr} off), -EBUSY (the context has an MR),
     *     -EINVAL (access flags outside {@link #ACCESS_MASK}, remote write or atomic without local write
     *     ({@code ib_check_mr_access}), an unknown mode, an overflowing range; after the lookup an fd that is not a
     *     dma-buf, a range past the buffer, no pages), -EBADF (no such fd), or the exporter's attach, pin or map error
     */
    long reg(Context ctx, Mm mm, FdTable files, long offset, long len, long fd, int mode, int access) {
        if (!k().profile().on(Switch.RDMA_DMABUF_MR)) {
            return -Errno.EPROTONOSUPPORT;
        }
        k().tracePath("ib_uverbs_reg_dmabuf_mr");
        if (ctx.mr != null || ctx.dmr != null) {
            return -Errno.EBUSY;
        }
        if ((access & ~ACCESS_MASK) != 0 || ((access & (RdmaDriver.IB_ACCESS_REMOTE_WRITE
                | RdmaDriver.IB_ACCESS_REMOTE_ATOMIC)) != 0 && (access & RdmaDriver.IB_ACCESS_LOCAL_WRITE) == 0)) {
            return -Errno.EINVAL;
        }
        if (mode < DmabufMr.DYNAMIC || mode > DmabufMr.IGNORE_MOVE || offset < 0 || len < 0
                || offset > Long.MAX_VALUE - len) {
            return -Errno.EINVAL;
        }
        File file = fd < 0 || fd > Integer.MAX_VALUE ? null : k().dmaBufGet(files, (int) fd);
        if (file == null) {
            return fd >= 0 && fd <= Integer.MAX_VALUE && files.get((int) fd) != null ? -Errno.EINVAL : -Errno.EBADF;
        }
        DmaBuf dmabuf = (DmaBuf) file.privateData();
        if (((long) dmabuf.pages() << 12) < offset + len || len == 0) {
            k().dmaBufPut(file); // the size check, then ib_umem_num_pages() == 0
            return -Errno.EINVAL;
        }
        DmabufMr mr = new DmabufMr(driver.nextId(), mm, file, offset, len, mode, access);
        k().tracePath(mode == DmabufMr.DYNAMIC ? "ib_umem_dmabuf_get" : "ib_umem_dmabuf_get_pinned");
        DmaBufAttachment attach = k().dmaBufDynamicAttach(dmabuf, mode == DmabufMr.DYNAMIC ? dynamicOps : pinnedOps,
                mr);
        if (attach.isErr()) {
            k().dmaBufPut(file);
            return attach.err();
        }
        mr.attach = attach;
        dmabuf.resv().lock();
        int err = mr.pins() ? k().dmaBufPin(attach) : 0;
        if (err == 0) {
            err = mapPages(mr);
            if (err < 0 && mr.pins()) {
                k().dmaBufUnpin(attach);
            }
        }
        if (err == 0) {
            program(mr); // mlx5_ib_init_dmabuf_mr, or the pinned MR's MTT made from the umem
        }
        dmabuf.resv().unlock();
        if (err < 0) {
            k().dmaBufDetach(dmabuf, attach);
            k().dmaBufPut(file);
            return err;
        }
        driver.add(ctx, mr);
        return 0;
    }

    /**
     * {@code ib_umem_dmabuf_map_pages}, the reservation lock held: keep a mapping made before, or map now
     * ({@code dma_buf_map_attachment}); the fence wait after it has nothing to wait for in the model. 0 or -errno.
     */
    private int mapPages(DmabufMr mr) {
        k().tracePath("ib_umem_dmabuf_map_pages");
        if (mr.sgt != null) {
            return 0;
        }
        SgTable sgt = k().dmaBufMapAttachment(mr.attach);
        if (sgt.isErr()) {
            return sgt.err();
        }
        mr.sgt = sgt;
        return 0;
    }

    /** {@code ib_umem_dmabuf_unmap_pages}, the reservation lock held. */
    private void unmapPages(DmabufMr mr) {
        k().tracePath("ib_umem_dmabuf_unmap_pages");
        if (mr.sgt == null) {
            return;
        }
        k().dmaBufUnmapAttachment(mr.attach, mr.sgt);
        mr.sgt = null;
    }

    /** {@code mlx5r_umr_update_mr_pas}: every page of the region from the umem's mapping. */
    private void program(DmabufMr mr) {
        k().tracePath("mlx5r_umr_update_mr_pas");
        long write = mr.writable() ? HmmRange.WRITE : 0;
        for (int i = 0; i < mr.dev.length; i++) {
            mr.dev[i] = (mr.sgt.pfn(mr.bufferPage(i)) & HmmRange.PFN_MASK) | HmmRange.VALID | write;
        }
    }

    /**
     * {@code pagefault_dmabuf_mr}: a device access found the translation zapped: under the reservation lock (the
     * caller waited for it), map again and program; 0 or the mapping's -errno.
     */
    int fault(DmabufMr mr) {
        k().tracePath("pagefault_dmabuf_mr");
        SpinLock resv = mr.dmabuf().resv();
        resv.lock();
        int err = mapPages(mr);
        if (err == 0) {
            program(mr);
        }
        resv.unlock();
        return err;
    }

    /**
     * {@code mlx5_ib_dereg_mr} → {@code mlx5_revoke_mr} (zap the mkey) → {@code ib_umem_dmabuf_release}: under the
     * reservation lock unmap and unpin, then detach and put the buffer. Called from DEREG_MR, which waits for the
     * lock, and from the file's release, which cannot wait in the model: if another call holds the lock then (a move
     * between its unmap steps, a paused CPU fault), the teardown runs inside it, where the kernel would wait.
     */
    void release(DmabufMr mr) {
        k().tracePath("ib_umem_dmabuf_release");
        Arrays.fill(mr.dev, 0);
        DmaBuf dmabuf = mr.dmabuf();
        boolean take = !dmabuf.resv().held();
        if (take) {
            dmabuf.resv().lock();
        }
        unmapPages(mr);
        if (mr.pins()) {
            k().dmaBufUnpin(mr.attach);
        }
        if (take) {
            dmabuf.resv().unlock();
        }
        k().dmaBufDetach(dmabuf, mr.attach);
        mr.dead = true;
        k().dmaBufPut(mr.file);
    }
}
