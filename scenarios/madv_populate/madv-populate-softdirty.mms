# The kernel's tools/testing/selftests/mm/madv_populate.c (David Hildenbrand, 2021), on 2 MiB of private
# anonymous memory in base pages (the model has no THP). test_softdirty: after clear_refs 4
# no page is soft-dirty; MADV_POPULATE_READ succeeds and leaves them clean (the zero page, read-only); then
# MADV_POPULATE_WRITE succeeds and every page is soft-dirty. Needs CONFIG_MEM_SOFT_DIRTY: on in the 6.18
# profile (docs/profiles.md), off on the oracle machine, 6.18[mem_soft_dirty=off], where upstream now skips the
# soft-dirty checks (softdirty_supported()).
scenario madv-populate-softdirty
doc "MADV_POPULATE_READ leaves pages soft-clean, MADV_POPULATE_WRITE makes them soft-dirty"

process P
P: mmap A 2M PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: c = clear_refs 4
P: s0 = pagemap A soft_dirty                 # "range is not softdirty"
P: s1 = pagemap A+0x1ff000 soft_dirty
P: r0 = madvise A 2M MADV_POPULATE_READ      # "MADV_POPULATE_READ"
P: s2 = pagemap A soft_dirty                 # "range is not softdirty"
P: s3 = pagemap A+0x1ff000 soft_dirty
P: r1 = madvise A 2M MADV_POPULATE_WRITE     # "MADV_POPULATE_WRITE"
P: s4 = pagemap A soft_dirty                 # "range is softdirty"
P: s5 = pagemap A+4K soft_dirty
P: s6 = pagemap A+0x1ff000 soft_dirty

exists (P:s0 != 0 \/ P:s1 != 0 \/ P:r0 != 0 \/ P:s2 != 0 \/ P:s3 != 0 \/ P:r1 != 0 \/ P:s4 != 1 \/ P:s5 != 1 \/ P:s6 != 1)

expect 5.19 6.18 never
expect 6.18[mem_soft_dirty=off] always  # no soft-dirty: 'range is softdirty' would fail; upstream skips it there
known 6.18 forbidden "tools/testing/selftests/mm/madv_populate.c: test_softdirty, 5 results pass (asserted upstream with CONFIG_MEM_SOFT_DIRTY=y; madv_populate not run on the oracle machine)"
