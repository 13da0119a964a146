# clear_refs (soft-dirty) against a long-term pin (kernel-mm.md §4.3, §10 B4). An RDMA/vfio/io_uring-style
# writable long-term pin, then `echo 4 > /proc/self/clear_refs` write-protects the pinned pte for
# soft-dirty tracking, then the process writes. Under the 5.9 page-count rule the write fault sees
# refcount 1 + 1024 != 1 and copies: the process now writes to a new page while the device keeps the
# pinned one. 5.11 (9348b73c2e1b) skips writable maybe-pinned ptes in clear_refs; 5.19 reuses an
# exclusive page whatever its refcount. Up to 5.8 the mapcount rule reused the page, so clear_refs was
# harmless then.
scenario b4-clear-refs-pin-desync
doc "After clear_refs 4, the process's write COWs away from its own long-term pinned page"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: pin_user_pages MR A 1 FOLL_WRITE|FOLL_LONGTERM   # refcount 1 + 1024, pte writable
P: clear_refs 4                                      # soft-dirty: write-protect every pte
P: store A 0x2                                       # the decisive write fault
P: r0 = dma_read MR                                  # what the device sees

exists (P:r0 != 0x2)

expect 5.9 allowed
expect 5.7 5.8 5.11 5.19 6.18 forbidden

known 5.7 5.8 forbidden "kernel-mm.md §4.3 step 4: before 5.9 the mapcount rule reused the page, so clear_refs was harmless"
known 5.9 allowed "kernel-mm.md §10 B4, Affected: 5.9 to 5.11-rc3; §4.3 step 3: page_count 1025 != 1, so copy"
known 5.11 5.19 6.18 forbidden "kernel-mm.md §10 B4, fixed by 9348b73c2e1b (5.11-rc4), structurally in 5.19 (exclusive means reuse)"
