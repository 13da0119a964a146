# Seed 000 (Benjamin Herrenschmidt, 2006), as TTM answers it: a thread faults a page of a buffer object while
# another thread validates a second BO into a full VRAM, which evicts the first. ttm_bo_vm_fault reserves the BO
# (bo->base.resv) before it looks up the pfn of the current placement and keeps it until vmf_insert_pfn_prot has
# set the pte, and the move holds the same reservation across unmap_mapping_range, the copy and the placement
# switch: the lookup and the insert cannot straddle a move, so the pte never maps VRAM the BO has left.
# docs/devices/gpu.md; kernel-mm.md §7. The -nolock variant is the same driver without the reservation.
scenario ttm-move-vs-fault
doc "A fault of a BO racing a move that evicts it from VRAM never leaves a pte to frames another BO now holds"

memory normal=1M
process P
P: gpu_create X 4 vram          # VRAM is 4 pages: X fills it
P: gpu_create Y 1 system
P: gpu_write X 0 0x11
P: gpu_write Y 0 0x22
P: gpu_mmap A X 4K

thread T1 of P {
  r0 = load A                   # ttm_bo_vm_fault: reserve, pfn of X's page 0, (sleep), insert, unreserve
}
thread T2 of P {
  gpu_validate Y                # evicts X to system (unmap_mapping_range, copy), then Y takes X's old frame
  r1 = load A                   # through the pte T1 may have left: X's word, or Y's if the pte is stale
}

exists (T2:r1 = 0x22 \/ T1:r0 = 0x22)

expect 2.6.23 2.6.27 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 forbidden
