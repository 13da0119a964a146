# spufs_ps_fault sleeps in spufs_wait with mmap_lock dropped ("we don't want to wait with the mmap_lock held";
# kernel-mm.md §7.6): while a thread of P waits for its saved context X to be loaded, another thread of P may
# unmap the problem-state mapping. Once X runs, the sleeper takes mmap_lock again and returns VM_FAULT_NOPAGE
# without mapping anything, "because the mappings may have changed": its load faults again and finds no VMA, so
# it gets SIGSEGV in every interleaving (X is loaded only after the munmap). Were the lock held across the
# sleep, the munmap would wait for it and the run that wakes it would never come: a deadlock.
scenario spu-ps-wait-munmap
doc "A problem-state fault asleep for its context holds no mmap_lock: munmap proceeds and the load refaults"

process P Q
P: spu_create X
P: spu_mmap_ps S X
Q: spu_create Y
Q: spu_run Y                         # Y holds the SPU; X is saved

thread A of P {
  r0 = load S                        # sleeps in spufs_wait, mmap_lock dropped
}
thread B of P {
  r1 = munmap S 4K                   # needs mmap_lock for write
  spu_run X                          # X in: wakes A, whose refault finds no VMA
}

exists (A:r0 = SIGSEGV)

expect 2.6.23 2.6.27 4.8 5.11 6.18 always
