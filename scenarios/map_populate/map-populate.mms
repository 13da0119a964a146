# The kernel's tools/testing/selftests/mm/map_populate.c (Dmitry Safonov, 2018): "MAP_POPULATE | MAP_PRIVATE
# should COW VMA pages". A shared mapping of a tmpfs file holds 0xdeadbabe; after fork the child maps the file
# MAP_PRIVATE|MAP_POPULATE, read-write. populate_vma_page_range faults a private writable VMA in for writing
# (FOLL_WRITE when VM_WRITE without VM_SHARED), so the child gets its own COW copy at once: the parent's later
# store through the shared mapping does not reach it. The bad outcome is either check of the selftest failing.
scenario map-populate
doc "MAP_PRIVATE|MAP_POPULATE of a file breaks COW at once: a later write to the file does not show through"

process P
P: creat F tmpfs 4K
P: mmap_file S F 4K PROT_READ|PROT_WRITE MAP_SHARED
P: store S 0xdeadbabe
P: msync S 4K MS_SYNC
P: fork C
C: mmap_file M F 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_POPULATE
C: r0 = load M                       # "MAP_PRIVATE | MAP_POPULATE changed file"
P: store S 0x22222bad
P: msync S 4K MS_SYNC
C: r1 = load M                       # "MAP_POPULATE COW private page", "The mapping state"

exists (C:r0 != 0xdeadbabe \/ C:r1 != 0xdeadbabe)

expect 2.6.27 4.8 5.9 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/map_populate.c: both checks pass"
