# Seed 000 (Benjamin Herrenschmidt, 2006): "a ->nopfn handler returns the pfn of the object's current placement,
# and do_no_pfn installs it after the handler returned, with no recheck: if the object is moved in between
# (unmap_mapping_range, copy, switch), the pte installed afterwards points at memory the object has left."
# A BO of one page in system memory is faulted by T1 while T2 validates it into VRAM and has the GPU write it there;
# T2 then loads through the mapping. A stale pte reads the old system frame (0x11) instead of the BO (0x33).
#   2.6.19[driver_fault=nopfn]  do_no_pfn: no truncate_count recheck          -> reachable (device-isolation fires)
#   2.6.19 (driver_fault=nopage) do_no_page rechecks truncate_count, which
#          unmap_mapping_range bumped: the stale struct page is dropped       -> never
#   2.6.23+ (->fault)           ttm_bo_vm_fault holds the reservation across lookup and insert -> never
# docs/devices/gpu.md; kernel-mm.md §7.
scenario nopfn-vs-unmap-mapping-range
doc "A fault racing a move's unmap_mapping_range maps the placement the object left (->nopfn only)"

memory normal=1M
process P
P: gpu_create X 1 system
P: gpu_write X 0 0x11
P: gpu_mmap A X 4K

thread T1 of P {
  r0 = load A                   # ->nopfn / ->nopage / ->fault of X's page 0, then the pte
}
thread T2 of P {
  gpu_validate X                # ttm_bo_unmap_virtual (unmap_mapping_range), copy to VRAM, switch
  gpu_write X 0 0x33            # the GPU writes X where it now is
  r1 = load A                   # 0x33 through a good pte; 0x11 through a stale one
}

exists (T2:r1 = 0x11)

expect 2.6.19[driver_fault=nopfn] allowed
expect 2.6.19 2.6.23 2.6.27 6.18 forbidden
