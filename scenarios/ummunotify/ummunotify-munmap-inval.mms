# ummunotify (seed 004, the V2 patch of April 2010): a process registers two ranges, unmaps a page of the first, and
# reads what the device queued. The MMU notifier's invalidate_range_start reports [A+4K, A+8K) to the registration it
# overlaps; the read returns one INVAL (UMMUNOTIFY_EVENT_FLAG_HINT set, the hint clipped to the registration, the
# cookie), then LAST with the generation counter, which the process also sees through its mapping of the counter page.
# A third read finds nothing: with O_NONBLOCK it returns -EAGAIN (need_empty was cleared by the LAST).
scenario ummunotify-munmap-inval
doc "munmap of a page of a registered range: one INVAL, then a LAST; the mapped counter is 1"

process P
P: mmap A 16K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 1
P: ummunotify_open U
P: mmap_file C U 4K PROT_READ MAP_SHARED       # the generation counter page
P: ummunotify_register U A 8K 7
P: ummunotify_register U A+8K 8K 8
P: munmap A+4K 4K
P: gen = load C
P: t0 = ummunotify_read U 1 type
P: t1 = ummunotify_read U 1 type
P: again = ummunotify_read_nonblock U 1

exists (P:gen = 1 /\ P:t0 = 0 /\ P:t1 = 1 /\ P:again = -11)
expect 4.8 6.18 always
