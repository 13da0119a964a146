package org.mmsim.kernel.uapi;

import org.mmsim.kernel.export.Export;

/**
 * {@code include/uapi/linux/dma-buf.h}: the ioctls of a dma-buf fd, and the proposed {@code DMA_BUF_IOCTL_INFO} of
 * seed 001 (Rob Clark's v2 patch, August 2022, never merged). Its number, {@code 'b'} 2, is also that of
 * {@code DMA_BUF_IOCTL_EXPORT_SYNC_FILE} (6.0), whose argument has another size, so the two commands differ; the
 * sync_file ioctls are not modelled.
 */
@Export
public final class DmaBufUapi {
    /** {@code DMA_BUF_IOCTL_SYNC}: {@code _IOW('b', 0, struct dma_buf_sync)}. */
    public static final int DMA_BUF_IOCTL_SYNC = 0x40086200;
    /** {@code DMA_BUF_IOCTL_INFO}: {@code _IOWR('b', 2, struct dma_buf_info)} (16 bytes): the proposal. */
    public static final int DMA_BUF_IOCTL_INFO = 0xC0106202;

    /** {@code DMA_BUF_SYNC_READ}: the CPU reads (DMA_FROM_DEVICE). */
    public static final int DMA_BUF_SYNC_READ = 1;
    /** {@code DMA_BUF_SYNC_WRITE}: the CPU writes (DMA_TO_DEVICE). */
    public static final int DMA_BUF_SYNC_WRITE = 2;
    /** {@code DMA_BUF_SYNC_RW}: both (DMA_BIDIRECTIONAL). */
    public static final int DMA_BUF_SYNC_RW = 3;
    /** {@code DMA_BUF_SYNC_START}: begin CPU access. */
    public static final int DMA_BUF_SYNC_START = 0;
    /** {@code DMA_BUF_SYNC_END}: end CPU access. */
    public static final int DMA_BUF_SYNC_END = 4;
    /** {@code DMA_BUF_SYNC_VALID_FLAGS_MASK}. */
    public static final int DMA_BUF_SYNC_VALID_FLAGS_MASK = DMA_BUF_SYNC_RW | DMA_BUF_SYNC_END;

    /** {@code DMA_BUF_INFO_MAP_INFO}: the one {@code param} the proposal knows. */
    public static final int DMA_BUF_INFO_MAP_INFO = 1;
    /** {@code DMA_BUF_MAP_INCOHERENT}: CPU access needs DMA_BUF_IOCTL_SYNC; an importer should refuse the buffer. */
    public static final int DMA_BUF_MAP_INCOHERENT = 0;
    /** {@code DMA_BUF_COHERENT_WC}: coherent, the CPU mapping write-combined. */
    public static final int DMA_BUF_COHERENT_WC = 1;
    /** {@code DMA_BUF_COHERENT_CACHED}: coherent, the CPU mapping cached. */
    public static final int DMA_BUF_COHERENT_CACHED = 2;

    private DmaBufUapi() {}
}
