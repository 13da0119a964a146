# Two threads of P store to their own pages while a third thread forks. Race-free under every kernel:
# copy_process() → dup_mmap() holds mmap_write_lock(oldmm), and copy_present_pte() write-protects each shared
# anon pte (ptep_set_wrprotect) under the PTL. A store that reaches a pte before fork write-protects it goes
# into the page fork shares, so the child may see it too; one that comes after faults, and the fault waits in
# do_user_addr_fault() for mmap_lock until dup_mmap() is done; then do_wp_page() gives the parent a copy or
# reuses the page (by mapcount before 5.9, by page_count in 5.9, by PageAnonExclusive from 5.19), and in
# every case the store lands in the page the parent maps. So the parent ends with exactly what it stored, each
# thread reads back its own store, and the child sees, per page, the value from before the group or the one
# stored during it, never anything else.
#
# The child's view is read with [C:ADDR] terms, not loads: the isolation invariant dates the separation at
# fork's start (the mm's fork time is taken when copy_process begins), so a child load of a store that
# reached the page before fork write-protected its pte would be reported as a leak, though Linux allows it.
scenario race-free-fork-vs-stores
doc "Stores by two threads race a third thread's fork: the parent keeps its stores, the child sees old or new"

process P
P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: store A+4K 0x2

thread S1 of P {
  store A 0x11
  r0 = load A
}
thread S2 of P {
  store A+4K 0x22
  r0 = load A+4K
}
thread P {
  fork C
}

exists (S1:r0 != 0x11 \/ S2:r0 != 0x22 \/ [P:A] != 0x11 \/ [P:A+4K] != 0x22 \/ ([C:A] != 0x1 /\ [C:A] != 0x11) \/ ([C:A+4K] != 0x2 /\ [C:A+4K] != 0x22))

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
