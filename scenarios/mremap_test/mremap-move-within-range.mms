# The kernel's tools/testing/selftests/mm/mremap_test.c (6.17+ version), mremap_move_within_range: a 20 MiB private anonymous
# mapping, zero-filled; src = (ptr + 6 MiB) rounded down to 2 MiB gets a 2 MiB pattern; the upper 1 MiB of src
# is moved with MREMAP_FIXED to the upper 1 MiB of dest = src - 2 MiB (|DDDDddddSSSSssss|). The lower 1 MiB of
# src must be intact. The mapping is placed at 0x40000000 (2 MiB-aligned, as the kernel aligns a 20 MiB anonymous
# mapping); the model keeps two words a page and has no PMD moves, so the scenario touches only the pages it
# checks.
scenario mremap-move-within-range
doc "mremap_test.c: moving the upper half of a 2 MiB block down does not corrupt the lower half"

process P
P: p = mmap M 20M PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE 0x40000000
P: store 0x40400000 0                # memset(ptr, 0, size): dest pages
P: store 0x404ff000 0
P: store 0x40500000 0
P: store 0x405ff000 0
P: store 0x40600000 0x5a00           # memcpy(src, rand_addr, 2 MiB)
P: store 0x40600008 0x5a01
P: store 0x4067f000 0x5a02
P: store 0x406ff000 0x5a03
P: store 0x40700000 0x5a04
P: store 0x407ff000 0x5a05
P: r = mremap N 0x40700000 1M 1M MREMAP_MAYMOVE|MREMAP_FIXED 0x40500000
P: c0 = load 0x40600000              # the src bytes that did not move
P: c1 = load 0x40600008
P: c2 = load 0x4067f000
P: c3 = load 0x406ff000

exists (P:p != 0x40000000 \/ P:r != 0x40500000 \/ P:c0 != 0x5a00 \/ P:c1 != 0x5a01 \/ P:c2 != 0x5a02 \/ P:c3 != 0x5a03)

expect 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/mremap_test.c: 'mremap mremap move within range' passes"
