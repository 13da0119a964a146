# The kernel's tools/testing/selftests/mm/mremap_dontunmap.c, mremap_dontunmap_partial_mapping_overwrite: five source
# pages filled with 'a', ten destination pages filled with 'X', then mremap(source, 5 pages, 5 pages,
# MREMAP_DONTUNMAP|MREMAP_MAYMOVE|MREMAP_FIXED, dest): the move lands on the destination's first five pages, which
# now hold 'a'; its last five still hold 'X'; the source reads zero.
scenario mremap-dontunmap-partial-mapping-overwrite
doc "mremap_dontunmap.c: a fixed DONTUNMAP move over part of a mapping replaces that part only"

process P
P: mmap S 20K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store S 0x61
P: store S+16K 0x61
P: mmap D 40K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store D 0x58
P: store D+16K 0x58
P: store D+20K 0x58
P: store D+36K 0x58
P: d = mremap E S 20K 20K MREMAP_DONTUNMAP|MREMAP_MAYMOVE|MREMAP_FIXED D
P: r0 = load S
P: r1 = load S+16K
P: r2 = load D
P: r3 = load D+16K
P: r4 = load D+20K
P: r5 = load D+36K

exists (P:d = -EINVAL \/ P:r0 != 0 \/ P:r1 != 0 \/ P:r2 != 0x61 \/ P:r3 != 0x61 \/ P:r4 != 0x58 \/ P:r5 != 0x58)

expect 5.7 5.8 5.9 5.11 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/mremap_dontunmap.c: 'mremap_dontunmap_partial_mapping_overwrite' passes"
