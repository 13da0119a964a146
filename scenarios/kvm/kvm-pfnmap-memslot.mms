# A memslot over device memory (kernel-mm.md §5.6; seed 001: KVM's "page reference" of VM_IO mappings). GUP refuses a
# VM_IO|VM_PFNMAP mapping, so hva_to_pfn "does it here" (hva_to_pfn_remapped): it follows the host pte to the raw
# pfn and the vCPU reads the device (the model's MMIO aperture reads all ones, and a write goes to the device).
# The model takes no reference for such a frame (no struct page; the reference on VM_IO pages that have one is what
# Christian König objected to). When the host unmaps the aperture, the MMU notifier zaps the spte and the next
# guest access finds nothing to map: -EFAULT. The bad outcome is a guest that misses the device or keeps reaching it.
scenario kvm-pfnmap-memslot
doc "A memslot over a device aperture: the guest reaches the device through hva_to_pfn_remapped, and loses it on munmap"

process P
P: mmap_device D 4K PROT_READ|PROT_WRITE
P: kvm_create_vm VM
P: kvm_set_user_memory_region VM 0 D 4K
P: r0 = kvm_guest_load VM 0          # the device's word: all ones
P: r1 = kvm_guest_store VM 0 5
P: munmap D 4K                       # the notifier zaps the spte
P: r2 = kvm_guest_load VM 0

exists (P:r0 != -1 \/ P:r1 != 0 \/ P:r2 != -EFAULT)

expect 4.8 5.9 5.19 6.18 never
