# A TTM move allocates the frames it moves to (ttm_bo_mem_space) before it zaps the BO's CPU mappings and copies,
# so nothing else can take them while the unmap runs. Here system memory has room for one two-page BO: one thread
# evicts Y into it while another creates a BO of the same size there. Whichever comes first gets the room; the other
# gets -ENOMEM. The evicted BO keeps its data in every interleaving.
scenario gpu-evict-destination-taken
doc "An eviction's destination is allocated before its unmap: a concurrent allocation cannot take it"

memory normal=1M
process P
P: gpu_create S1 4 system
P: gpu_create S2 2 system
P: gpu_create Y 2 vram
P: gpu_write Y 8 0x99
P: gpu_export F Y
P: dmabuf_mmap A F 8K
P: r9 = load A+8                     # a CPU mapping: the eviction's unmap has a pte to zap

thread G of P {
  r1 = gpu_evict Y
  r2 = gpu_read Y 8
}
thread N of P {
  r3 = gpu_create W 2 system
}

exists (oops \/ G:r2 != 0x99 \/ (G:r1 == 0 /\ N:r3 != -ENOMEM) \/ (G:r1 != 0 /\ N:r3 == -ENOMEM))

expect 6.18 never
