# The kernel's tools/testing/selftests/mm/merge.c (6.16+), mprotect_unfaulted_left: ten private anonymous pages
# (MAP_NORESERVE, so that VM_ACCOUNT does not differ) placed in a PROT_NONE carveout, the first five made read-only,
# the sixth written (so the upper VMA gets an anon_vma), then the upper five made read-only too: the two must merge
# into one VMA of ten pages ("though for ~15 years we did not! :)"). Up to 2.6.39 they merged; from 3.0
# (965f55dea0e3) the faulted VMA was refused beside the unfaulted one; from 6.16 (879bca0a2c4f) it merges again
# (switch anon_vma_merge). The test's PROCMAP_QUERY is observed here by growing the ten pages with MREMAP_MAYMOVE,
# which needs them in one VMA (-EFAULT otherwise).
scenario merge-mprotect-unfaulted-left
doc "merge.c: a faulted VMA made read-only beside an unfaulted read-only one merges into it"

process P
P: mmap C 120K PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS
P: mmap A 40K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_NORESERVE C+4K
P: r0 = mprotect A 20K PROT_READ
P: s0 = store A+20K 0x78
P: r1 = mprotect A+20K 20K PROT_READ
P: m = mremap M A 40K 44K MREMAP_MAYMOVE       # one VMA [ptr, ptr + 10 pages)

exists (P:r0 != 0 \/ P:s0 != 0 \/ P:r1 != 0 \/ P:m = -EFAULT)

expect 2.6.19 2.6.23 2.6.27 never
expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 always
expect 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/merge.c: 'merge.mprotect_unfaulted_left' passes"
