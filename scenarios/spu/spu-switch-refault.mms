# spufs context switches under a process's local-store mapping (seed 000, kernel-mm.md §7.6). Two contexts, one
# physical SPU. P runs X and stores into X's local store through its mapping (the physical LS, noncached);
# Q's context Y then takes the SPU: spu_unmap_mappings zaps P's pte, X's local store is saved to its image.
# P's next load refaults to the saved image (cached); when X runs again, P's mapping is zapped once more and
# refaults to the physical LS, which X's image was restored into. P always sees X's data, never Y's.
scenario spu-switch-refault
doc "After switch-out, a local-store load reads the saved image; after switch-in, the physical LS: always its own"

process P Q
P: spu_create X
P: spu_mmap_ls L X
P: spu_run X                    # X loaded on SPU 0
P: store L 0x11                 # through a pte to the physical local store
P: store L+4K 0x12
Q: spu_create Y
Q: spu_mmap_ls M Y
Q: spu_run Y                    # X switched out (P's ptes zapped, LS saved), Y loaded
Q: store M 0x22                 # Y's data in the physical local store
P: r0 = load L                  # refault: X's saved image
P: r1 = load L+4K
P: spu_run X                    # Y out, X in: P's ptes to the image zapped
P: r2 = load L                  # refault: the physical local store again
Q: r3 = load M                  # Y's saved image

exists (P:r0 != 0x11 \/ P:r1 != 0x12 \/ P:r2 != 0x11 \/ Q:r3 != 0x22)

expect 2.6.19 2.6.23 2.6.27 4.8 6.18 forbidden
