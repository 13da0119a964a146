# The kernel's tools/testing/selftests/mm/mremap_dontunmap.c, mremap_dontunmap_partial_mapping: ten source pages
# filled with 'a', then mremap(source + 5 pages, 5 pages, 5 pages, MREMAP_MAYMOVE|MREMAP_DONTUNMAP, NULL): the
# destination holds 'a', the source's first five pages still do and its last five read zero (the source VMA is one
# VMA still, not split). The first and last page of each half stand for it.
scenario mremap-dontunmap-partial-mapping
doc "mremap_dontunmap.c: DONTUNMAP of part of a VMA empties that part only"

process P
P: mmap S 40K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store S 0x61
P: store S+16K 0x61
P: store S+20K 0x61
P: store S+36K 0x61
P: d = mremap D S+20K 20K 20K MREMAP_MAYMOVE|MREMAP_DONTUNMAP
P: r0 = load S
P: r1 = load S+16K
P: r2 = load S+20K                           # "final 5 pages of source should have no ptes"
P: r3 = load S+36K
P: r4 = load D
P: r5 = load D+16K
P: g = mremap G S 40K 44K MREMAP_MAYMOVE       # the source is still one VMA

exists (P:d = -EINVAL \/ P:r0 != 0x61 \/ P:r1 != 0x61 \/ P:r2 != 0 \/ P:r3 != 0 \/ P:r4 != 0x61 \/ P:r5 != 0x61 \/ P:g = -EFAULT)

expect 5.7 5.8 5.9 5.11 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/mremap_dontunmap.c: 'mremap_dontunmap_partial_mapping' passes"
