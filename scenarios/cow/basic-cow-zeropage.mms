# cow selftest "Basic COW ... with shared zeropage" (tools/testing/selftests/mm/cow.c, test_cow under
# run_with_zeropage):
#   1. mem: a PROT_READ|PROT_WRITE private anonymous page; smem: a PROT_READ private anonymous page.
#   2. Read both (tmp = *mem + *smem): the read faults map the shared zero page into both, read-only.
#   3. test_cow saves smem's content (zeroes), memset(mem, 0xff), and compares smem with the saved copy.
#      The test fails if smem changed: the write to mem went into the zero page instead of a private copy.
# The write fault on mem's zero-page pte must allocate a new zero-filled anonymous page (wp_page_copy) and
# leave the zero page alone. Every profile does so: the zero page is never reused for a write.
# Oracle (6.18, §6.1 #761): ok.
scenario cow-basic-zeropage
doc "A write to a private mapping of the shared zero page must not change the zero page"

process P
P: mmap M 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS  # mem
P: mmap S 4K PROT_READ MAP_PRIVATE|MAP_ANONYMOUS             # smem
P: r1 = load M                                               # read faults map the shared zero page
P: r2 = load S
P: store M 0xff                                              # memset(mem, 0xff)
P: r0 = load S                                               # memcmp(smem, old): old is all zeroes

exists (P:r0 != 0)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 forbidden

known 6.18 forbidden "kernel-oracle.md §6.1 #761 'Basic COW ... with shared zeropage': ok in runs A, B and C"
