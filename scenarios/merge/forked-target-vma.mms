# The kernel's tools/testing/selftests/mm/merge.c (6.16+), forked_target_vma: five pages written in the parent,
# fork, the child writes all five (unsharing every page does not take its VMA off the parent's anon_vma), then maps
# five more pages right after them: the child's new VMA must stay apart from the forked one, whose anon_vma_chain
# holds more than one link (from 3.0, 965f55dea0e3; switch anon_vma_merge). Up to 2.6.39 they merged. Observed here
# by growing the child's ten pages with MREMAP_MAYMOVE: -EFAULT while they are two VMAs.
scenario merge-forked-target-vma
doc "merge.c: a forked child's faulted VMA does not take in a new neighbour"

process P
P: mmap C 120K PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS
P: mmap A 20K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED C+4K
P: store A 0x78
P: fork K
K: store A 0x78
K: store A+4K 0x78
K: store A+8K 0x78
K: store A+12K 0x78
K: store A+16K 0x78
K: mmap B 20K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED A+20K
K: m = mremap M A 40K 44K MREMAP_MAYMOVE       # not merged: the range is two VMAs

exists (K:m != -EFAULT)

expect 2.6.19 2.6.23 2.6.27 always
expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/merge.c: 'merge.forked_target_vma' passes"
