# The kernel's tools/testing/selftests/mm/mremap_dontunmap.c, mremap_dontunmap_simple_fixed: a destination mapped and
# filled with 'X', a source mapped and filled with 'a', then mremap(source, 5 pages, 5 pages,
# MREMAP_DONTUNMAP|MREMAP_MAYMOVE|MREMAP_FIXED, dest): the destination now holds 'a', the source reads zero.
scenario mremap-dontunmap-simple-fixed
doc "mremap_dontunmap.c: a fixed DONTUNMAP move replaces the destination and empties the source"

process P
P: mmap D 20K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store D 0x58
P: store D+16K 0x58
P: mmap S 20K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store S 0x61
P: store S+16K 0x61
P: d = mremap E S 20K 20K MREMAP_DONTUNMAP|MREMAP_MAYMOVE|MREMAP_FIXED D
P: r0 = load D
P: r1 = load D+16K
P: r2 = load S
P: r3 = load S+16K

exists (P:d = -EINVAL \/ P:r0 != 0x61 \/ P:r1 != 0x61 \/ P:r2 != 0 \/ P:r3 != 0)

expect 5.7 5.8 5.9 5.11 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/mremap_dontunmap.c: 'mremap_dontunmap_simple_fixed' passes"
