# Andrew Morton's review asked what the counter promises. The documented fast path: if the mapped counter equals the
# counter of the last LAST event read, nothing was queued since, and read() can be skipped. Unregistering a range with
# a queued report discards the report but not the increment it caused, and no read can ever produce a new LAST (the
# list is empty and need_empty is 0): the fast path then sees "changed" until some later event cycle, and a read
# returns -EAGAIN (reference §1.7). Open MPI's consumer treats EAGAIN as done and takes the slow path every time.
scenario ummunotify-unregister-keeps-counter
doc "An unregistered range's queued report is lost, its increment is not: no LAST matches the counter until the next report is read"

process P
P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: ummunotify_open U
P: mmap_file C U 4K PROT_READ MAP_SHARED
P: ummunotify_register U A 4K 1
P: munmap A 4K
P: ummunotify_unregister U 1
P: gen = load C
P: r = ummunotify_read_nonblock U 1

exists (P:gen = 1 /\ P:r = -11)
expect 6.18 always
