package org.mmsim.kernel.dmabuf;

import org.mmsim.kernel.export.Export;

/**
 * {@code struct dma_buf_attach_ops} (include/linux/dma-buf.h): what a <em>dynamic</em> importer gives
 * {@code dma_buf_dynamic_attach}. An importer without them attaches statically ({@code dma_buf_attach}) and the
 * exporter must keep the buffer in place while it is mapped.
 *
 * <p>An implementation is a driver's mechanism (stateless, paired with its copy when a machine is copied); the
 * importer's state is its attachment's {@code importer_priv}.
 */
@Export
public interface DmaBufAttachOps {
    /** The importer, for traces and violations. */
    String name();

    /**
     * {@code ->allow_peer2peer}: the importer can reach device memory of another device over PCIe (VRAM), so the
     * exporter need not move the buffer to system memory for it. The exporter's {@code ->attach} may still clear
     * {@link DmaBufAttachment#peer2peer()} when the two devices cannot talk ({@code pci_p2pdma_distance}).
     */
    default boolean allowPeer2peer() {
        return true;
    }

    /**
     * {@code ->move_notify(attach)}: called by {@code dma_buf_move_notify} with the buffer's reservation lock held,
     * when the exporter is about to move the buffer. "Mappings stay valid and are not directly affected by this
     * callback. But the DMA-buf can now be in a different physical location, so all mappings should be destroyed and
     * re-created as soon as possible"; new mappings, made under the same lock, point at the new place. An importer
     * without fences to make the move wait (a device that faults, like mlx5's) must stop using its mapping here.
     */
    void moveNotify(DmaBufAttachment attach);
}
