package org.mmsim.kernel.dmabuf;

import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.state.StateObject;

/**
 * {@code struct dma_buf_attachment} (include/linux/dma-buf.h): one importing device's attachment to a {@link DmaBuf},
 * on the buffer's list from {@code dma_buf_dynamic_attach} to {@code dma_buf_detach} ({@link DmaBufAttach}).
 *
 * <p>State: the importer's operations ({@code importer_ops}: null for a static importer) and object
 * ({@code importer_priv}, hashed by the importer that owns it), and {@code peer2peer}. The mappings are the
 * importer's (6.16 dropped {@code attach->sgt}, the mapping the core used to cache). {@code dma_buf_dynamic_attach}'s
 * failure ({@code ERR_PTR}) is an attachment with {@link #isErr()}, on no list.
 */
@Export
public final class DmaBufAttachment extends StateObject implements Hashable, ErrPtr {
    private final DmaBuf dmabuf;
    private final DmaBufAttachOps importerOps;
    private final Object importerPriv;
    private final int err;
    private boolean peer2peer;

    DmaBufAttachment(DmaBuf dmabuf, DmaBufAttachOps importerOps, Object importerPriv, int err) {
        this.dmabuf = dmabuf;
        this.importerOps = importerOps;
        this.importerPriv = importerPriv;
        this.err = err;
        this.peer2peer = importerOps != null && importerOps.allowPeer2peer();
    }

    /** {@code attach->dmabuf}. */
    @Export
    public DmaBuf dmabuf() {
        return dmabuf;
    }

    /** {@code attach->importer_ops}: null for a static attachment. */
    @Export
    public DmaBufAttachOps importerOps() {
        return importerOps;
    }

    /** {@code attach->importer_priv}. */
    @Export
    public Object importerPriv() {
        return importerPriv;
    }

    /** {@code dma_buf_attachment_is_dynamic()}: the importer gave {@code importer_ops}. */
    @Export
    public boolean isDynamic() {
        return importerOps != null;
    }

    @Override
    @Export
    public int err() {
        return err;
    }

    /** {@code attach->peer2peer}: the importer may be handed device memory of the exporter. */
    @Export
    public boolean peer2peer() {
        return peer2peer;
    }

    /** An exporter's {@code ->attach} finding the two devices cannot do peer-to-peer DMA. */
    @Export
    public void clearPeer2peer() {
        peer2peer = false;
    }

    @Override
    public void hashInto(StateHasher h) {
        h.add(importerOps == null ? "static" : importerOps.name()).add(err).add(peer2peer);
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private DmaBufAttachment(DmaBufAttachment o, Copier c) {
        c.pair(o, this);
        this.dmabuf = c.copy(o.dmabuf);
        this.importerOps = c.copy(o.importerOps);
        this.importerPriv = c.copy(o.importerPriv);
        this.err = o.err;
        this.peer2peer = o.peer2peer;
    }

    @Override
    public DmaBufAttachment copy(Copier c) {
        return new DmaBufAttachment(this, c);
    }
}
