# mkdirty selftest "PTRACE write access" (tools/testing/selftests/mm/mkdirty.c, test_ptrace_write, then
# do_test_write_sigsegv):
#   1. mmap one page PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS; a read faults in the shared zero page (the test
#      fails "Memory not zero" otherwise).
#   2. write() through /proc/self/mem (FOLL_FORCE|FOLL_WRITE): GUP unshares the zero page into a fresh
#      anonymous page, which the fault may map dirty, in a VMA without VM_WRITE. The test then reads the
#      value back.
#   3. A user store must raise SIGSEGV and leave the page unchanged: setting the dirty bit must never also
#      make the pte writable.
# The bad outcome is any step going wrong: the write not returning its length, the value not readable, the
# store not faulting, or the word changed. No profile maps the forced COW copy writable: before 6.0 the copy
# is mapped R/O and dirty and GUP follows it through FOLL_COW (in 4.8 by dropping FOLL_WRITE, the Dirty COW
# path, harmless without a racing MADV_DONTNEED; kernel-mm.md §3.3); 6.0 accepts it as an exclusive
# anonymous page. maybe_mkwrite never sets the write bit without VM_WRITE.
# mmsim writes a 64-bit word where the selftest writes one byte.
# Oracle (6.18, §6.3 #1, §4.5): "SIGSEGV generated, page not modified", ok in runs A, B and C.
scenario mkdirty-ptrace-write
doc "A write through /proc/self/mem into a read-only private page must not make it writable"

process P
P: mmap A 4K PROT_READ MAP_PRIVATE|MAP_ANONYMOUS
P: r1 = load A                       # fault in the shared zero page
P: r0 = proc_mem_write P A 0x58      # lseek + write to /proc/self/mem: FOLL_FORCE unshares the zero page
P: r2 = load A                       # the ptrace write is visible
P: r3 = store A 0x59                 # *mem = orig + 1 must raise SIGSEGV
P: r4 = load A                       # and leave the page unchanged

exists (P:r1 != 0 \/ P:r0 != 8 \/ P:r2 != 0x58 \/ P:r3 != SIGSEGV \/ P:r4 != 0x58)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 forbidden

known 6.18 forbidden "kernel-oracle.md §6.3 #1 'PTRACE write access': ok (SIGSEGV generated, page not modified) in runs A, B and C"
