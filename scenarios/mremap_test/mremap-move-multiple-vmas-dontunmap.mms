# The kernel's tools/testing/selftests/mm/mremap_test.c (6.17+ version), mremap_move_multiple_vmas, dontunmap=true
# ("[dontunmap]"): as mremap-move-multiple-vmas, every move with MREMAP_DONTUNMAP too, which a move of several VMAs
# takes from 6.17 (each source VMA stays, empty). The case it repeats: eleven private
# anonymous pages with pages 1, 3, 7 and 9 unmapped (VMAs at 0, 2, 4-6, 8, 10), a pattern in every mapped page;
# the whole 11-page range is moved with MREMAP_MAYMOVE|MREMAP_FIXED to a free target, then next to itself
# (tgt + 11 pages), then back onto tgt after tgt was mapped PROT_NONE with MAP_FIXED (move and overwrite). Each
# mremap must succeed and the pattern must follow. Moving a range that spans several VMAs and gaps is new in
# 6.17 (Lorenzo Stoakes, 'mm/mremap: permit mremap() move of multiple VMAs'); before, vma_to_resize refused it
# with -EFAULT.
scenario mremap-move-multiple-vmas-dontunmap
doc "mremap_test.c: MREMAP_FIXED|MREMAP_DONTUNMAP moves a range of several VMAs and gaps (6.17+)"

process P
P: mmap A 44K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: t = mmap T 88K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: munmap T 88K
P: munmap A+4K 4K
P: munmap A+12K 4K
P: munmap A+28K 4K
P: munmap A+36K 4K
P: store A+0K 0x5a00
P: store A+8K 0x5a02
P: store A+16K 0x5a04
P: store A+20K 0x5a05
P: store A+24K 0x5a06
P: store A+32K 0x5a08
P: store A+40K 0x5a10
P: r0 = mremap R0 A 44K 44K MREMAP_MAYMOVE|MREMAP_FIXED|MREMAP_DONTUNMAP T          # move the whole thing
P: a0 = load T+0K
P: a2 = load T+8K
P: a4 = load T+16K
P: a5 = load T+20K
P: a6 = load T+24K
P: a8 = load T+32K
P: a10 = load T+40K
P: r1 = mremap R1 T 44K 44K MREMAP_MAYMOVE|MREMAP_FIXED|MREMAP_DONTUNMAP T+44K      # move next to itself
P: b0 = load T+44K
P: b2 = load T+52K
P: b4 = load T+60K
P: b5 = load T+64K
P: b6 = load T+68K
P: b8 = load T+76K
P: b10 = load T+84K
P: m = mmap O 44K PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED T  # map a range to overwrite
P: r2 = mremap R2 T+44K 44K 44K MREMAP_MAYMOVE|MREMAP_FIXED|MREMAP_DONTUNMAP T      # move and overwrite
P: c0 = load T+0K
P: c2 = load T+8K
P: c4 = load T+16K
P: c5 = load T+20K
P: c6 = load T+24K
P: c8 = load T+32K
P: c10 = load T+40K

exists (P:r0 != P:t \/ P:r1 = -EFAULT \/ P:r1 = -EINVAL \/ P:r1 = -ENOMEM \/ P:r2 != P:t \/ P:a0 != 0x5a00 \/ P:a2 != 0x5a02 \/ P:a4 != 0x5a04 \/ P:a5 != 0x5a05 \/ P:a6 != 0x5a06 \/ P:a8 != 0x5a08 \/ P:a10 != 0x5a10 \/ P:b0 != 0x5a00 \/ P:b2 != 0x5a02 \/ P:b4 != 0x5a04 \/ P:b5 != 0x5a05 \/ P:b6 != 0x5a06 \/ P:b8 != 0x5a08 \/ P:b10 != 0x5a10 \/ P:c0 != 0x5a00 \/ P:c2 != 0x5a02 \/ P:c4 != 0x5a04 \/ P:c5 != 0x5a05 \/ P:c6 != 0x5a06 \/ P:c8 != 0x5a08 \/ P:c10 != 0x5a10)

expect 6.18 never
expect 5.19 always                   # before 6.17 a move must stay within one VMA: -EFAULT
known 6.18 forbidden "tools/testing/selftests/mm/mremap_test.c: 'mremap move multiple vmas [dontunmap]' passes"
