package org.mmsim.drivers.gpu;

import org.mmsim.kernel.api.DriverCall;
import org.mmsim.kernel.fs.FdTable;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.uapi.DmaBufUapi;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Fcntl;

/**
 * {@link GpuDriver#GPU_EXPORT}: PRIME export of the file's BO as a dma-buf ({@code DRM_IOCTL_PRIME_HANDLE_TO_FD} →
 * {@code drm_gem_prime_handle_to_fd} → {@code drm_gem_prime_export} → {@code drm_gem_dmabuf_export}, with the
 * {@code ttm}/GEM exporter's {@code dma_buf_ops}: {@link GpuPrime}), one step. The buffer's reservation lock is the
 * BO's ({@code exp_info.resv = obj->resv}). The buffer's file is pointed at the device's
 * {@code address_space} ({@code dma_buf->file->f_mapping = dev->anon_inode->i_mapping}), so that a move's
 * {@code unmap_mapping_range} also zaps CPU mappings of the dma-buf; then {@code dma_buf_fd} installs it in the
 * caller's fd table ({@code O_RDWR}, the flags DRM_RDWR asks for). A BO whose dma-buf still lives
 * ({@code obj->dma_buf}) is not exported again: the same buffer gets another fd.
 *
 * <p>The command number and its argument are the model's: {@code args[0]}, if given and not negative, is the
 * {@code map_info} the exporter declares (seed 001's {@code exp_info->map_info}: 0 INCOHERENT, 1 COHERENT_WC,
 * 2 COHERENT_CACHED), by default the one of the placement at export: WC for VRAM, CACHED for system memory; it is
 * ignored when the buffer exists. Returns the fd, or -ENOENT (the file has no BO: no such handle),
 * -EINVAL (a map_info that is none of the three), -EMFILE.
 */
final class GpuExport extends DriverCall {
    private final GpuDriver driver;
    private final File file;
    private final FdTable files;
    private final long mapInfo;

    GpuExport(GpuDriver driver, File file, FdTable files, long[] args) {
        super(driver.kernel(), "drm_gem_prime_handle_to_fd");
        this.driver = driver;
        this.file = file;
        this.files = files;
        this.mapInfo = args.length > 0 ? args[0] : -1;
    }

    @Override
    public Acquire blockedOn() {
        return null;
    }

    @Override
    protected void advance() {
        driver.kernel().tracePath("drm_gem_prime_handle_to_fd");
        if (!(file.privateData() instanceof Bo bo)) {
            returns(-Errno.ENOENT);
            return;
        }
        if (mapInfo > DmaBufUapi.DMA_BUF_COHERENT_CACHED) {
            returns(-Errno.EINVAL);
            return;
        }
        File dmabuf = bo.dmaBuf;
        if (dmabuf != null) {
            driver.kernel().getDmaBuf(dmabuf); // the BO's dma-buf exists: another fd for the same buffer
        } else {
            int declared = mapInfo >= 0 ? (int) mapInfo : GpuDriver.mapInfoOf(bo.placement);
            dmabuf = driver.kernel().dmaBufExport(driver.exporter(), bo, bo.pages, declared, Fcntl.O_RDWR,
                    bo.resv);
            dmabuf.setMapping(driver.gpu().mapping);
            bo.dmaBuf = dmabuf;
        }
        returns(driver.kernel().fdInstall(files, dmabuf));
    }

    @Override
    protected void locals(StateHasher h) {
        h.add(file.id()).add(mapInfo);
    }

    private GpuExport(GpuExport o, Copier c) {
        super(o, c);
        this.driver = c.copy(o.driver);
        this.file = c.copy(o.file);
        this.files = c.copy(o.files);
        this.mapInfo = o.mapInfo;
    }

    @Override
    public GpuExport copy(Copier c) {
        return new GpuExport(this, c);
    }
}
