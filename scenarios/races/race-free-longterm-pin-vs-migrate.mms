# An RDMA-style long-term pin (pin_user_pages(FOLL_WRITE|FOLL_LONGTERM)) races a migration of the same page to
# device-coherent memory. Pinned first, the page has a reference its mapping does not explain and stays in system RAM
# (migrate_vma_check_page; the migration reports it missing, -ENOENT); migrated first, the pin finds device memory,
# which is never long-term pinnable, and moves the page back to RAM before pinning it (migrate_device_coherent_folio).
# Either way the pin holds the page the process maps, so a DMA write through it is what the process then loads.
scenario race-free-longterm-pin-vs-migrate
doc "A long-term pin racing a migration to device memory always ends on the page the process maps"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: dmirror_open D 2

thread T1 of P {
  g = pin_user_pages H A 1 FOLL_WRITE|FOLL_LONGTERM
}
thread T2 of P {
  m = dmirror_migrate D A
}

P: dma_write H 0x77
P: c = load A
P: unpin_user_pages H

exists (T1:g != 1 \/ (T2:m != 1 /\ T2:m != -ENOENT) \/ P:c != 0x77)

expect 6.18 never
