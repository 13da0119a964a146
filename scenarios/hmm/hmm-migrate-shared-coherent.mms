# hmm-tests.c migrate_shared, device-coherent variant: a MAP_SHARED|MAP_ANONYMOUS mapping is shmem, not anonymous
# memory, so migrate_vma_collect leaves its holes alone ("Only allow populating anonymous memory"); nothing reaches
# the mirror, and dmirror_do_read fails the ioctl with -ENOENT. The pages written before stay in system RAM too:
# migrate_vma_pages refuses page-cache pages ("only support anonymous memory migrating to device private or coherent").
scenario hmm-migrate-shared-coherent
doc "hmm-tests.c migrate_shared (coherent): shared anonymous memory is not migrated: -ENOENT"

process P
P: mmap A 8K PROT_READ|PROT_WRITE MAP_SHARED|MAP_ANONYMOUS
P: dmirror_open D 2
P: m = dmirror_migrate D A 2         # untouched: two shmem holes
P: store A 0x20
P: m2 = dmirror_migrate D A 1        # a present shmem page
P: s = dmirror_snapshot D A 2        # not faulted in: page 0 writable in RAM, page 1 still a hole
P: c = load A

exists (P:m != -ENOENT \/ P:m2 != -ENOENT \/ P:s != 0x0002 \/ P:c != 0x20)

expect 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/hmm-tests.c: hmm.migrate_shared asserts -ENOENT"
