# cow selftest "Basic COW ... with memfd" (tools/testing/selftests/mm/cow.c, test_cow under run_with_memfd):
#   1. memfd_create() and fallocate() one page: a tmpfs file of one page of zeroes.
#   2. mem: a PROT_READ|PROT_WRITE MAP_PRIVATE mapping of the file; smem: a PROT_READ MAP_SHARED mapping
#      of the same file.
#   3. Read both (tmp = *mem + *smem): the read faults map the shmem page-cache page into both, mem's pte
#      read-only.
#   4. test_cow saves smem's content (zeroes), memset(mem, 0xff), and compares smem with the saved copy.
#      The test fails if smem changed: the write to the private mapping reached the page cache.
# The write fault on mem must copy the page-cache page into a new anonymous page (wp_page_copy) and leave
# the file alone, under every profile. The model's memfd is ftruncate()d, not fallocate()d: the read fault
# on the hole allocates the zeroed shmem page, the same state fallocate leaves.
# The scenario also reads the file with pread, which must be unchanged too.
# Oracle (6.18, §6.1 #762): ok.
scenario cow-basic-memfd
doc "A write to a MAP_PRIVATE mapping of a memfd must not reach the file"

process P
P: memfd_create F 4K                                  # memfd_create + fallocate(pagesize)
P: mmap_file M F 4K PROT_READ|PROT_WRITE MAP_PRIVATE  # mem
P: mmap_file S F 4K PROT_READ MAP_SHARED              # smem
P: r1 = load M                                        # fault the page-cache page in
P: r2 = load S
P: store M 0xff                                       # memset(mem, 0xff)
P: r0 = load S                                        # memcmp(smem, old): old is all zeroes
P: f0 = pread F 0                                     # the file itself

exists (P:r0 != 0 \/ P:f0 != 0)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 forbidden

known 6.18 forbidden "kernel-oracle.md §6.1 #762 'Basic COW ... with memfd': ok in runs A, B and C"
