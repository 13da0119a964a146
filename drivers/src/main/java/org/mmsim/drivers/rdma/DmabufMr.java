package org.mmsim.drivers.rdma;

import org.mmsim.kernel.dmabuf.DmaBuf;
import org.mmsim.kernel.dmabuf.DmaBufAttachment;
import org.mmsim.kernel.dmabuf.SgTable;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.hmm.HmmRange;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.state.StateObject;

/**
 * {@code struct ib_mr} over a dma-buf, with its {@code struct ib_umem_dmabuf} (5.12, bfe0cc6eb249): a registered
 * region [offset, offset+len) of a buffer another driver exported (the GPU's), reached through the buffer's
 * attachment rather than through any process's page tables. State: the dma-buf's file (the reference
 * {@code dma_buf_get} took), the attachment, the mapping the umem holds ({@code umem_dmabuf->sgt}, null while
 * unmapped), and the device's translation of the region
 * (the mkey's MTT: per page of the region PFN | VALID | WRITE, as an HMM entry; 0 when zapped).
 */
final class DmabufMr extends StateObject {
    /** mlx5 with on-demand paging: {@code mlx5_ib_dmabuf_attach_ops}, whose {@code ->move_notify} zaps the mkey. */
    static final int DYNAMIC = 0;
    /** {@code ib_umem_dmabuf_get_pinned} (efa, mlx5's data-direct): {@code dma_buf_pin}, mapped once. */
    static final int PINNED = 1;
    /**
     * Deliberately broken: {@code ib_umem_dmabuf_get_pinned} without its {@code dma_buf_pin}: the mapping made at
     * registration is used for the MR's life, and {@code ->move_notify} only warns.
     */
    static final int IGNORE_MOVE = 2;

    final int id;
    final Mm mm;
    final File file;
    final long offset;
    final long len;
    final int mode;
    final int access;
    DmaBufAttachment attach;
    SgTable sgt;
    final long[] dev;
    boolean dead;

    DmabufMr(int id, Mm mm, File file, long offset, long len, int mode, int access) {
        this.id = id;
        this.mm = mm;
        this.file = file;
        this.offset = offset;
        this.len = len;
        this.mode = mode;
        this.access = access;
        this.dev = new long[Mr.nrPages(offset, len)];
    }

    /**
     * {@code umem_dmabuf->pinned}: the MR holds a {@code dma_buf_pin} ({@link #PINNED}: taken at registration, which
     * fails without it, and dropped at release).
     */
    boolean pins() {
        return mode == PINNED;
    }

    DmaBuf dmabuf() {
        return (DmaBuf) file.privateData();
    }

    /** The buffer's page that the region's page {@code i} is. */
    int bufferPage(int i) {
        return (int) (offset >>> Page.PAGE_SHIFT) + i;
    }

    boolean writable() {
        return (access & RdmaDriver.IB_ACCESS_LOCAL_WRITE) != 0 || (access & RdmaDriver.IB_ACCESS_REMOTE_WRITE) != 0;
    }

    boolean valid(int i) {
        return (dev[i] & HmmRange.VALID) != 0;
    }

    void hashInto(StateHasher h) {
        h.add(id).add(mm.id()).add(file.id()).add(offset).add(len).add(mode).add(access).add(dead)
                .add(sgt != null);
        if (sgt != null) {
            sgt.hashInto(h);
        }
        h.add(dev.length);
        for (long e : dev) {
            h.add(e);
        }
    }

    private DmabufMr(DmabufMr o, Copier c) {
        c.pair(o, this);
        this.id = o.id;
        this.mm = c.copy(o.mm);
        this.file = c.copy(o.file);
        this.offset = o.offset;
        this.len = o.len;
        this.mode = o.mode;
        this.access = o.access;
        this.attach = c.copy(o.attach);
        this.sgt = o.sgt; // immutable: shared
        this.dev = o.dev.clone();
        this.dead = o.dead;
    }

    @Override
    public DmabufMr copy(Copier c) {
        return new DmabufMr(this, c);
    }
}
