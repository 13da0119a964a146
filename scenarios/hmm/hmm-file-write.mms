# hmm-tests.c "file_write" (base pages): the mirror writes a shared file mapping; the data is in the page cache,
# so pread sees it. The write fault goes through page_mkwrite on ext4 (a clean shared page is mapped read-only
# until its first write), and the mirror's entry is writable only after it.
scenario hmm-file-write
doc "The mirror's writes to a shared file mapping reach the file"

process P
P: creat F ext4 8K
P: mmap_file A F 8K PROT_READ|PROT_WRITE MAP_SHARED
P: r2 = load A                                   # the page in cache, mapped read-only (clean)
P: dmirror_open D
P: dmirror_write D A 0x11
P: dmirror_write D A+0x1008 0x22
P: r0 = pread F 0
P: r1 = pread F 0x1008

exists (P:r0 != 0x11 \/ P:r1 != 0x22)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 forbidden

known 6.18 forbidden "kernel-mm.md §5.5: a write request faults the page in writable through handle_mm_fault; hmm-tests.c file_write passes"
