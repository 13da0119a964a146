# cow selftest "Basic COW ... with tmpfile" (tools/testing/selftests/mm/cow.c, test_cow under
# run_with_tmpfile):
#   1. tmpfile() in /tmp (ext4 on the oracle machine) and fallocate() one page: one page of zeroes.
#   2. mem: a PROT_READ|PROT_WRITE MAP_PRIVATE mapping of the file; smem: a PROT_READ MAP_SHARED mapping
#      of the same file.
#   3. Read both (tmp = *mem + *smem): the read faults map the ext4 page-cache page into both, mem's pte
#      read-only.
#   4. test_cow saves smem's content (zeroes), memset(mem, 0xff), and compares smem with the saved copy.
#      The test fails if smem changed: the write to the private mapping reached the page cache.
# The write fault on mem must copy the page-cache page into a new anonymous page (wp_page_copy) and leave
# the file alone, under every profile. The model's file is ftruncate()d, not fallocate()d: the read fault
# on the hole reads a zeroed page into the page cache, as for fallocate's unwritten extent.
# The scenario also reads the file with pread, which must be unchanged too.
# Oracle (6.18, §6.1 #763): ok.
scenario cow-basic-tmpfile
doc "A write to a MAP_PRIVATE mapping of an ext4 file must not reach the file"

process P
P: creat F ext4 4K                                    # tmpfile() + fallocate(pagesize)
P: mmap_file M F 4K PROT_READ|PROT_WRITE MAP_PRIVATE  # mem
P: mmap_file S F 4K PROT_READ MAP_SHARED              # smem
P: r1 = load M                                        # fault the page-cache page in
P: r2 = load S
P: store M 0xff                                       # memset(mem, 0xff)
P: r0 = load S                                        # memcmp(smem, old): old is all zeroes
P: f0 = pread F 0                                     # the file itself

exists (P:r0 != 0 \/ P:f0 != 0)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 forbidden

known 6.18 forbidden "kernel-oracle.md §6.1 #763 'Basic COW ... with tmpfile': ok in runs A, B and C"
