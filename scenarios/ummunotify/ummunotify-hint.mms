# What an INVAL says about the range (ummunotify_handle_notify, ummunotify_read): with one invalidation since the
# report was queued, the hint is the invalidated range clipped to the registration, flagged HINT; a second
# invalidation before the read clears HINT, and the event then names the whole registered range. The counter counts
# callbacks, not reports: two here.
scenario ummunotify-hint
doc "An exact hint is clipped to the registration; a second invalidation before the read makes it the whole range"

process P
P: mmap A 32K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED 0x10000000
P: store A+12K 1                                 # mprotect reports only where there are page tables
P: ummunotify_open U
P: mmap_file C U 4K PROT_READ MAP_SHARED
P: ummunotify_register U A+4K 16K 1             # [A+4K, A+20K)
P: munmap A 8K                                   # [A, A+8K) overlaps it
P: s1 = ummunotify_read U 1 hint_start           # A+4K, 0x10001000: clipped to the registration
P: l1 = ummunotify_read U 1 cookie               # LAST: the counter, 1
P: munmap A+8K 4K                                # queued again, with an exact hint
P: munmap A+24K 4K                               # past the registration: nothing
P: mprotect A+12K 4K PROT_READ                   # a second invalidation before the read: the hint goes
P: f2 = ummunotify_read U 1 flags                # 0: no HINT, the event names the whole registration
P: gen = load C

exists (P:s1 = 0x10001000 /\ P:l1 = 1 /\ P:f2 = 0 /\ P:gen = 3)
expect 6.18 always
