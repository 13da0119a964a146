# kvm/kvm-clear-refs-spurious-cow with the KVM fault Andrea Arcangeli and Jerome Glisse wanted in seed 002
# (Jan 2021: "I already tried to optimize away the two atomics per GUP, but we were naked by the KVM
# maintainer"), which never shipped: kvm_fault_ref=off keeps only the pfn from hva_to_pfn and no reference, as
# hmm_range_fault users do, and the sequence check alone keeps the spte right. The window in which the
# host's write after clear_refs 4 saw refcount 2 and copied is gone: Arcangeli's point that the spurious
# wp_page_copy happens only because of that reference, and that the reference adds nothing to coherence.
scenario kvm-clear-refs-spurious-cow-no-fault-ref
doc "With no page reference across the KVM fault (kvm_fault_ref=off, never shipped), the host never copies its page"
set kvm_fault_ref=off

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: kvm_create_vm VM
P: kvm_set_user_memory_region VM 0 A 4K
P: r0 = pagemap A pfn                                # pfn 1: the first page the model allocates

thread V of P {
  r1 = kvm_guest_load VM 0                           # hva_to_pfn keeps the pfn, no reference
}
thread P {
  clear_refs 4
  store A 0x3                                        # reuse, or wp_page_copy if page_count != 1
  r2 = pagemap A pfn
}

exists (P:r2 != 1)


expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 forbidden

