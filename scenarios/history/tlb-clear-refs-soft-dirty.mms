# clear_refs 4 and a stale TLB entry (Will Deacon, "mm: proc: Invalidate TLB after clearing soft-dirty page
# state", 912efa17e512, 5.12). Soft-dirty tracking relies on the next write faulting: clear_refs write-protects the
# pte and clears its soft-dirty bit, and the write fault sets it again. Since 0758cd830494 (5.5) tlb_finish_mmu
# flushes only what the tlb_remove_* calls gathered, and clear_refs gathered nothing: the CPU kept its writable,
# dirty translation, the next write went through it without a fault, and pagemap reported the page clean. This is
# the kernel's own soft-dirty selftest (test_simple, as scenarios/soft_dirty/soft-dirty-simple.mms ports it) with
# the CPU's TLB modelled (tlb); Gabriel Krisman Bertazi's selftest "would have caught it".
scenario tlb-clear-refs-soft-dirty
doc "clear_refs 4 without a TLB flush: the next write goes through a stale entry and soft-dirty stays clear"

tlb
process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0                                 # the CPU caches a writable, dirty translation
P: c0 = clear_refs 4
P: s0 = pagemap A soft_dirty                 # "dirty bit was 1, but should be 0"
P: c1 = clear_refs 4
P: store A 1                                 # map[0]++
P: s1 = pagemap A soft_dirty                 # "dirty bit was 0, but should be 1"

exists (P:s0 != 0 \/ P:s1 != 1)

expect 5.7 5.8 5.9 5.11 always
expect 4.8 4.9 5.19 6.18 5.11[clear_refs_tlb_flush=on] never
