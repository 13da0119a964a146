# The kernel's tools/testing/selftests/mm/soft-dirty.c. Needs CONFIG_MEM_SOFT_DIRTY: on in the 6.18
# profile (docs/profiles.md), off on the oracle machine, 6.18[mem_soft_dirty=off], where the 6.18 test skips
# (kernel-oracle.md §4.6) and the older unguarded source fails these checks (§6.4). test_simple, two of its 10000 iterations: after clear_refs 4 the
# page is not soft-dirty; after clear_refs 4 and a write it is.
scenario soft-dirty-simple
doc "clear_refs 4 clears the soft-dirty bit and the next write sets it again"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0                                 # aligned_alloc: the page was in use already
P: c0 = clear_refs 4
P: s0 = pagemap A soft_dirty                 # "dirty bit was 1, but should be 0"
P: c1 = clear_refs 4
P: store A 1                                 # map[0]++
P: s1 = pagemap A soft_dirty                 # "dirty bit was 0, but should be 1"
P: c2 = clear_refs 4
P: s2 = pagemap A soft_dirty
P: c3 = clear_refs 4
P: store A 2
P: s3 = pagemap A soft_dirty
P: c4 = clear_refs 4

exists (P:s0 != 0 \/ P:s1 != 1 \/ P:s2 != 0 \/ P:s3 != 1)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
expect 6.18[mem_soft_dirty=off] always  # the oracle machine: kernel-oracle.md §6.4, unguarded soft-dirty.c run A, rows 1 not ok
known 6.18 forbidden "tools/testing/selftests/mm/soft-dirty.c: 'Test test_simple' pass (asserted upstream with CONFIG_MEM_SOFT_DIRTY=y; not run on the oracle machine, §4.6)"
