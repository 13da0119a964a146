# The kernel's tools/testing/selftests/mm/pfnmap.c (David Hildenbrand, 2025), on the model's MMIO aperture
# (remap_pfn_range: VM_IO|VM_PFNMAP) in place of /dev/mem: madvise_disallowed (the advices the model has are all
# -EINVAL on a VM_PFNMAP VMA: madvise_dontneed_free_valid_vma, madvise_populate's check_vma_flags, WIPEONFORK's
# VM_IO|VM_PFNMAP test), fork (the child reads both pages: copy_page_range copies the raw ptes), mremap_fixed (the
# mapping moves over a reserved destination), mremap_shrink, mremap_expand (vma_to_resize: -EFAULT for VM_PFNMAP) and
# munmap_split. The bad outcome is any result the selftest would fail on.
scenario pfnmap-selftest
doc "The pfnmap selftest on a device aperture: madvise refused, fork, mremap fixed and shrink, no expand"

process P
P: mmap_device D 8K PROT_READ
P: r0 = madvise D 4K MADV_DONTNEED
P: r1 = madvise D 4K MADV_FREE
P: r2 = madvise D 4K MADV_WIPEONFORK
P: r3 = madvise D 4K MADV_POPULATE_READ
P: r4 = madvise D 4K MADV_POPULATE_WRITE
P: fork C
C: c0 = load D
C: c1 = load D+4K
P: mmap X 8K PROT_READ MAP_PRIVATE|MAP_ANONYMOUS
P: mremap Y D 8K 8K MREMAP_FIXED|MREMAP_MAYMOVE X
P: r5 = load X+4K                    # the aperture now at X
P: r6 = load D                       # nothing left at the old place
P: mremap Z X 8K 4K 0
P: r7 = load X
P: r8 = load X+4K                    # shrunk away
P: r9 = mremap W X 4K 8K MREMAP_MAYMOVE
P: r10 = munmap X 4K

exists (P:r0 != -EINVAL \/ P:r1 != -EINVAL \/ P:r2 != -EINVAL \/ P:r3 != -EINVAL \/ P:r4 != -EINVAL \/ C:c0 != -1 \/ C:c1 != -1 \/ P:r5 != -1 \/ P:r6 != SIGSEGV \/ P:r7 != -1 \/ P:r8 != SIGSEGV \/ P:r9 != -EFAULT \/ P:r10 != 0)

expect 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/pfnmap.c (2025, David Hildenbrand): madvise_disallowed, fork, mremap_fixed, mremap_shrink, mremap_expand, munmap_split pass"
