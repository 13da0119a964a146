# Brief §3.4, explored: an RDMA NIC registers a dynamic MR over a GPU buffer object's dma-buf, writes and reads back
# through it, while the GPU driver evicts the BO. Under 6.18 the registration's first mapping pins the BO into GTT,
# itself a move; with move notifiers nothing is pinned and the eviction moves the BO under the MR. Every move holds
# the BO's reservation lock and tells the importer before it copies; the importer maps (at registration, or in a
# device fault) under the same lock. In no interleaving does the HCA reach a frame the BO has left, and it always
# reads back what it wrote. The broken importer (ignore_move) is checked against an eviction in
# importer-ignore-move-race.
scenario dmabuf-importer-race-move
doc "A dynamic importer's registration and device faults against a concurrent eviction: never stale"

memory normal=1M
process P
P: gpu_create X 1 vram
P: gpu_export F X

thread H of P {
  r0 = rdma_reg_dmabuf_mr M F 0 4K dynamic
  r1 = rdma_write M 8 0x81
  r2 = rdma_read M 8
}
thread G of P {
  r3 = gpu_evict X
}

exists (violated dmabuf-coherence \/ H:r0 != 0 \/ H:r2 != 0x81 \/ G:r3 != 0)

expect 6.18 6.18[dmabuf_move_notify=on] never
