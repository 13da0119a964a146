# KVM across fork (kernel-mm.md §3.4, §5.2, §5.6). The guest stores through a writable spte; fork
# write-protects the parent's pte (copy_present_pte) and raises a PROTECTION_PAGE invalidation that zaps
# the spte; the parent's store then COWs (or, where the page is exclusive again, reuses) and the guest's
# next load faults in whatever the parent maps now. The guest (a vCPU of the parent) always sees the
# parent's store: a secondary MMU that follows notifiers never diverges across fork, whatever the reuse
# rule, and whether or not KVM holds a page reference for its spte.
scenario kvm-cow-after-fork
doc "After fork and a parent store, the parent's guest loads the parent's store"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: kvm_create_vm VM
P: kvm_set_user_memory_region VM 0 A 4K
P: kvm_guest_store VM 0 0x2
P: fork C
P: store A 0x3                                       # the parent's COW (page shared with C)
P: r0 = kvm_guest_load VM 0
C: r1 = load A                                       # the child keeps the pre-fork word

exists (P:r0 != 0x3 \/ C:r1 != 0x2)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 forbidden

known 5.9 6.18 forbidden "kernel-mm.md §5.6: KVM maps a pfn only under mmu_lock with the invalidate seq check, so every COW the parent takes reaches the guest after the fork's invalidation"
