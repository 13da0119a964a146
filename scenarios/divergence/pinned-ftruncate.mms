# ftruncate of a shared file page that a device pins long-term: truncate_pagecache unmaps the page from every
# mapping (unmap_mapping_range, even_cows) and drops it from the page cache, but the pin keeps the frame. After
# the file grows again the process's store faults a new page-cache page in; the device still holds the old one.
# The program truncated its own file under the pin: `diverged ftruncate`.
scenario pinned-ftruncate
doc "ftruncate under a long-term pin of a shared file page: the program parted the pin from the CPU"

process P
P: creat F tmpfs 4K
P: mmap_file A F 4K PROT_READ|PROT_WRITE MAP_SHARED
P: store A 0x1
P: pin_user_pages MR A 1 FOLL_WRITE|FOLL_LONGTERM
P: ftruncate F 0
P: ftruncate F 4K
P: store A 0x2
P: r0 = dma_read MR

exists (diverged ftruncate /\ P:r0 = 0x1)

expect 5.7 5.8 5.9 5.11 5.19 6.18 always
