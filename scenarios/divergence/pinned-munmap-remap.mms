# munmap under a long-term pin, then a new mapping at the same address (a registration cache that missed the
# munmap: the reason ummunotify and ODP exist). The pin keeps the old frame for the device; the process's new
# mapping gets a fresh one. By the program's doing: `diverged munmap`, not a pin-coherence violation. Had the
# program not unmapped, nothing would part them, which the second condition below shows: a divergence with
# another cause never appears.
scenario pinned-munmap-remap
doc "munmap and mmap again under a long-term pin: the program parted the pin from the CPU"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: pin_user_pages MR A 1 FOLL_WRITE|FOLL_LONGTERM
P: munmap A 4K
P: mmap B 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED A
P: store B 0x2
P: r0 = dma_read MR

exists (diverged munmap /\ ~diverged madvise /\ ~diverged mremap /\ P:r0 = 0x1)

expect 5.7 5.8 5.9 5.11 5.19 6.18 always
