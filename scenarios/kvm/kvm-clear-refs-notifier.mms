# KVM as a secondary MMU against clear_refs (kernel-mm.md §5.6, §4.1; seed 002: Andrea Arcangeli to Jason
# Gunthorpe, Jan 2021, "page_count can't be used to decide when wp_page_copy"). The guest stores through
# its shadow pte; `echo 4 > clear_refs` write-protects the host pte and raises a SOFT_DIRTY invalidation,
# which zaps the spte (dropping its page reference where kvm_page_refs is on); the host's write fault then reuses
# or copies the page, and the guest's next load faults the spte in again from whatever the host maps now.
# Whatever the reuse rule, the guest sees the host's store: the notifier keeps KVM coherent.
scenario kvm-clear-refs-notifier
doc "After clear_refs 4 and a host store, the guest loads what the host stored"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: kvm_create_vm VM
P: kvm_set_user_memory_region VM 0 A 4K
P: kvm_guest_store VM 0 0x2                           # spte installed, writable
P: clear_refs 4                                      # soft-dirty: wrprotect + invalidate (spte zapped)
P: store A 0x3                                       # host write fault: reuse or copy
P: r0 = kvm_guest_load VM 0                          # the guest faults the spte in again

exists (P:r0 != 0x3)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 forbidden

known 5.9 forbidden "kernel-mm.md §5.6: pages are only mapped into the guest under mmu_lock with a seq check; seed 002 (Jason Gunthorpe): 'secondary-mmu drivers using mmu notifier should not trigger this logic'"
known 6.18 forbidden "kernel-mm.md §5.6: no spte holds a page reference (since 2.6.32), each fault holds one only until it ends, and correctness rests on MMU notifiers"
