# The kernel's tools/testing/selftests/mm/mremap_test.c (6.17+ version), mremap_move_1mb_from_start: get_source_mapping() with a
# 1.25 MiB "alignment" and a 6 MiB size gives src = 0x2e40000 and dest = 0x3840000 (MAP_SHARED|MAP_ANONYMOUS,
# MAP_FIXED_NOREPLACE, the first such addresses above mmap_min_addr + 40 MiB); src gets a 2 MiB pattern; the
# first 1 MiB of dest is unmapped (so that a PMD-aligned-down destination lands on no mapping); then the second
# MiB of src moves to dest + 1 MiB with MREMAP_FIXED. The first MiB of src must be intact.
scenario mremap-move-1mb-from-start
doc "mremap_test.c: a move whose aligned-down range falls on nothing does not destroy the source's start"

process P
P: s = mmap S 6M PROT_READ|PROT_WRITE MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE 0x2e40000
P: d = mmap D 6M PROT_READ|PROT_WRITE MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE 0x3840000
P: store S 0x5a00                    # memcpy(src, rand_addr, 2 MiB)
P: store S+0x80000 0x5a01
P: store S+0xff000 0x5a02
P: store S+0x100000 0x5a03
P: store S+0x1ff000 0x5a04
P: u = munmap D 1M
P: r = mremap N S+1M 1M 1M MREMAP_MAYMOVE|MREMAP_FIXED D+1M
P: c0 = load S
P: c1 = load S+0x80000
P: c2 = load S+0xff000

exists (P:s != 0x2e40000 \/ P:d != 0x3840000 \/ P:u != 0 \/ P:r != 0x3940000 \/ P:c0 != 0x5a00 \/ P:c1 != 0x5a01 \/ P:c2 != 0x5a02)

expect 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/mremap_test.c: 'mremap move 1mb from start at 1MB+256KB aligned src' passes"
