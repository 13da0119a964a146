# Andrew Morton asked what bounds ummunotify's queue (seed 004). The patch: nothing but coalescing, on purpose, so
# that no report is ever dropped. The switch ummunotify_queue tries the two designs that answer the question with a
# bound (two reports, scaled down): bounded_drop loses the report that does not fit without a trace, and the cache
# keeps a registration whose memory is gone; its next lookup hands it out (the registration-cache invariant) and the
# HCA writes into the freed page. bounded_overflow says so with an OVERFLOW event, the cache drops every entry, and
# all is well again. Three cached registrations are unmapped at once, then the memory is reallocated in place.
scenario rcache-queue-bound
doc "A bounded ummunotify queue: silently dropped reports leave a stale registration; an OVERFLOW event does not"

process P
P: rcache_init R
P: mmap A 12K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED 0x40000000
P: store A 1
P: store A+4K 1
P: store A+8K 1
P: m1 = rcache_reg M1 R A 4K
P: m2 = rcache_reg M2 R A+4K 4K
P: m3 = rcache_reg M3 R A+8K 4K
P: munmap A 12K                            # one callback, three reports: a queue of two has no room for the third
P: mmap B 12K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED 0x40000000
P: store B 2
P: store B+4K 2
P: store B+8K 2
P: x = rcache_reg M4 R B 4K                # the counter moved: drain what was queued
P: y = rcache_reg M5 R B+8K 4K             # bounded_drop: the third entry is still cached, a stale hit
P: rdma_write M5 0 0x77
P: v = load B+8K

exists (P:v != 0x77)
expect 6.18 never
expect 6.18[ummunotify_queue=bounded_drop] always
expect 6.18[ummunotify_queue=bounded_overflow] never
