package org.mmsim.kernel.dmabuf;

import java.util.List;
import org.mmsim.kernel.bug.KernelBug;
import org.mmsim.kernel.profile.KernelProfile;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.uapi.Errno;

/**
 * The device side of drivers/dma-buf/dma-buf.c: importers attach to a buffer, map it for their device, and are told
 * when a dynamic exporter moves it. A mechanism (its state is in the buffers and attachments), one per machine.
 *
 * <p>Dynamic buffers (5.7, bb42df4662a4, "dma-buf: add dynamic DMA-buf handling"): an exporter with {@code ->pin} may
 * move its buffer while importers are attached, and calls {@link #moveNotify} with the reservation lock held before
 * it does. Importers map and unmap only under that lock, so no mapping is made while a move runs:
 *
 * <pre>
 *   exporter (move)                     dynamic importer
 *   dma_resv_lock(resv)
 *   dma_buf_move_notify  ------------&gt;  -&gt;move_notify: stop the device using its mapping, unmap
 *   copy, switch placement
 *   dma_resv_unlock(resv)
 *                                       (device fault) dma_resv_lock(resv)
 *                                       dma_buf_map_attachment: the new frames
 *                                       dma_resv_unlock(resv)
 * </pre>
 *
 * <p>A mapping of a dynamic exporter's buffer pins it ({@code dma_buf_pin_on_map}: {@code ->pin} at the map,
 * {@code ->unpin} at the unmap) when the importer is static, or when the core is built without
 * {@code CONFIG_DMABUF_MOVE_NOTIFY} ("EXPERIMENTAL", default n: switch {@code dmabuf_move_notify}); only a dynamic
 * importer of a kernel built with it maps a buffer that can move under it.
 *
 * <p>This is dma-buf.c as of 6.16 ("dma-buf: stop mapping sg_tables on attach", de68b17d5d07, and the removal of
 * {@code cache_sgt_mapping}), which 6.18 runs: every map and unmap asserts the lock, attach and detach take it, and
 * nothing is mapped at attach. Kernels from 5.7 to 6.15 mapped a static importer's attachment to a dynamic buffer
 * (or a dynamic one's to a static buffer) once at attach and cached it, and before 6.2 asserted the lock only for
 * dynamic sides; the model's importers are all dynamic attachments of a dynamic exporter, for which the versions
 * agree.
 *
 * <p>Errnos: {@code dma_buf_dynamic_attach} the exporter's {@code ->attach} error; {@code dma_buf_map_attachment}
 * the exporter's {@code ->pin} error, its {@code ->map_dma_buf} error, -ENOMEM for no table. A call that needs the
 * reservation lock and does not hold it is a {@link KernelBug} ({@code dma_resv_assert_held}), and so is
 * {@code dma_buf_pin} of a static attachment (the kernel's {@code WARN_ON}).
 */
public final class DmaBufAttach {
    private final Tracer trace;
    private final KernelProfile profile;

    public DmaBufAttach(Tracer trace, KernelProfile profile) {
        this.trace = trace;
        this.profile = profile;
    }

    /** {@code dma_buf_pin_on_map}: the exporter can pin, and the importer cannot follow moves of a mapped buffer. */
    private boolean pinOnMap(DmaBufAttachment attach) {
        return attach.dmabuf().ops().isDynamic()
                && (!attach.isDynamic() || !profile.on(Switch.DMABUF_MOVE_NOTIFY));
    }

    private static void assertHeld(DmaBuf dmabuf, String function) {
        if (!dmabuf.resv().held()) {
            throw new KernelBug("dma_resv_assert_held", function + " without the reservation lock of the dma-buf");
        }
    }

    /**
     * {@code dma_buf_dynamic_attach(dmabuf, dev, importer_ops, importer_priv)}, or {@code dma_buf_attach} with null
     * {@code importerOps}: the exporter's {@code ->attach}, then the attachment added to the list under the
     * reservation lock (the caller can take it).
     *
     * @return the attachment, or one with {@link DmaBufAttachment#isErr()} (on no list)
     */
    public DmaBufAttachment attach(DmaBuf dmabuf, DmaBufAttachOps importerOps, Object importerPriv) {
        trace.path("dma_buf_dynamic_attach");
        DmaBufAttachment attach = new DmaBufAttachment(dmabuf, importerOps, importerPriv, 0);
        int ret = dmabuf.ops().attach(dmabuf, attach);
        if (ret < 0) {
            return new DmaBufAttachment(dmabuf, importerOps, importerPriv, ret);
        }
        dmabuf.resv().lock();
        dmabuf.attach(attach);
        dmabuf.resv().unlock();
        return attach;
    }

    /**
     * {@code dma_buf_detach}: the attachment leaves the list under the lock, then the exporter's {@code ->detach}.
     * The importer has unmapped first.
     */
    public void detach(DmaBuf dmabuf, DmaBufAttachment attach) {
        trace.path("dma_buf_detach");
        // a file's ->release cannot sleep in the model, so one that detaches while another call holds the lock (a
        // move between its unmap steps, a paused fault) does it inside that call, where the kernel would wait
        boolean take = !dmabuf.resv().held();
        if (take) {
            dmabuf.resv().lock();
        }
        dmabuf.detach(attach);
        if (take) {
            dmabuf.resv().unlock();
        }
        dmabuf.ops().detach(dmabuf, attach);
    }

    /** {@code dma_buf_pin}: a dynamic importer keeps the buffer in place (the lock held); 0 or -errno. */
    public int pin(DmaBufAttachment attach) {
        trace.path("dma_buf_pin");
        checkDynamic(attach, "dma_buf_pin");
        assertHeld(attach.dmabuf(), "dma_buf_pin");
        return attach.dmabuf().ops().pin(attach);
    }

    /** {@code dma_buf_unpin}: the buffer may move again, with {@code ->move_notify} (the lock held). */
    public void unpin(DmaBufAttachment attach) {
        trace.path("dma_buf_unpin");
        checkDynamic(attach, "dma_buf_unpin");
        assertHeld(attach.dmabuf(), "dma_buf_unpin");
        attach.dmabuf().ops().unpin(attach);
    }

    /** {@code WARN_ON(!attach->importer_ops)}: a model bug, since a WARN goes unnoticed. */
    private static void checkDynamic(DmaBufAttachment attach, String function) {
        if (!attach.isDynamic()) {
            throw new KernelBug("dma_buf_static", function + " of a static attachment");
        }
    }

    /**
     * {@code dma_buf_map_attachment(attach, DMA_BIDIRECTIONAL)}, the reservation lock held: {@code ->pin} first when
     * {@code dma_buf_pin_on_map}, then {@code ->map_dma_buf} (unpinned again if that fails). A static importer's
     * fence wait has no fences to wait for.
     *
     * @return the table, or an error table
     */
    public SgTable mapAttachment(DmaBufAttachment attach) {
        trace.path("dma_buf_map_attachment");
        DmaBuf dmabuf = attach.dmabuf();
        assertHeld(dmabuf, "dma_buf_map_attachment");
        boolean pin = pinOnMap(attach);
        if (pin) {
            int r = dmabuf.ops().pin(attach);
            if (r < 0) {
                return SgTable.error(r);
            }
        }
        SgTable sgt = dmabuf.ops().mapDmaBuf(attach);
        if (sgt == null) {
            sgt = SgTable.error(-Errno.ENOMEM);
        }
        if (sgt.isErr() && pin) {
            dmabuf.ops().unpin(attach);
        }
        return sgt;
    }

    /**
     * {@code dma_buf_unmap_attachment(attach, sgt, DMA_BIDIRECTIONAL)}, the reservation lock held: the exporter's
     * {@code ->unmap_dma_buf}, then {@code ->unpin} when {@code dma_buf_pin_on_map}.
     */
    public void unmapAttachment(DmaBufAttachment attach, SgTable sgt) {
        trace.path("dma_buf_unmap_attachment");
        DmaBuf dmabuf = attach.dmabuf();
        assertHeld(dmabuf, "dma_buf_unmap_attachment");
        dmabuf.ops().unmapDmaBuf(attach, sgt);
        if (pinOnMap(attach)) {
            dmabuf.ops().unpin(attach);
        }
    }

    /**
     * {@code dma_buf_move_notify}: the exporter, holding the reservation lock, is about to move the buffer: every
     * dynamic importer's {@code ->move_notify}, newest attachment first.
     */
    public void moveNotify(DmaBuf dmabuf) {
        trace.path("dma_buf_move_notify");
        assertHeld(dmabuf, "dma_buf_move_notify");
        List<DmaBufAttachment> list = List.copyOf(dmabuf.attachments());
        for (DmaBufAttachment a : list) {
            if (a.importerOps() != null) {
                a.importerOps().moveNotify(a);
            }
        }
    }
}
