# A program that pins its buffer long-term (an RDMA or vfio registration), then MADV_DONTNEEDs it and touches
# it again. The zap drops the process's mapping but not the pin: the device keeps the old frame, and the next
# store faults a fresh zero page in at the same address. The kernel does this by design
# (Documentation/core-api/pin_user_pages.rst: a pin holds the page, not the mapping; madvise(2): "the caller
# should not ... use MADV_DONTNEED on memory in use by ... DMA"), so the divergence is the program's doing: the
# condition names it with `diverged madvise`, and pin-coherence does not report it as a kernel bug. Pins exist
# from 5.7 in the model's profiles (4.8 and 4.9 hold plain references, which `diverged` does not follow).
scenario pinned-dontneed-touch
doc "MADV_DONTNEED under a long-term pin, then a store: the program parted the pin from the CPU"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: pin_user_pages MR A 1 FOLL_WRITE|FOLL_LONGTERM   # the registration
P: madvise A 4K MADV_DONTNEED                       # the program drops its mapping
P: store A 0x2                                      # a fresh page at the same address
P: r0 = dma_read MR                                 # what the device sees
P: r1 = load A

exists (diverged madvise /\ P:r0 = 0x1 /\ P:r1 = 0x2)

expect 5.7 5.8 5.9 5.11 5.19 6.18 always
