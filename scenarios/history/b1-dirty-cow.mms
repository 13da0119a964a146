# Dirty COW (CVE-2016-5195; kernel-mm.md §10 B1). A process maps a file it may only read, PROT_READ and
# MAP_PRIVATE, and writes to the mapping through /proc/self/mem: GUP with FOLL_FORCE|FOLL_WRITE must break
# COW and write a private anonymous copy. While it does, a second thread keeps calling
# madvise(MADV_DONTNEED) on the mapping.
#
# Up to 4.8, after the write fault that broke COW, faultin_page() dropped FOLL_WRITE so the retry would
# accept the read-only pte of the copy. If MADV_DONTNEED zaps the copy between the fault and the retry,
# the retry (now a read lookup) faults the page-cache page in read-only and follow_page_pte() hands it back:
# the "private" write lands in the page cache, and the file changes for everyone.
# 4.9 (19be0eaffa3a) keeps FOLL_WRITE and sets FOLL_COW, accepting a read-only pte only if it is dirty (the
# copy we made); a zapped copy is faulted again and copied again. 6.0 (5535be309971) accepts it only if the
# page is an exclusive anon page. Both close the window.
scenario b1-dirty-cow
doc "A /proc/self/mem write to a read-only private file mapping races MADV_DONTNEED into the page cache"

process P
P: creat F ext4 4K
P: pwrite F 0 0x1                    # the file's contents, which only root may change
P: fsync F
P: open RO F O_RDONLY
P: mmap_file A RO 4K PROT_READ MAP_PRIVATE
P: r2 = load A                       # the page-cache page is mapped read-only: ref 2, map 1

thread W of P {
  r0 = proc_mem_write P A 0x666      # write(open("/proc/self/mem"), ...) at A: FOLL_FORCE|FOLL_WRITE
}
thread D of P {
  madvise A 4K MADV_DONTNEED         # the racing thread: drop the private copy
}

P: r1 = pread F 0                    # what the file holds now

exists (P:r1 != 0x1)

expect 4.8 sometimes
expect 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never

known 4.8 allowed "kernel-mm.md §10 B1: Dirty COW, present from 2.6.22 until 19be0eaffa3a (4.9-rc2, backported to 4.8.3)"
known 4.9 forbidden "kernel-mm.md §10 B1, fixed by FOLL_COW (19be0eaffa3a)"
known 6.18 forbidden "kernel-mm.md §10 B1; FOLL_COW replaced by the anon-exclusive check in 5535be309971 (6.0)"
