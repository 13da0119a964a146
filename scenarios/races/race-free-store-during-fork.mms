# A thread of P stores to a page while P forks. If the store reaches the pte before fork's copy_present_pte
# write-protects it, the page is still the parent's and the child inherits the new value; if it comes after,
# it faults, waits for fork's mmap_lock and COWs away. Either way the child sees 0x1 or 0x11, never anything
# else, and seeing 0x11 is no leak: the store came before fork had separated the two address spaces
# (dup_mmap had not finished). The isolation invariant must agree (it once dated the separation at the start
# of copy_process and flagged this interleaving).
scenario race-free-store-during-fork
doc "A store racing fork: the child sees the old or the new value, and neither is a leak"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1

thread S of P {
  store A 0x11
}
thread P {
  fork C
}

C: r0 = load A
P: r1 = load A

exists (C:r0 != 0x1 /\ C:r0 != 0x11 \/ P:r1 != 0x11)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
