# Brief §3.4: why CONFIG_DMABUF_MOVE_NOTIFY is "EXPERIMENTAL". A deliberately broken importer takes the pinned path of
# ib_umem_dmabuf_get_pinned without its dma_buf_pin: it maps the buffer once and keeps that mapping, and its
# ->move_notify only warns. While every mapping of a dynamic buffer pins it (the default build) nothing can go wrong:
# the mapping pinned the BO (into system memory, where the GPU pins), and nothing moves it. Once moves of mapped
# buffers are allowed, the HCA keeps writing to the BO's old VRAM frame after the move (dmabuf-coherence); the write
# is lost to the BO (P:r3) and lands in memory it no longer owns.
scenario dmabuf-importer-ignore-move
doc "An importer that ignores ->move_notify is safe only while mappings pin the buffer"

memory normal=1M
process P
P: gpu_create X 1 vram
P: gpu_export F X
P: r0 = rdma_reg_dmabuf_mr M F 0 4K ignore_move
P: r1 = gpu_evict X
P: r2 = rdma_write M 8 0x71
P: r3 = gpu_read X 8

exists (violated dmabuf-coherence)

expect 6.18 never
expect 6.18[dmabuf_move_notify=on] always
