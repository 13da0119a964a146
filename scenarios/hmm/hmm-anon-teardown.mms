# hmm-tests.c "anon_teardown" reduced to one page and two threads (base pages): the mirror reads while another
# thread of the process unmaps the buffer. Every interleaving of dmirror_range_fault's steps (read_begin,
# hmm_range_fault under mmap_lock, dmirror->mutex + read_retry) with munmap leaves the mirror without an entry
# for the unmapped page: the reader gets the data or -EFAULT, and a later read fails with -EFAULT.
scenario hmm-anon-teardown
doc "A mirror read racing munmap never leaves the mirror with a stale entry"

process P
P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x11
P: dmirror_open D
P: r2 = dmirror_read D A+4K                      # binds the mirror to P's mm (its notifier); A itself has no entry

thread T of P {
  r0 = dmirror_read D A
}
thread P {
  munmap A 4K
}

P: r1 = dmirror_read D A

exists (P:r1 != -14 \/ (T:r0 != 0x11 /\ T:r0 != -14))

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never

known 5.7 5.8 5.9 5.11 5.19 6.18 never "kernel-mm.md §5.4, §5.5 driver loop: read_retry under the driver lock means the device is programmed only from a snapshot no invalidation overtook"
