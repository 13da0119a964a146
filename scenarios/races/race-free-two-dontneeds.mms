# Two threads of one process run MADV_DONTNEED over the same two pages. Both hold mmap_lock for read, but
# zap_pte_range holds the page-table lock across the ptes of one table, so one zap waits for the other to
# leave the table: every pte is cleared exactly once, the pages are freed once, and the process then reads
# zero pages. (The explorer once let the second call's first step zap inside the first call's PTL section.)
scenario race-free-two-dontneeds
doc "Two MADV_DONTNEEDs of the same range take turns at the page-table lock"

process P
P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: store A+4K 0x2

thread T1 of P {
  r0 = madvise A 8K MADV_DONTNEED
}
thread T2 of P {
  r1 = madvise A 8K MADV_DONTNEED
}

P: r2 = load A
P: r3 = load A+4K

exists (T1:r0 != 0 \/ T2:r1 != 0 \/ P:r2 != 0x0 \/ P:r3 != 0x0)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
