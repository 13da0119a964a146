package org.mmsim.kernel.profile;

import org.mmsim.kernel.export.Export;

/**
 * What {@code DMA_BUF_IOCTL_INFO} answers ({@link Switch#DMABUF_MAP_INFO}; seed 001, Rob Clark, "dma-buf: Add ioctl
 * to query mmap coherency/cache info", v2 of 15 August 2022, never merged).
 */
@Export
public enum DmaBufMapInfo {
    /** Linux: no such ioctl ({@code dma_buf_ioctl}'s default, -ENOTTY); CPU mappings are the exporter's alone. */
    NONE,
    /** The v2 patch: {@code dmabuf->map_info}, set from {@code exp_info->map_info} at export, for the buffer's life. */
    EXPORT,
    /** A variant: the exporter is asked at the query for the attribute of the buffer's placement then. */
    QUERY
}
