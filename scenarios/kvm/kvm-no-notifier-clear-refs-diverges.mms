# KVM without an MMU notifier against clear_refs (kernel-mm.md §4.3, §5.6; seed 002). The spte's page
# reference is the only tie between guest and host; clear_refs 4 write-protects the host pte, and under
# the 5.9 page_count rule the host's write fault sees refcount 2 and copies: the host moves to a new page,
# the guest keeps the old one and loads stale data (the device-coherence invariant reports it). Up to 5.8
# the mapcount rule reused the page; from 5.19 an exclusive anon page is reused whatever its refcount: the
# reference alone then keeps guest and host together, as it did before 5.9.
scenario kvm-no-notifier-clear-refs-diverges
doc "Without the notifier, clear_refs 4 and a host store leave the guest on the old page under 5.9"
set kvm_mmu_notifier=off

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: kvm_create_vm VM
P: kvm_set_user_memory_region VM 0 A 4K
P: kvm_guest_store VM 0 0x2                          # spte + page reference: page_count 2
P: clear_refs 4
P: store A 0x3                                       # 5.9: wp_page_copy; else reuse
P: r0 = kvm_guest_load VM 0

exists (P:r0 != 0x3)

expect 5.9 5.11 allowed
expect 4.8 4.9 5.7 5.8 5.19 6.18 forbidden

known 5.9 allowed "seed 002 (Andrea Arcangeli, Jan 2021): 'if you do echo ... >/proc/self/clear_refs on your pid, that has any FOLL_LONGTERM on its mm, it'll just cause your device driver to go out of sync with the mm'; kernel-mm.md §4.3"
known 5.19 6.18 forbidden "kernel-mm.md §1.4, §3.2: from 5.19 an exclusive anon page is reused whatever its refcount"
