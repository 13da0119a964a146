# The kernel's tools/testing/selftests/mm/mremap_dontunmap.c, mremap_dontunmap_simple_shmem: a memfd of five pages
# mapped MAP_SHARED and filled with 'a', then moved with MREMAP_MAYMOVE|MREMAP_DONTUNMAP. From 5.13 (a4609387859f) a
# shared mapping may be moved so, and since the source VMA still maps the same file, the source reads the pattern too;
# before, MREMAP_DONTUNMAP took only private anonymous memory (-EINVAL, which the test reports as a skip).
scenario mremap-dontunmap-simple-shmem
doc "mremap_dontunmap.c: a shared mapping moved with DONTUNMAP still shows its data at the source (5.13+)"

process P
P: memfd_create F 20K
P: mmap_file S F 20K PROT_READ|PROT_WRITE MAP_SHARED
P: store S 0x61
P: store S+16K 0x61
P: d = mremap D S 20K 20K MREMAP_MAYMOVE|MREMAP_DONTUNMAP
P: r0 = load D
P: r1 = load D+16K
P: r2 = load S                               # the source still maps the file's pages
P: r3 = load S+16K

exists (P:d = -EINVAL \/ P:r0 != 0x61 \/ P:r1 != 0x61 \/ P:r2 != 0x61 \/ P:r3 != 0x61)

expect 5.19 6.18 never
expect 5.7 5.11 always
known 6.18 forbidden "tools/testing/selftests/mm/mremap_dontunmap.c: 'mremap_dontunmap_simple_shmem' passes"
