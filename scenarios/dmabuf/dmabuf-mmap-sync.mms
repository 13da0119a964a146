# A GPU buffer object exported as a dma-buf (DRM PRIME), mapped through the dma-buf fd and bracketed with
# DMA_BUF_IOCTL_SYNC (kernel-mm.md §8.2, §8.3). The dma-buf's file shares the GPU's address_space
# (drm_gem_dmabuf_export), so its mapping faults through ttm_bo_vm_ops and is zapped by a move like any mapping of the
# BO: after the BO moves to system memory the same address reads the same word from its new frames.
# dma_buf_mmap_internal refuses a mapping that runs past the buffer (-EINVAL), and DMA_BUF_IOCTL_SYNC refuses flags
# outside DMA_BUF_SYNC_VALID_FLAGS_MASK or without READ or WRITE (-EINVAL). Linux has no DMA_BUF_IOCTL_INFO: -ENOTTY.
scenario dmabuf-mmap-sync
doc "Export a BO as a dma-buf, map it, SYNC around CPU access, and follow it across a move"

memory normal=1M
process P
P: gpu_create X 1 vram
P: gpu_write X 0 0x77
P: gpu_export F X
P: r0 = dmabuf_sync F DMA_BUF_SYNC_START|DMA_BUF_SYNC_RW
P: dmabuf_mmap A F 4K
P: r1 = load A                       # VRAM, write-combined
P: store A+8 0x78
P: r2 = dmabuf_sync F DMA_BUF_SYNC_END|DMA_BUF_SYNC_RW
P: r3 = dmabuf_sync F DMA_BUF_SYNC_END          # no direction
P: r4 = dmabuf_sync F 8                         # outside the mask
P: r5 = dmabuf_info F
P: gpu_evict X                       # unmap_mapping_range zaps the dma-buf mapping too
P: r6 = load A+8                     # refaults to the BO's frame in system memory
P: r8 = dmabuf_mmap B F 8K           # two pages of a one-page buffer
P: r7 = gpu_read X 8

exists (P:r0 != 0 \/ P:r1 != 0x77 \/ P:r2 != 0 \/ P:r3 != -EINVAL \/ P:r4 != -EINVAL \/ P:r5 != -ENOTTY \/ P:r6 != 0x78 \/ P:r8 != -EINVAL \/ P:r7 != 0x78)

expect 6.18 never
