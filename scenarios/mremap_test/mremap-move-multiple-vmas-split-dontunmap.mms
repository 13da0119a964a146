# The kernel's tools/testing/selftests/mm/mremap_test.c (6.17+ version), mremap_move_multiple_vmas_split, dontunmap=true
# ("[dontunmap]"): as mremap-move-multiple-vmas-split with MREMAP_DONTUNMAP, which leaves the two source VMAs whole
# (nothing is split or unmapped at the source). The case it repeats: ten
# private anonymous pages with page 5 unmapped, a pattern in pages 0-4 and 6-9; pages 2..8 (7 pages: two VMAs
# around the gap) are moved to a free target. The
# mremap must succeed (6.17+, as in mremap-move-multiple-vmas) and pages 2-4, 6-8 must arrive at tgt pages
# 0-2, 4-6. (The selftest's pattern check jumps to out_unmap without clearing success, so only the mremap result
# decides its verdict; the scenario checks the data too.)
scenario mremap-move-multiple-vmas-split-dontunmap
doc "mremap_test.c: MREMAP_FIXED|MREMAP_DONTUNMAP moves part of two VMAs around a gap (6.17+)"

process P
P: mmap A 40K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: t = mmap T 40K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: munmap T 40K
P: munmap A+20K 4K
P: store A+0K 0x5a00
P: store A+4K 0x5a01
P: store A+8K 0x5a02
P: store A+12K 0x5a03
P: store A+16K 0x5a04
P: store A+24K 0x5a06
P: store A+28K 0x5a07
P: store A+32K 0x5a08
P: store A+36K 0x5a09
P: r = mremap R A+8K 28K 28K MREMAP_MAYMOVE|MREMAP_FIXED|MREMAP_DONTUNMAP T
P: c0 = load T+0K
P: c1 = load T+4K
P: c2 = load T+8K
P: c4 = load T+16K
P: c5 = load T+20K
P: c6 = load T+24K
P: k0 = load A                     # the unmoved head
P: k1 = load A+4K

exists (P:r != P:t \/ P:c0 != 0x5a02 \/ P:c1 != 0x5a03 \/ P:c2 != 0x5a04 \/ P:c4 != 0x5a06 \/ P:c5 != 0x5a07 \/ P:c6 != 0x5a08 \/ P:k0 != 0x5a00 \/ P:k1 != 0x5a01)

expect 6.18 never
expect 5.19 always                   # before 6.17 a move must stay within one VMA: -EFAULT
known 6.18 forbidden "tools/testing/selftests/mm/mremap_test.c: 'mremap move multiple vmas split [dontunmap]' passes"
