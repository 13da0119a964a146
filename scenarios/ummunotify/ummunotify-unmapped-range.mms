# Registering does not check that the range is mapped (reference §1.7): a registration over nothing reports the
# invalidations of whatever is mapped there later. Here the range is registered first, then mapped, touched and
# unmapped: one INVAL, with the hint of the munmap.
scenario ummunotify-unmapped-range
doc "A registration over an unmapped range reports what is later mapped and unmapped there"

process P
P: ummunotify_open U
P: ummunotify_register U 0x30000000 8K 9
P: e = ummunotify_read_nonblock U 1
P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED 0x30000000
P: store A 1
P: munmap A 8K
P: c = ummunotify_read_nonblock U 1 cookie
P: l = ummunotify_read_nonblock U 1 type

exists (P:e = -11 /\ P:c = 9 /\ P:l = 1)
expect 6.18 always
