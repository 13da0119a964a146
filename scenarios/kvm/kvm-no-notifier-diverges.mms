# KVM without an MMU notifier (kvm_mmu_notifier=off: the design before 2.6.27, e930bffe95e1; kernel-mm.md
# §5.6; seed 002, Andrea Arcangeli: "KVM initially used the equivalent of FOLL_LONGTERM back then. Then KVM
# become the primary MMU Notifier user"). The page reference each spte holds keeps its page alive, but
# nothing tells KVM that the host moved on: after munmap and a new mmap at the same address the host
# stores into a new page while the guest still reads the old one, under every profile. The host's own
# munmap is what parted them, so it is a divergence the program caused (`diverged munmap`), not a
# device-coherence violation; the same design parting by the kernel's doing is kvm-no-notifier-clear-refs-diverges.
scenario kvm-no-notifier-diverges
doc "Without the notifier, the guest keeps reading the page the host unmapped"
set kvm_mmu_notifier=off

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: kvm_create_vm VM
P: kvm_set_user_memory_region VM 0 A 4K
P: kvm_guest_store VM 0 0x2                          # spte + page reference
P: munmap A 4K
P: mmap B 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED A
P: store A 0x3                                       # a new page at the same address
P: r0 = kvm_guest_load VM 0                          # through the stale spte

exists (P:r0 != 0x3 /\ diverged munmap)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 allowed
