# A reader sleeps in read() (wait_event_interruptible on read_wait) while another thread of the process unmaps a
# registered range. In every interleaving the read returns the INVAL: if it starts first it sleeps until
# ummunotify_handle_notify queues the report, and if the munmap comes first the report is already there. Never
# -EAGAIN (the read blocks), never a LAST first (need_empty is 0 until an INVAL is read).
scenario ummunotify-race-read-vs-munmap
doc "A blocking read racing a munmap always returns the INVAL"

process P
P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 1
P: ummunotify_open U
P: ummunotify_register U A 4K 5

thread R of P {
  c = ummunotify_read U 1 cookie
}
thread M of P {
  munmap A 8K
}

exists (R:c != 5)
expect 6.18 never
