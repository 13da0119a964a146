# Brief §3.4, explored: the HCA writes and reads back through a dynamic dma-buf MR while the GPU driver evicts the
# buffer object. The exporter moves under the BO's reservation lock and tells the importer before it copies; the
# importer's device fault maps under the same lock. In no interleaving does the HCA reach a frame the BO has left, and it always
# reads back what it wrote. The broken importer (ignore_move) is checked against the same eviction in
# importer-ignore-move-race.
scenario dmabuf-importer-race-move
doc "A dynamic importer's device faults against a concurrent eviction: never stale"

memory normal=1M
process P
P: gpu_create X 1 vram
P: gpu_export F X
P: r0 = rdma_reg_dmabuf_mr M F 0 4K dynamic

thread H of P {
  r1 = rdma_write M 8 0x81
  r2 = rdma_read M 8
}
thread G of P {
  r3 = gpu_evict X
}

exists (violated dmabuf-coherence \/ H:r2 != 0x81)

expect 6.18 6.18[dmabuf_move_notify=on] never
