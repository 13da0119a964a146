# Brief §3.4: an importer that cannot follow moves pins the dma-buf (ib_umem_dmabuf_get_pinned, as efa and mlx5's
# data-direct path register a dma-buf MR: dma_buf_pin under the reservation lock, one mapping for the MR's life).
# Where the GPU pins it depends on the build: without move notifiers (CONFIG_DMABUF_MOVE_NOTIFY=n, Linux's default)
# amdgpu pins into GTT, so the registration moves the BO to system memory and a move back to VRAM is refused; with
# them, and a peer-to-peer importer, it pins in VRAM, where an eviction is refused ("Moving of pinned BOs is
# forbidden": -EINVAL) and the BO is no eviction victim. Either way some move is refused while the MR lives, the
# HCA's write lands in the BO, and after DEREG (dma_buf_unpin, dma_buf_detach) the BO moves again. Nothing races.
scenario dmabuf-importer-pinned
doc "A pinned dma-buf MR keeps the GPU buffer where the exporter pinned it until it is deregistered"

memory normal=1M
process P
P: gpu_create X 4 vram               # all of VRAM
P: gpu_export F X
P: r0 = rdma_reg_dmabuf_mr M F 4K 8K pinned
P: r1 = rdma_write M 0 0x61          # page 1 of the buffer
P: r2 = gpu_validate X               # off: -EINVAL (pinned in system memory); on: 0 (already in VRAM)
P: r3 = gpu_evict X                  # off: 0 (already in system memory); on: -EINVAL
P: r4 = gpu_read X 4096
P: r5 = rdma_dereg_mr M
P: r6 = gpu_validate X
P: r7 = gpu_evict X
P: r8 = gpu_read X 4096

exists (P:r0 != 0 \/ P:r1 != 0 \/ (P:r2 != -EINVAL /\ P:r3 != -EINVAL) \/ P:r4 != 0x61 \/ P:r5 != 0 \/ P:r6 != 0 \/ P:r7 != 0 \/ P:r8 != 0x61)

expect 6.18 6.18[dmabuf_move_notify=on] never
