# hmm-tests.c anon_write_child with migrate = 1, device-coherent variant, on 2 pages: the parent fills a private
# anonymous mapping, migrates it to device memory and forks; the child reads the parent's values from the shared
# device pages, opens its own mirror (hmm_dmirror0) and writes through it: hmm_range_fault's write fault breaks COW in
# the child alone. The parent's buffer must not change.
scenario hmm-anon-write-child-migrated-coherent
doc "hmm-tests.c anon_write_child, migrate = 1 (coherent): a device write in a forked child after migration"

process P
P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x30
P: store A+4K 0x31
P: dmirror_open D 2
P: m = dmirror_migrate D A 2
P: fork C
C: k0 = load A
C: k1 = load A+4K
C: dmirror_open E
C: w0 = dmirror_write E A 0x40
C: w1 = dmirror_write E A+4K 0x41
C: exit
P: p0 = load A
P: p1 = load A+4K

exists (P:m != 2 \/ C:k0 != 0x30 \/ C:k1 != 0x31 \/ C:w0 != 0 \/ C:w1 != 0 \/ P:p0 != 0x30 \/ P:p1 != 0x31)

expect 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/hmm-tests.c: hmm.anon_write_child (hmm_device_coherent, migrate = 1) passes"
