# The kernel's tools/testing/selftests/mm/mremap_dontunmap.c, mremap_dontunmap_simple: five private anonymous pages
# filled with a pattern, then mremap(source, 5 pages, 5 pages, MREMAP_MAYMOVE|MREMAP_DONTUNMAP, NULL) (5.7): the
# destination holds the pattern, and the source, still mapped, reads as zero (its ptes moved away, a fresh zero page
# faults in). The model's pages hold two words each; the first and last page stand for the five.
scenario mremap-dontunmap-simple
doc "mremap_dontunmap.c: the pages move, the source stays mapped and reads zero"

process P
P: mmap S 20K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store S 0x61
P: store S+16K 0x61
P: d = mremap D S 20K 20K MREMAP_MAYMOVE|MREMAP_DONTUNMAP
P: r0 = load D
P: r1 = load D+16K
P: r2 = load S                               # check_region_contains_byte(source, 0)
P: r3 = load S+16K

exists (P:d = -EINVAL \/ P:r0 != 0x61 \/ P:r1 != 0x61 \/ P:r2 != 0 \/ P:r3 != 0)

expect 5.7 5.8 5.9 5.11 5.19 6.18 never
expect 4.9 always
known 6.18 forbidden "tools/testing/selftests/mm/mremap_dontunmap.c: 'mremap_dontunmap_simple' passes"
