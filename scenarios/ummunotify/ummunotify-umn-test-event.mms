# umn-test.c's check of the first event, field by field (reference §1.13): after the munmap of the middle page of a
# three-page registration with cookie 123, the INVAL carries UMMUNOTIFY_EVENT_FLAG_HINT and exactly the middle page.
# Each field is read from a file of its own (four files watch the same range), since a read consumes the event.
scenario ummunotify-umn-test-event
doc "umn-test.c: the INVAL is cookie 123, HINT set, hint exactly the middle page"

process P
P: ummunotify_open U
P: ummunotify_open V
P: ummunotify_open W
P: ummunotify_open X
P: mmap A 12K PROT_READ MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE|MAP_FIXED 0x20000000
P: ummunotify_register U A 12K 123
P: ummunotify_register V A 12K 123                # four files watch the same range: one field from each
P: ummunotify_register W A 12K 123
P: ummunotify_register X A 12K 123
P: munmap A+4K 4K
P: cookie = ummunotify_read_nonblock U 1 cookie
P: flags = ummunotify_read_nonblock V 1 flags
P: start = ummunotify_read_nonblock W 1 hint_start
P: end = ummunotify_read_nonblock X 1 hint_end

exists (P:cookie = 123 /\ P:flags = 1 /\ P:start = 0x20001000 /\ P:end = 0x20002000)
expect 6.18 always
