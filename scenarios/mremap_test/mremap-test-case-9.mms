# The kernel's tools/testing/selftests/mm/mremap_test.c (6.17+ version), test_cases[9] "2GB mremap - Source PUD-aligned, Destination PTE-aligned":
# get_source_mapping() maps the source MAP_SHARED|MAP_ANONYMOUS with MAP_FIXED_NOREPLACE at the first address
# from mmap_min_addr + 40 MiB that is aligned to exactly the source alignment (0x40000000); remap_region() fills the
# first min(4 MiB, size) bytes with a random pattern, picks the destination the test's way (0xc0001000), moves
# the region there with MREMAP_MAYMOVE|MREMAP_FIXED and compares the pattern. The model keeps two words a page;
# the scenario writes and checks a word in pages 0x0, 0x1ff000, 0x3ff000 of the pattern range.
scenario mremap-test-case-9
doc "mremap_test.c: 2GB mremap - Source PUD-aligned, Destination PTE-aligned"

process P
P: s = mmap S 2097152K PROT_READ|PROT_WRITE MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE 0x40000000
P: store S+0x0 0x5a00
P: store S+0x1ff000 0x5a01
P: store S+0x3ff000 0x5a02
P: d = mremap D S 2097152K 2097152K MREMAP_MAYMOVE|MREMAP_FIXED 0xc0001000
P: r0 = load D+0x0
P: r1 = load D+0x1ff000
P: r2 = load D+0x3ff000

exists (P:s != 0x40000000 \/ P:d != 0xc0001000 \/ P:r0 != 0x5a00 \/ P:r1 != 0x5a01 \/ P:r2 != 0x5a02)

expect 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/mremap_test.c: '2GB mremap - Source PUD-aligned, Destination PTE-aligned' passes"
