# clear_refs (soft-dirty) against a pinned RDMA MR (kernel-mm.md §10 B4, §4.3; scenarios/history/
# b4-clear-refs-pin-desync.mms with the real driver). echo 4 > clear_refs write-protects the pinned pte; the
# process's next write faults. Under the 5.9 page-count rule refcount 1 + 1024 != 1 and the fault copies: the
# process writes a new frame, the HCA keeps the pinned one. 5.11 skips writable maybe-pinned ptes in clear_refs,
# 5.19 reuses an exclusive page whatever its refcount; up to 5.8 the mapcount rule reused the page (4.8 and 4.9
# hold a plain reference from get_user_pages, and reuse too).
scenario rdma-pinned-clear-refs
doc "After clear_refs 4, the process's write COWs away from its pinned MR under 5.9"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: rdma_reg_mr MR A 4K pinned                    # refcount 1 + 1024, pte writable
P: clear_refs 4                                  # soft-dirty: write-protect every pte
P: store A 0x2                                   # the decisive write fault
P: r0 = rdma_read MR 0                           # what the HCA sends

exists (P:r0 != 0x2)

expect 5.9 allowed
expect 4.8 4.9 5.7 5.8 5.11 5.19 6.18 forbidden

known 4.8 4.9 5.7 5.8 forbidden "kernel-mm.md §4.3 step 4: before 5.9 the mapcount rule reused the page, so clear_refs was harmless"
known 5.9 allowed "kernel-mm.md §10 B4, Affected: 5.9 to 5.11-rc3; §4.3 step 3: page_count 1025 != 1, so copy"
known 5.11 5.19 6.18 forbidden "kernel-mm.md §10 B4, fixed by 9348b73c2e1b (5.11-rc4), structurally in 5.19 (exclusive means reuse)"
