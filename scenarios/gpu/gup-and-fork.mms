# A device mapping of a VRAM buffer object: get_user_pages refuses it (VM_IO|VM_PFNMAP: -EFAULT), and fork copies
# its special ptes (copy_page_range copies VM_PFNMAP ranges instead of leaving them to fault), so the child reads the
# same VRAM word without a fault.
scenario gpu-gup-and-fork
doc "GUP of a BO mapping fails with -EFAULT; fork copies its special ptes and the child reads the VRAM word"

memory normal=1M
process P
P: gpu_create X 1 vram
P: gpu_write X 0 0x77
P: gpu_mmap A X 4K
P: r0 = load A
P: r1 = get_user_pages G A 1
P: fork C
C: r2 = load A

exists (P:r1 != -EFAULT \/ C:r2 != 0x77 \/ P:r0 != 0x77)

expect 2.6.19 2.6.23 2.6.27 6.18 forbidden
