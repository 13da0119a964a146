# fork write-protects the parent's COW memory (copy_page_range: private, may be written, with an anon_vma), and
# tells the MMU notifiers first: every registration over such memory gets an INVAL (reference §1.4), the classic
# RDMA-after-fork hazard an MPI registration cache must handle. The child inherits the fd, and the file stays bound to the parent's mm: the child's
# munmap of the same addresses is another mm's and reports nothing, while the parent's does, and the child reads it.
scenario ummunotify-fork
doc "fork reports the parent's COW ranges; the inherited fd watches the parent's mm, not the child's"

process P
P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 1
P: ummunotify_open U
P: ummunotify_register U A 4K 1
P: ummunotify_register U A+4K 4K 2
P: fork C
P: c0 = ummunotify_read U 1 cookie               # 1: copy_page_range's invalidation of the whole VMA
P: c1 = ummunotify_read U 1 cookie               # 2
P: l = ummunotify_read U 1 type                  # LAST
C: munmap A 8K
C: r = ummunotify_read_nonblock U 1              # the child's mm is not watched
P: munmap A+4K 4K
C: c2 = ummunotify_read U 1 cookie               # the parent's munmap, read through the child's fd

exists (P:c0 = 1 /\ P:c1 = 2 /\ P:l = 1 /\ C:r = -11 /\ C:c2 = 2)
expect 6.18 always
