# hmm-tests.c "anon_write" (base pages): the mirror writes an anonymous buffer through HMM_DMIRROR_WRITE and the
# process reads the values back. The write fault asks hmm_range_fault for HMM_PFN_REQ_WRITE, so the untouched
# page is faulted in writable (a private anon page, not the zero page) and the mirror's entry is tagged writable.
scenario hmm-anon-write
doc "The process reads what the mirror wrote to anonymous memory"

process P
P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: dmirror_open D
P: dmirror_write D A 0x11
P: dmirror_write D A+0x1008 0x22
P: r0 = load A
P: r1 = load A+0x1008

exists (P:r0 != 0x11 \/ P:r1 != 0x22)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 forbidden

known 6.18 forbidden "kernel-mm.md §5.5: REQ_FAULT|REQ_WRITE makes hmm_range_fault fault the page in writable; hmm-tests.c anon_write passes"
