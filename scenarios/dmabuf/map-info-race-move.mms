# Seed 001, explored: a VMM thread gives its guest a dma-buf while the GPU driver evicts the buffer object from
# VRAM. Whatever DMA_BUF_IOCTL_INFO answers, it answers before the move can be ruled out: with the answer fixed at
# export (export) or taken when asked (query), some interleaving has the guest map the buffer's new, cached frame
# write-combined (cache-alias). Without the query (Linux) the guest's fault reads the host pte's attribute with the
# pfn, under the notifier's sequence count, and no interleaving leaves an alias.
scenario dmabuf-map-info-race-move
doc "DMA_BUF_IOCTL_INFO against a concurrent eviction: stale in some interleaving, unless nothing is asked"

memory normal=1M
process P
P: gpu_create X 1 vram
P: gpu_write X 0 0x33
P: gpu_export F X
P: dmabuf_mmap A F 4K
P: kvm_create_vm VM

thread V of P {
  r1 = vmm_map_dmabuf VM 0 F A 4K
  r0 = load A
  r2 = kvm_guest_load VM 0
}
thread G of P {
  gpu_evict X
}

exists (violated cache-alias)

expect 6.18 never
expect 6.18[dmabuf_map_info=export] 6.18[dmabuf_map_info=query] sometimes
