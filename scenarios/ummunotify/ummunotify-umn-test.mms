# A port of the patch's own test, Documentation/ummunotify/umn-test.c (V2, April 2010; reference/ummunotify-and-
# rcache.md §1.13): open, exchange features (0), map the counter (0); map three pages populated and register them
# with cookie 123; unmap the middle page: the counter is 1, the first event is INVAL of 123 with HINT and exactly the
# middle page, the next LAST; then unregister 123 and unmap the first page: the counter stays 1.
scenario ummunotify-umn-test
doc "umn-test.c: one munmap of the middle of a registration, read an event at a time, then unregister"

process P
P: ummunotify_open U
P: f = ummunotify_features U 0
P: mmap_file C U 4K PROT_READ MAP_SHARED
P: c0 = load C
P: mmap A 12K PROT_READ MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE|MAP_FIXED 0x20000000
P: ummunotify_register U A 12K 123
P: munmap A+4K 4K
P: c1 = load C
P: t0 = ummunotify_read_nonblock U 1 type
P: t1 = ummunotify_read_nonblock U 1 type
P: ummunotify_unregister U 123
P: munmap A 4K
P: c2 = load C

exists (P:f = 0 /\ P:c0 = 0 /\ P:c1 = 1 /\ P:t0 = 0 /\ P:t1 = 1 /\ P:c2 = 1)
expect 6.18 always
