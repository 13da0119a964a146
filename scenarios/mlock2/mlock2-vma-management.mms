# The kernel's tools/testing/selftests/mm/mlock2-tests.c, test_vma_management (with mlock): three private anonymous
# pages, locked (one VMA), the middle one unlocked (three VMAs, the middle without "lo"), locked again (one VMA:
# mlock_fixup merges it back, vma_merge), then all unlocked (still one VMA). The model has no /proc/self/maps: a
# range is one VMA when mremap may grow it (MREMAP_MAYMOVE), and -EFAULT when it spans two; each grown mapping is
# used from its new address on. "lo" is seen through msync(MS_INVALIDATE): -EBUSY on a VM_LOCKED VMA, else 0.
scenario mlock2-vma-management
doc "mlock2-tests.c: munlock of the middle page splits the locked VMA in three, mlock merges them back"

process P
P: mmap M 12K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: r0 = mlock M 12K
P: c0 = mremap N M 12K 16K MREMAP_MAYMOVE      # get_vm_area: one VMA
P: r1 = munlock N+4K 4K
P: c1 = mremap O N 8K 12K MREMAP_MAYMOVE       # the first two pages are two VMAs
P: l1 = msync N+4K 4K MS_INVALIDATE            # the middle page is not VM_LOCKED
P: l2 = msync N+8K 4K MS_INVALIDATE            # the third is
P: r2 = mlock N+4K 4K
P: c2 = mremap Q N 16K 20K MREMAP_MAYMOVE      # one VMA again
P: r3 = munlock Q 20K
P: c3 = mremap S Q 20K 24K MREMAP_MAYMOVE      # still one

exists (P:r0 != 0 \/ P:c0 = -EFAULT \/ P:r1 != 0 \/ P:c1 != -EFAULT \/ P:l1 != 0 \/ P:l2 != -EBUSY \/ P:r2 != 0 \/ P:c2 = -EFAULT \/ P:r3 != 0 \/ P:c3 = -EFAULT)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/mlock2-tests.c: 'test_vma_management call_mlock' passes"
