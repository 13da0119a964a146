# The contrast: the same pin, but the parting comes from the kernel. The process forks (without
# MADV_DONTFORK) and the parent writes its pinned buffer: before 5.9 the write fault copies the page away from
# the pin (B3, kernel-mm.md §10), so the device and the CPU part although the program unmapped nothing. That is
# a kernel violation (pin-coherence), never a `diverged` observation; from 5.9 the pinned page is copied for
# the child at fork and the parent keeps it.
scenario pinned-cow-is-not-the-program
doc "COW breaking away from a pin is the kernel's divergence: pin-coherence, not diverged"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: pin_user_pages MR A 1 FOLL_WRITE|FOLL_LONGTERM
P: fork C
P: store A 0x2
P: r0 = dma_read MR

exists (~diverged /\ P:r0 != 0x2)

expect 5.7 5.8 always
expect 5.9 5.11 5.19 6.18 never
