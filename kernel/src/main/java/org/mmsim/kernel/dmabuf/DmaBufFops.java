package org.mmsim.kernel.dmabuf;

import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.fs.FileOperations;
import org.mmsim.kernel.locking.SpinLock;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.profile.DmaBufMapInfo;
import org.mmsim.kernel.profile.KernelProfile;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.uapi.DmaBufUapi;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code dma_buf_fops} (drivers/dma-buf/dma-buf.c): the file of a dma-buf, whose private data is its {@link DmaBuf}.
 * One per machine, a mechanism: the state is in the buffers.
 *
 * <ul>
 *   <li>{@code mmap}: {@code dma_buf_mmap_internal}: -EINVAL if the exporter has no {@code ->mmap} or if
 *       {@code vm_pgoff + vma_pages(vma)} runs past the buffer; otherwise the exporter's {@code ->mmap}. The
 *       proposal's {@code __dma_buf_mmap} added a {@code WARN_ON_ONCE} that the VMA's {@code vm_page_prot} matches
 *       a declared {@code COHERENT_WC}; a WARN is not modelled.</li>
 *   <li>{@code ioctl}: {@code dma_buf_ioctl}. {@code DMA_BUF_IOCTL_SYNC} with the flags in the argument: -EINVAL for
 *       flags outside {@code DMA_BUF_SYNC_VALID_FLAGS_MASK} or without READ or WRITE, else
 *       {@code dma_buf_end_cpu_access} (END) or {@code dma_buf_begin_cpu_access} (START) in the direction READ
 *       (DMA_FROM_DEVICE), WRITE (DMA_TO_DEVICE) or both, which call the exporter's hooks (there are no fences to
 *       wait for). {@code DMA_BUF_IOCTL_INFO} ({@code dmabuf_map_info} other than {@code none}, seed 001): the
 *       argument is {@code param}; -EINVAL for any but {@code DMA_BUF_INFO_MAP_INFO}; the model returns the value
 *       ({@code export}: {@code dmabuf->map_info}; {@code query}: the exporter's answer now) instead of copying it to
 *       {@code arg.value}. Anything else, and INFO under {@code none}: -ENOTTY. {@code DMA_BUF_SET_NAME} and the
 *       sync_file ioctls are not modelled (-ENOTTY).</li>
 *   <li>{@code release} (the file's last {@code fput}): {@code dma_buf_release} → the exporter's {@code ->release}.</li>
 *   <li>{@code poll}: the buffer has no fences in the model, so both EPOLLIN and EPOLLOUT are ready at once.</li>
 * </ul>
 */
public final class DmaBufFops implements FileOperations {
    private final Tracer trace;
    private final KernelProfile profile;

    public DmaBufFops(Tracer trace, KernelProfile profile) {
        this.trace = trace;
        this.profile = profile;
    }

    /**
     * {@code dma_buf_export} + {@code dma_buf_getfile} without the file: the buffer, locked by {@code resv}
     * ({@code exp_info->resv}: the exporter's object's reservation lock) or, if that is null, by a lock of its own.
     */
    public DmaBuf export(DmaBufOps ops, Object priv, int pages, int mapInfo, SpinLock resv) {
        if (ops == null || priv == null || pages <= 0) {
            throw new IllegalArgumentException("dma_buf_export needs ops, priv and a size: " + ops + " " + priv
                    + " " + pages);
        }
        return new DmaBuf(pages, ops, priv, mapInfo, resv != null ? resv : new SpinLock("dmabuf->resv", 0));
    }

    @Override
    public String name() {
        return "dma_buf_fops";
    }

    @Override
    public int mmap(File file, Vma vma) {
        trace.path("dma_buf_mmap_internal");
        DmaBuf dmabuf = (DmaBuf) file.privateData();
        if (!dmabuf.ops().hasMmap()) {
            return -Errno.EINVAL;
        }
        long pages = (vma.end() - vma.start()) >>> 12;
        if (vma.pgoff() + pages > dmabuf.pages()) {
            return -Errno.EINVAL;
        }
        return dmabuf.ops().mmap(dmabuf, vma);
    }

    @Override
    public long ioctl(File file, int cmd, long arg) {
        DmaBuf dmabuf = (DmaBuf) file.privateData();
        if (cmd == DmaBufUapi.DMA_BUF_IOCTL_SYNC) {
            return sync(dmabuf, arg);
        }
        if (cmd == DmaBufUapi.DMA_BUF_IOCTL_INFO && profile.dmaBufMapInfo() != DmaBufMapInfo.NONE) {
            trace.path("dma_buf_info");
            if (arg != DmaBufUapi.DMA_BUF_INFO_MAP_INFO) {
                return -Errno.EINVAL;
            }
            return profile.dmaBufMapInfo() == DmaBufMapInfo.EXPORT ? dmabuf.mapInfo()
                    : dmabuf.ops().mapInfoNow(dmabuf);
        }
        return -Errno.ENOTTY;
    }

    /** {@code DMA_BUF_IOCTL_SYNC} with {@code flags}. */
    private long sync(DmaBuf dmabuf, long flags) {
        if ((flags & ~DmaBufUapi.DMA_BUF_SYNC_VALID_FLAGS_MASK) != 0) {
            return -Errno.EINVAL;
        }
        int direction = (int) (flags & DmaBufUapi.DMA_BUF_SYNC_RW);
        if (direction == 0) {
            return -Errno.EINVAL;
        }
        if ((flags & DmaBufUapi.DMA_BUF_SYNC_END) != 0) {
            trace.path("dma_buf_end_cpu_access");
            return dmabuf.ops().endCpuAccess(dmabuf, direction);
        }
        trace.path("dma_buf_begin_cpu_access");
        return dmabuf.ops().beginCpuAccess(dmabuf, direction);
    }

    @Override
    public void release(File file) {
        trace.path("dma_buf_release");
        DmaBuf dmabuf = (DmaBuf) file.privateData();
        dmabuf.ops().release(dmabuf);
    }
}
