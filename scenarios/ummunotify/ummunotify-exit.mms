# Process exit (reference §1.9): exit_mmap calls mmu_notifier_release first; ummunotify has no ->release, so its
# notifier is simply unhooked, and the teardown of the address space that follows reports nothing. Here a child holds
# the fd the parent opened, so the file outlives the parent: after the parent exits, the child's read finds nothing,
# and the counter keeps the fork's one callback. The child's close is the last reference: release frees the counter
# page (the accounting invariant checks its reference at every step, the leak check at the end).
scenario ummunotify-exit
doc "Exit of the watched mm reports nothing; the last close frees the counter page"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 1
P: ummunotify_open U
P: ummunotify_register U A 4K 1
P: fork C
C: c0 = ummunotify_read U 1 cookie               # the fork's report
C: l0 = ummunotify_read U 1 cookie               # LAST: counter 1
P: exit
C: r = ummunotify_read_nonblock U 1
C: close U

exists (C:c0 = 1 /\ C:l0 = 1 /\ C:r = -11)
expect 6.18 always
