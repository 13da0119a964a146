package org.mmsim.kernel.dmabuf;

import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code struct dma_buf_ops} (include/linux/dma-buf.h): what an exporter gives {@link DmaBufFops} to serve user
 * space's access to its buffer. The model has the CPU side: {@code mmap}, {@code begin_cpu_access} and
 * {@code end_cpu_access}, {@code release}; and for the proposal of seed 001, the exporter's answer to
 * {@code DMA_BUF_IOCTL_INFO} when asked at the time of the query ({@code dmabuf_map_info=query}). And the device side
 * that {@link DmaBufAttach} calls: {@code attach}/{@code detach}, {@code pin}/{@code unpin} (an exporter with them is
 * <em>dynamic</em>: it may move the buffer while importers are attached, telling dynamic importers through
 * {@code dma_buf_move_notify}), {@code map_dma_buf}/{@code unmap_dma_buf} ({@code cache_sgt_mapping} is gone since
 * 6.16).
 *
 * <p>An implementation is a driver's mechanism (stateless, paired with its copy when a machine is copied); the
 * buffer's state is the {@link DmaBuf} and its {@code priv}.
 */
@Export
public interface DmaBufOps {
    /** {@code exp_info->exp_name}, for traces and violations. */
    String name();

    /**
     * {@code ->mmap(dmabuf, vma)}: map the buffer into {@code vma}, whose {@code vm_pgoff} is the page offset into the
     * buffer ({@code dma_buf_mmap_internal} has checked it fits). The exporter chooses the mapping's flags, operations
     * and cache attribute. Without an mmap op the caller gets -EINVAL.
     */
    default int mmap(DmaBuf dmabuf, Vma vma) {
        return -Errno.EINVAL;
    }

    /** Whether the exporter has {@code ->mmap} ({@code dma_buf_mmap_internal}: -EINVAL without). */
    default boolean hasMmap() {
        return false;
    }

    /**
     * {@code ->begin_cpu_access(dmabuf, direction)} from {@code DMA_BUF_IOCTL_SYNC} START: {@code
     * dma_buf_begin_cpu_access} calls it first, then waits for the buffer's fences if it returned 0 (the model has
     * none); 0 or -errno.
     */
    default int beginCpuAccess(DmaBuf dmabuf, int direction) {
        return 0;
    }

    /** {@code ->end_cpu_access(dmabuf, direction)} from {@code DMA_BUF_IOCTL_SYNC} END; 0 or -errno. */
    default int endCpuAccess(DmaBuf dmabuf, int direction) {
        return 0;
    }

    /**
     * The coherency of a CPU mapping of the buffer as it is placed now ({@code DMA_BUF_MAP_INCOHERENT},
     * {@code _COHERENT_WC} or {@code _COHERENT_CACHED}): what {@code DMA_BUF_IOCTL_INFO} answers under
     * {@code dmabuf_map_info=query}. By default the value declared at export.
     */
    default int mapInfoNow(DmaBuf dmabuf) {
        return dmabuf.mapInfo();
    }

    /** {@code ->release(dmabuf)}: the last reference to the buffer's file went ({@code dma_buf_release}). */
    void release(DmaBuf dmabuf);

    // ---- the device side ----------------------------------------------------------------------------------------

    /** {@code dma_buf_is_dynamic()}: the exporter has {@code ->pin} (and {@code ->unpin}). None by default. */
    default boolean isDynamic() {
        return false;
    }

    /** {@code ->attach(dmabuf, attach)}, optional: 0 or -errno (the attach fails). */
    default int attach(DmaBuf dmabuf, DmaBufAttachment attach) {
        return 0;
    }

    /** {@code ->detach(dmabuf, attach)}, optional. */
    default void detach(DmaBuf dmabuf, DmaBufAttachment attach) {}

    /**
     * {@code ->pin(attach)}, dynamic exporters: keep the buffer where it is (or move it first where the importer can
     * reach it) until {@link #unpin}; called with the reservation lock held. 0 or -errno.
     */
    default int pin(DmaBufAttachment attach) {
        return 0;
    }

    /** {@code ->unpin(attach)}: the buffer may move again; called with the reservation lock held. */
    default void unpin(DmaBufAttachment attach) {}

    /**
     * What a pin of the buffer now (by {@code dma_buf_pin}, or by a mapping that pins) would wait for besides the
     * reservation lock, or null: an exporter whose {@code ->pin} moves the buffer first waits for the page-table
     * locks its unmap takes. Model-only: an importer's call says it in {@code blockedOn} before the step that pins,
     * since a pin runs within one step. None by default.
     */
    default Acquire pinWaitsFor(DmaBuf dmabuf) {
        return null;
    }

    /**
     * {@code ->map_dma_buf(attach, dir)}: the frames that hold the buffer now, for the importer's device; an error
     * table ({@link SgTable#error}) if it cannot be placed where the device reaches it. A dynamic exporter is called
     * with the reservation lock held and may move the buffer first. Required of every exporter that can be attached.
     */
    default SgTable mapDmaBuf(DmaBufAttachment attach) {
        return SgTable.error(-Errno.EINVAL);
    }

    /** {@code ->unmap_dma_buf(attach, sgt, dir)}. */
    default void unmapDmaBuf(DmaBufAttachment attach, SgTable sgt) {}

    /**
     * Model-only, for the dmabuf-coherence invariant: the frame that holds page {@code page} of the buffer now, or
     * -1 if the exporter does not say (then importers' mappings of it are not checked).
     */
    default int backingPfn(DmaBuf dmabuf, int page) {
        return -1;
    }
}
