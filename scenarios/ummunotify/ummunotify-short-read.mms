# read() semantics at the edges (reference §1.5): readability is decided before the buffer size is looked at, so a
# read of fewer than 32 bytes with nothing queued returns -EAGAIN (O_NONBLOCK); once something is queued it returns 0
# bytes and takes nothing, which looks like EOF to a caller. The device must be opened O_RDONLY (-EINVAL otherwise),
# and the feature exchange is only allowed on an unused file (-EINVAL after the first read).
scenario ummunotify-short-read
doc "A read shorter than one event: -EAGAIN with nothing queued, 0 bytes once there is; poll; open O_RDWR is -EINVAL"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: w = ummunotify_open W O_RDWR
P: ummunotify_open U
P: q = ummunotify_poll U                         # 0: nothing to read
P: e = ummunotify_read_nonblock U 0
P: x = ummunotify_features U 0
P: ummunotify_register U A 4K 3
P: munmap A 4K
P: q0 = ummunotify_poll U                        # 0x41: POLLIN|POLLRDNORM
P: z = ummunotify_read_nonblock U 0
P: c = ummunotify_read_nonblock U 1 cookie

exists (P:w = -22 /\ P:q = 0 /\ P:q0 = 0x41 /\ P:e = -11 /\ P:x = -22 /\ P:z = 0 /\ P:c = 3)
expect 6.18 always
