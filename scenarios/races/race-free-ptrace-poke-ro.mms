# A debugger (another process) pokes a word into a read-only private anon page of P with PTRACE_POKEDATA
# while a thread of P loads the word twice and another thread zaps a different page with MADV_DONTNEED.
# Race-free under every kernel: ptrace_access_vm() → __access_remote_vm() runs get_user_pages_remote(
# FOLL_FORCE|FOLL_WRITE) under mmap_read_lock. A is exclusive (no fork). Up to 5.19 the read-only pte sends
# it to faultin_page(), do_wp_page() reuses A in place (wp_page_reuse: dirty, still read-only) and the retry
# takes it, in 4.8 by dropping FOLL_WRITE, from 4.9 by FOLL_COW on the dirty pte (19be0eaffa3a); from 6.0
# can_follow_write_pte() takes the read-only pte of an exclusive anon page at once (5535be309971). Dirty COW
# needs a zap of that very page between the fault and the retry; here MADV_DONTNEED zaps A+4K only, so every
# kernel writes into the page P maps: the loads see the old word then, once they see the new one, the new one
# again; P ends with the poked word in A and zero in A+4K.
scenario race-free-ptrace-poke-ro
doc "PTRACE_POKEDATA into a read-only private anon page races loads of it and MADV_DONTNEED of another page"

process P Q
P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: store A+4K 0x2
P: mprotect A 4K PROT_READ           # the VMA keeps VM_MAYWRITE, so FOLL_FORCE may write

thread W of Q {
  r0 = ptrace_poke P A 0x99
}
thread L of P {
  r0 = load A
  r1 = load A
}
thread D of P {
  madvise A+4K 4K MADV_DONTNEED
}

exists (W:r0 != 0 \/ (L:r0 != 0x1 /\ L:r0 != 0x99) \/ (L:r0 = 0x99 /\ L:r1 != 0x99) \/ (L:r1 != 0x1 /\ L:r1 != 0x99) \/ [P:A] != 0x99 \/ [P:A+4K] != 0)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
