# hmm-tests.c "anon_read" (tools/testing/selftests/mm/hmm-tests.c, base pages): the process writes an anonymous
# buffer, the mirror reads it through HMM_DMIRROR_READ. The mirror has no entry, so dmirror_fault runs the HMM loop
# (kernel-mm.md §5.5): hmm_range_fault maps the frame the CPU maps, without a reference, and the read goes
# through the mirror's entry. The device sees exactly what the process wrote, under every kernel.
scenario hmm-anon-read
doc "The mirror reads what the process wrote to anonymous memory"

process P
P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x11
P: store A+8 0x12
P: store A+4K 0x21
P: dmirror_open D
P: r0 = dmirror_read D A
P: r1 = dmirror_read D A+8
P: r2 = dmirror_read D A+4K

exists (P:r0 != 0x11 \/ P:r1 != 0x12 \/ P:r2 != 0x21)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 forbidden

known 6.18 forbidden "kernel-mm.md §5.5: hmm_range_fault snapshots the PFNs the CPU page tables map; hmm-tests.c anon_read passes"
