# Where pinning meets device memory: a page an RDMA-style long-term pin holds (pin_user_pages(FOLL_LONGTERM)) has a
# reference its mappings do not explain, so migrate_vma_check_page leaves it in system RAM; the mirror then lacks it
# and the migration fails with -ENOENT, while the unpinned page beside it moves. Once unpinned, it moves too.
scenario hmm-migrate-pinned-coherent
doc "A long-term pinned page does not migrate to device memory until it is unpinned"

process P
P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x90
P: store A+4K 0x91
P: g = pin_user_pages H A 1 FOLL_WRITE|FOLL_LONGTERM
P: dmirror_open D 2
P: m = dmirror_migrate D A 2
P: s = dmirror_snapshot D A 2        # page 0 stays in system RAM, page 1 moved
P: dma_write H 0x99                  # the pinned page is still the one the CPU maps
P: c0 = load A
P: unpin_user_pages H
P: m2 = dmirror_migrate D A 2
P: s2 = dmirror_snapshot D A 2

exists (P:g != 1 \/ P:m != -ENOENT \/ P:s != 0x4202 \/ P:c0 != 0x99 \/ P:m2 != 2 \/ P:s2 != 0x4242)

expect 6.18 never
