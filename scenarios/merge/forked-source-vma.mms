# The kernel's tools/testing/selftests/mm/merge.c (6.16+), forked_source_vma: five pages written in the parent,
# fork, the child writes all five, maps five read-write-exec pages right after them (incompatible: no merge), then
# makes its forked five read-write-exec too, so that they are the source of a merge into the unfaulted new VMA. That
# must not merge: the source is a forked child's VMA (6.16, 879bca0a2c4f, vma_is_fork_child; 3.0 to 6.15 refused
# any faulted source beside an unfaulted target; switch anon_vma_merge). Up to 2.6.39 it merged. Observed as in
# forked-target-vma: the new VMA must still start where it was mapped, so a remap of both ranges is -EFAULT.
scenario merge-forked-source-vma
doc "merge.c: a forked child's faulted VMA made equal to an unfaulted neighbour does not merge into it"

process P
P: mmap C 120K PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS
P: mmap A 20K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_NORESERVE C+4K
P: store A 0x78
P: fork K
K: store A 0x78
K: store A+4K 0x78
K: store A+8K 0x78
K: store A+12K 0x78
K: store A+16K 0x78
K: mmap B 20K PROT_READ|PROT_WRITE|PROT_EXEC MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_NORESERVE A+20K
K: m0 = mremap M0 A 40K 44K MREMAP_MAYMOVE     # different flags: two VMAs
K: r = mprotect A 20K PROT_READ|PROT_WRITE|PROT_EXEC
K: m1 = mremap M1 A 40K 44K MREMAP_MAYMOVE     # forked source: still two VMAs

exists (K:m0 != -EFAULT \/ K:r != 0 \/ K:m1 != -EFAULT)

expect 2.6.19 2.6.23 2.6.27 always
expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/merge.c: 'merge.forked_source_vma' passes"
