# The kernel's tools/testing/selftests/mm/soft-dirty.c. Needs CONFIG_MEM_SOFT_DIRTY: on in the 6.18
# profile (docs/profiles.md), off on the oracle machine, 6.18[mem_soft_dirty=off], where the 6.18 test skips
# (kernel-oracle.md §4.6) and the older unguarded source fails these checks (§6.4). test_mprotect_anon (test_mprotect, anon=true): a written
# page is soft-dirty; clear_refs 4 clears it; mprotect(PROT_READ) and mprotect(PROT_READ|PROT_WRITE) leave it
# clear; a second write sets it again (so mprotect must not map the page writable without a fault).
scenario soft-dirty-mprotect-anon
doc "Soft-dirty stays clear across an mprotect R/O-R/W round trip until the next write (anon)"

process P
P: mmap M 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store M 1
P: s0 = pagemap M soft_dirty                 # "dirty bit of new written page"
P: c = clear_refs 4
P: s1 = pagemap M soft_dirty                 # "soft-dirty clear after clear_refs"
P: mprotect M 4K PROT_READ
P: s2 = pagemap M soft_dirty                 # "soft-dirty clear after marking RO"
P: mprotect M 4K PROT_READ|PROT_WRITE
P: s3 = pagemap M soft_dirty                 # "soft-dirty clear after marking RW"
P: store M 2
P: s4 = pagemap M soft_dirty                 # "soft-dirty after rewritten"

exists (P:s0 != 1 \/ P:s1 != 0 \/ P:s2 != 0 \/ P:s3 != 0 \/ P:s4 != 1)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
expect 6.18[mem_soft_dirty=off] always  # the oracle machine: kernel-oracle.md §6.4, unguarded soft-dirty.c run A, rows 6,10 not ok
known 6.18 forbidden "tools/testing/selftests/mm/soft-dirty.c: 'Test test_mprotect-anon (5 results)' pass (asserted upstream with CONFIG_MEM_SOFT_DIRTY=y; not run on the oracle machine, §4.6)"
