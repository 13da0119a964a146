# The kernel's tools/testing/selftests/mm/soft-dirty.c. Needs CONFIG_MEM_SOFT_DIRTY: on in the 6.18
# profile (docs/profiles.md), off on the oracle machine, 6.18[mem_soft_dirty=off], where the 6.18 test skips
# (kernel-oracle.md §4.6) and the older unguarded source fails these checks (§6.4). test_vma_reuse: a new anonymous mapping reads soft-dirty in
# pagemap before it is touched (VM_SOFTDIRTY on a new VMA; pagemap_pte_hole reports it for the hole); after
# clear_refs 4, munmap and a new mmap that lands at the same address it is soft-dirty again.
scenario soft-dirty-vma-reuse
doc "A new VMA is soft-dirty in pagemap even untouched and at a reused address"

process P
P: a = mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: s0 = pagemap A soft_dirty                 # "dirty bit of allocated page"
P: c = clear_refs 4
P: u = munmap A 4K
P: b = mmap B 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: s1 = pagemap B soft_dirty                 # "dirty bit of reused address page" (the test skips if map != map2)

exists (P:s0 != 1 \/ (P:a = P:b /\ P:s1 != 1))

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
expect 6.18[mem_soft_dirty=off] always  # the oracle machine: kernel-oracle.md §6.4, unguarded soft-dirty.c run A, rows 2,3 not ok
known 6.18 forbidden "tools/testing/selftests/mm/soft-dirty.c: 'Test test_vma_reuse dirty bit of allocated page, ... of reused address page' pass (asserted upstream with CONFIG_MEM_SOFT_DIRTY=y; not run on the oracle machine, §4.6)"
