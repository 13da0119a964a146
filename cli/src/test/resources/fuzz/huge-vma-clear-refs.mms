# mmsim fuzz --seed 11, mutant 111017: ran 23.7 s
# The spurious COW KVM's page reference causes (kernel-mm.md §3.2, §4.1, §5.6; seed 002, Andrea Arcangeli,
# Jan 2021: "wp_copy_page will only be invoked because the PIN was left by KVM on the page for that extra
# safety"). A vCPU faults guest page 0 in while the host runs `echo 4 > clear_refs` and stores. Between
# hva_to_pfn (get_user_pages_fast, FOLL_GET) and taking mmu_lock, KVM holds a reference on the page; if
# clear_refs write-protects the pte in that window, the host's write fault under the 5.9 page_count rule
# sees refcount 2 and copies: the host's page changes although nobody else maps it. The fault then sees
# the sequence moved, drops the reference and retries, so the guest stays coherent (the device-coherence
# invariant holds): the cost is a spurious copy, not a divergence. Up to 5.8 the mapcount rule reused the
# page; from 5.19 an exclusive anon page is reused whatever its refcount.
scenario kvm-clear-refs-spurious-cow-no-refs
doc "Without page references across the fault (kvm_page_refs=off), the host never copies its page"
set kvm_page_refs=off

process P
P: mmap A 64G PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: kvm_create_vm VM
P: kvm_set_user_memory_region VM 0 A 4K
P: r0 = pagemap A pfn                                # pfn 1: the first page the model allocates

thread V of P {
  r1 = kvm_guest_load VM 0                           # hva_to_pfn holds a reference until mmu_lock
}
thread P {
  clear_refs 4
  store A 0x3                                        # reuse, or wp_page_copy if page_count != 1
  r2 = pagemap A pfn
}

exists (P:r2 != 1)


expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 forbidden

