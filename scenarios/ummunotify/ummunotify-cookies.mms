# Two answers of the V2 documentation to the review (reference §1.11): every registration needs a cookie of its own
# (REGISTER_REGION of a cookie already registered is -EINVAL), while identical ranges with distinct cookies are fine and
# each gets its report from one invalidation; and once UNREGISTER_REGION returns, no event comes for that range (it runs
# under the lock the notifier takes), though the counter still counts the callbacks that hit the other registration.
scenario ummunotify-cookies
doc "Duplicate cookies are refused, duplicate ranges are not; nothing is reported for a range after its unregister"

process P
P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 1
P: store A+4K 1
P: ummunotify_open U
P: mmap_file C U 4K PROT_READ MAP_SHARED
P: ummunotify_register U A 4K 1
P: dup = ummunotify_register U A+4K 4K 1        # the cookie is taken
P: ummunotify_register U A 4K 2                 # the same range, another cookie
P: madvise A 4K MADV_DONTNEED
P: c1 = ummunotify_read U 1 cookie              # 2: the newer registration comes first in the tree
P: c2 = ummunotify_read U 1 cookie              # 1
P: l = ummunotify_read U 1 cookie               # LAST: counter 1, one callback for two reports
P: ummunotify_unregister U 1
P: madvise A 4K MADV_DONTNEED
P: c3 = ummunotify_read U 1 cookie              # 2 only
P: l2 = ummunotify_read U 1 type
P: gen = load C

exists (P:dup = -22 /\ P:c1 = 2 /\ P:c2 = 1 /\ P:l = 1 /\ P:c3 = 2 /\ P:l2 = 1 /\ P:gen = 2)
expect 6.18 always
