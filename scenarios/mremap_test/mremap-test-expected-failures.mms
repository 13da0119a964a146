# The kernel's tools/testing/selftests/mm/mremap_test.c (6.17+ version), test_cases[0..2], the three expected failures (reported
# as XFAIL when remap_region fails): [0] "Source and Destination Regions Overlapping": a one-page MAP_SHARED
# anonymous source at 0x2811000 moved with MREMAP_FIXED onto itself is -EINVAL; [1] "Destination Address
# Misaligned (1KB-aligned)": MREMAP_FIXED to an address inside a page is -EINVAL (the model takes +8 for the
# test's +1K; offset_in_page(new_addr) decides either way); [2] "Source Address Misaligned (1KB-aligned)":
# get_source_mapping's mmap(MAP_FIXED_NOREPLACE) at an address inside a page fails with -EINVAL (an EPERM or
# EEXIST would make it retry instead). The bad outcome is any of them succeeding.
scenario mremap-test-expected-failures
doc "mremap_test.c: overlapping and misaligned MREMAP_FIXED moves, and a misaligned source mmap, fail with -EINVAL"

process P
P: s = mmap S 4K PROT_READ|PROT_WRITE MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE 0x2811000
P: r0 = mremap D0 S 4K 4K MREMAP_MAYMOVE|MREMAP_FIXED S          # [0] overlapping
P: r1 = mremap D1 S 4K 4K MREMAP_MAYMOVE|MREMAP_FIXED S+0x1008   # [1] destination misaligned
P: u = munmap S 4K
P: r2 = mmap S2 4K PROT_READ|PROT_WRITE MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE 0x2810008  # [2]

exists (P:s != 0x2811000 \/ P:r0 != -EINVAL \/ P:r1 != -EINVAL \/ P:r2 != -EINVAL)

expect 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/mremap_test.c: test_cases[0..2] 'mremap - Source and Destination Regions Overlapping', '... Destination Address Misaligned (1KB-aligned)', '... Source Address Misaligned (1KB-aligned)' XFAIL as expected"
