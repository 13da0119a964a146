# The kernel's tools/testing/selftests/mm/mremap_dontunmap.c, mremap_dontunmap_simple_shmem: the same move of a
# shared anonymous mapping (a shmem object). From 5.13 (a4609387859f) it is allowed, and since the source VMA still
# maps the same object, the source reads the pattern too; before, MREMAP_DONTUNMAP took only private anonymous memory
# (-EINVAL, which the test skips).
scenario mremap-dontunmap-simple-shmem
doc "mremap_dontunmap.c: a shared mapping moved with DONTUNMAP still shows its data at the source (5.13+)"

process P
P: mmap S 20K PROT_READ|PROT_WRITE MAP_SHARED|MAP_ANONYMOUS
P: store S 0x61
P: store S+16K 0x61
P: d = mremap D S 20K 20K MREMAP_MAYMOVE|MREMAP_DONTUNMAP
P: r0 = load D
P: r1 = load D+16K
P: r2 = load S                               # the source still maps the shmem pages
P: r3 = load S+16K

exists (P:d = -EINVAL \/ P:r0 != 0x61 \/ P:r1 != 0x61 \/ P:r2 != 0x61 \/ P:r3 != 0x61)

expect 5.19 6.18 never
expect 5.7 5.11 always
known 6.18 forbidden "tools/testing/selftests/mm/mremap_dontunmap.c: 'mremap_dontunmap_simple_shmem' passes"
