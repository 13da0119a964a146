# Brief §3.4, explored: the broken importer of importer-ignore-move (a mapping kept for the MR's life, ->move_notify
# ignored) against a concurrent eviction. With moves of mapped buffers allowed, every interleaving ends with the HCA
# holding the BO's old frame, and in some the HCA's write lands there after the move and is lost to the BO: those
# are the interleavings the condition asks for. Without them (6.18) the registration pinned the BO and nothing
# moves it.
scenario dmabuf-importer-ignore-move-race
doc "An importer that ignores ->move_notify, against a concurrent eviction"

memory normal=1M
process P
P: gpu_create X 1 vram
P: gpu_export F X
P: r0 = rdma_reg_dmabuf_mr M F 0 4K ignore_move

thread H of P {
  r1 = rdma_write M 8 0x91
}
thread G of P {
  r2 = gpu_evict X
}

P: r3 = gpu_read X 8

exists (violated dmabuf-coherence /\ P:r3 != 0x91)

expect 6.18 never
expect 6.18[dmabuf_move_notify=on] sometimes
