# Not a selftest port: pages migrated to device-coherent memory go through most of what the model knows, one after
# another, with every invariant checked after each step and every frame, device pages included, free at the end. The
# pagemap shows page 0 present and exclusive, and clear_refs clears its soft-dirty bit. Page 0 is written again
# (reused in place, exclusive); page 1 made read-only and poked by ptrace (FOLL_FORCE into an exclusive anonymous
# page: written in place, still device memory); page 2 spliced into a pipe (a reference the mapping does not explain);
# page 3 lazily freed; page 4 zapped; page 5, a hole when migrated, mlocked; page 6 registered as an io_uring fixed
# buffer and page 7 as a pinned RDMA region (long-term pins: both move back to system RAM first). After a fork, the
# child reads and writes; the snapshot then shows where each page is; the device's pages move back (all but the zapped
# page and the two pinned ones, which are in RAM already); the pipe still holds the old device page's value; and
# migrating the range again stops at the pinned pages (-ENOENT).
scenario hmm-coherent-pages-everywhere
doc "Device-coherent pages through pagemap, clear_refs, ptrace, vmsplice, MADV_FREE/DONTNEED, mlock, io_uring, RDMA, fork"

process P
P: mmap A 32K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: store A+4K 0x2
P: store A+8K 0x3
P: store A+12K 0x4
P: store A+16K 0x5
P: dmirror_open D 2
P: m = dmirror_migrate D A 8
P: pp = pagemap A present            # a present pte, exclusive, soft-dirty until clear_refs
P: px = pagemap A exclusive
P: clear_refs 4
P: ps = pagemap A soft_dirty
P: store A 0x11
P: mprotect A+4K 4K PROT_READ
P: x = ptrace_poke P A+4K 0x22
P: pipe Q
P: v = vmsplice Q A+8K 4K
P: madvise A+12K 4K MADV_FREE
P: madvise A+16K 4K MADV_DONTNEED
P: mlock A+20K 4K
P: io_uring_setup R
P: u = io_uring_register_buffers R A+24K 4K
P: rdma_reg_mr M A+28K 4K pinned
P: w = rdma_write M 0 0x77
P: fork C
C: c0 = load A
C: c1 = load A+4K
C: store A+20K 0x66
C: exit
P: s = dmirror_snapshot D A 7        # 0x41 x4 (read-only since the fork), 0x00 zapped, 0x41, 0x02 (pinned, in RAM)
P: back = dmirror_migrate_sys D A 8
P: again = dmirror_migrate D A 8
P: r = read Q
P: l0 = load A
P: l1 = load A+4K
P: l5 = load A+20K
P: l7 = load A+28K
P: io_uring_unregister_buffers R
P: rdma_dereg_mr M

exists (P:m != 8 \/ P:pp != 1 \/ P:px != 1 \/ P:ps != 0 \/ P:x != 0 \/ P:v != 0x1000 \/ P:u != 0 \/ P:w != 0 \/ C:c0 != 0x11 \/ C:c1 != 0x22 \/ P:s != 0x02410041414141 \/ P:back != 5 \/ P:again != -ENOENT \/ P:r != 0x3 \/ P:l0 != 0x11 \/ P:l1 != 0x22 \/ P:l5 != 0x0 \/ P:l7 != 0x77)

expect 6.18 never
