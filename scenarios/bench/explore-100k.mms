# Benchmark for the exhaustive explorer: three threads of one process each store to four pages of their own,
# twelve pages in all. Race-free under every kernel: each store faults its own page in (do_anonymous_page
# under mmap_read_lock and the PTL) and no two threads touch the same page, so the process ends with every
# value stored.
#
# The state space has a closed form. Each first touch allocates the next free frame, so the frame numbers record
# the order of the stores and two orders of the same steps never meet again: every prefix of every interleaving
# is a state of its own. Under 6.18 the search must find
# exactly sum over i, j, k in 0..4 of (i+j+k)!/(i!j!k!) = 110,251 states, of which 12!/(4!4!4!) = 34,650
# are final, in a few seconds. More states, or fewer, mean the explorer or the model's fingerprint
# invented or lost executions. All steps share one mm, so sleep sets prune nothing here.
scenario explore-100k
doc "Three threads storing to twelve pages: 110,251 states, every interleaving prefix distinct"

memory normal=1M                     # 256 frames: each state the explorer keeps or replays boots a small machine
process P
P: mmap A 48K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS

thread T1 of P {
  store A 0x10
  store A+4K 0x11
  store A+8K 0x12
  store A+12K 0x13
}
thread T2 of P {
  store A+16K 0x20
  store A+20K 0x21
  store A+24K 0x22
  store A+28K 0x23
}
thread T3 of P {
  store A+32K 0x30
  store A+36K 0x31
  store A+40K 0x32
  store A+44K 0x33
}

exists ([P:A] != 0x10 \/ [P:A+4K] != 0x11 \/ [P:A+8K] != 0x12 \/ [P:A+12K] != 0x13 \/ [P:A+16K] != 0x20 \/ [P:A+20K] != 0x21 \/ [P:A+24K] != 0x22 \/ [P:A+28K] != 0x23 \/ [P:A+32K] != 0x30 \/ [P:A+36K] != 0x31 \/ [P:A+40K] != 0x32 \/ [P:A+44K] != 0x33)

expect 6.18 never
