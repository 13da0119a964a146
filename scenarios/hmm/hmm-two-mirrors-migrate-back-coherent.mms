# What the explorer found in lib/test_hmm.c's design: two mirrors of one device (two opens of hmm_dmirror2) follow the
# same process. Mirror D migrates a page to the device and E reads it, so E's table maps the device page. Then D
# migrates the page back to system RAM. The migration's invalidation is MMU_NOTIFY_MIGRATE with the device as its
# owner, which dmirror_interval_invalidate ignores ("the invalidation is handled as part of the migration process"),
# and dmirror_devmem_fault_alloc_and_copy erases the entry of the mirror that migrates, D's, only. E keeps mapping
# the device page, which went back to the device's free list: a later CPU store does not reach E, and E reads a freed
# page (device-coherence). The selftests never open two mirrors of one device on one process, so nothing catches it.
scenario hmm-two-mirrors-migrate-back-coherent
doc "Two mirrors of one device: migrating a page back to RAM leaves the other mirror mapping the freed device page"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: dmirror_open D 2
P: dmirror_open E 2
P: m = dmirror_migrate D A
P: e0 = dmirror_read E A             # E's table now maps the device page
P: b = dmirror_migrate_sys D A       # D's entry erased, E's left
P: store A 0x2
P: e1 = dmirror_read E A             # through E's stale entry: the freed device page

exists (P:e1 != 0x2 \/ violated device-coherence)

expect 6.18 always
