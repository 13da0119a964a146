package org.mmsim.kernel.dmabuf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.locking.SpinLock;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.state.StateObject;

/**
 * {@code struct dma_buf} (include/linux/dma-buf.h): a buffer an exporting driver shares through a file
 * ({@link DmaBufFops}), made by {@code dma_buf_export} ({@code Exports#dmaBufExport}). It is the private data of that
 * file, which holds the only reference the model counts: the buffer is released with the file's last {@code fput}.
 *
 * <p>State: the size in pages, the exporter's operations and private object ({@code priv}: the exporter's buffer
 * object, fingerprinted here if it is state), and {@code map_info}, what the exporter declared at export
 * ({@code exp_info->map_info}, seed 001's proposal; kept under every profile, read only under
 * {@code dmabuf_map_info=export}).
 */
@Export
public final class DmaBuf extends StateObject implements Hashable {
    private final int pages;
    private final DmaBufOps ops;
    private final Object priv;
    private final int mapInfo;
    private final SpinLock resv;
    private final List<DmaBufAttachment> attachments = new ArrayList<>();

    DmaBuf(int pages, DmaBufOps ops, Object priv, int mapInfo, SpinLock resv) {
        this.pages = pages;
        this.ops = ops;
        this.priv = priv;
        this.mapInfo = mapInfo;
        this.resv = resv;
    }

    /** {@code dmabuf->size >> PAGE_SHIFT}. */
    @Export
    public int pages() {
        return pages;
    }

    /** {@code dmabuf->ops}. */
    @Export
    public DmaBufOps ops() {
        return ops;
    }

    /** {@code dmabuf->priv}: the exporter's object. */
    @Export
    public Object priv() {
        return priv;
    }

    /** {@code dmabuf->map_info}: the coherency the exporter declared at export (seed 001). */
    @Export
    public int mapInfo() {
        return mapInfo;
    }

    /**
     * {@code dmabuf->resv}: the reservation lock, a {@code ww_mutex} in the kernel (here a lock that is taken within
     * one step, or held across steps only by an exporter's move), held by whoever maps, unmaps or moves the buffer.
     */
    @Export
    public SpinLock resv() {
        return resv;
    }

    /** {@code dmabuf->attachments}, newest first ({@code list_add} at the head). */
    @Export
    public List<DmaBufAttachment> attachments() {
        return Collections.unmodifiableList(attachments);
    }

    void attach(DmaBufAttachment a) {
        attachments.add(0, a);
    }

    void detach(DmaBufAttachment a) {
        attachments.remove(a);
    }

    @Override
    public void hashInto(StateHasher h) {
        h.add(pages).add(ops.name()).add(mapInfo);
        if (priv instanceof Hashable state) {
            state.hashInto(h);
        }
        resv.hashInto(h);
        h.add(attachments.size());
        for (DmaBufAttachment a : attachments) {
            a.hashInto(h);
        }
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private DmaBuf(DmaBuf o, Copier c) {
        c.pair(o, this);
        this.pages = o.pages;
        this.ops = c.copy(o.ops);
        this.priv = c.copy(o.priv);
        this.mapInfo = o.mapInfo;
        this.resv = c.copy(o.resv);
        for (DmaBufAttachment a : o.attachments) {
            attachments.add(c.copy(a));
        }
    }

    @Override
    public DmaBuf copy(Copier c) {
        return new DmaBuf(this, c);
    }
}
