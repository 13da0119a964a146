# A vCPU's fault racing the host's munmap (kernel-mm.md §5.3, §5.6). The fault reads mmu_invalidate_seq,
# resolves the pfn with get_user_pages_fast, and installs the spte only under mmu_lock if no invalidation
# covering the page is in progress and the sequence has not moved; munmap's UNMAP invalidation zaps any
# spte and bumps the sequence at its end. Whatever the interleaving, no spte outlives the host mapping
# (the device-coherence invariant never fires) and the guest reads either the host's word or fails with
# -EFAULT once the page is gone.
scenario kvm-fault-vs-munmap
doc "A guest load racing a host munmap never leaves a stale shadow pte"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: kvm_create_vm VM
P: kvm_set_user_memory_region VM 0 A 4K

thread V of P {
  r0 = kvm_guest_load VM 0
}
thread P {
  munmap A 4K
}

exists (V:r0 != 0x1 /\ V:r0 != -EFAULT)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
