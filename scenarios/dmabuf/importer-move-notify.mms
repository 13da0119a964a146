# Brief §3.4: a dynamic importer of a dma-buf. An RDMA NIC registers a memory region over a GPU buffer object
# exported as a dma-buf (ibv_reg_dmabuf_mr; mlx5 with on-demand paging attaches with ->move_notify) and writes to it.
# Then the GPU driver evicts the BO from VRAM.
# Linux as built by default (CONFIG_DMABUF_MOVE_NOTIFY=n): the importer's first mapping pins the BO
# (dma_buf_map_attachment calls ->pin), and amdgpu pins into GTT, so the registration itself moves the BO to system
# memory; the eviction then has nothing to do, and TTM refuses the move back to VRAM (-EINVAL) until the MR is
# deregistered.
# With CONFIG_DMABUF_MOVE_NOTIFY=y nothing is pinned and both moves go ahead: under the BO's reservation lock the
# exporter calls dma_buf_move_notify, mlx5_ib_dmabuf_invalidate_cb zaps the MR's translation and unmaps, and the HCA's
# next access faults (pagefault_dmabuf_mr), waits for the lock and maps the BO's new frames: it reads back what it
# wrote, which the move copied.
scenario dmabuf-importer-move-notify
doc "An RDMA MR over a GPU dma-buf follows moves through ->move_notify, or pins the buffer in system memory without it"

memory normal=1M
process P
P: gpu_create X 1 vram
P: gpu_export F X
P: r0 = rdma_reg_dmabuf_mr M F 0 4K dynamic
P: r1 = rdma_write M 8 0x51
P: r2 = gpu_evict X                  # off: 0, the pin put it there; on: 0, a move that notifies the MR
P: r3 = rdma_read M 8                # on: a device fault maps the BO's frame in system memory
P: r4 = gpu_read X 8
P: r5 = gpu_validate X               # back into VRAM: off -EINVAL (pinned); on 0, another notification
P: r6 = rdma_write M 0 0x52
P: r7 = gpu_read X 0

exists (P:r0 == 0 /\ P:r1 == 0 /\ P:r2 == 0 /\ P:r3 == 0x51 /\ P:r4 == 0x51 /\ P:r5 == 0 /\ P:r6 == 0 /\ P:r7 == 0x52)

expect 6.18 never
expect 6.18[dmabuf_move_notify=on] always
