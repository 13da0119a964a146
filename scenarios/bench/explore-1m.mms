# The deeper and wider benchmark for the exhaustive explorer, beside explore-100k: four threads of one process each
# store to three pages of their own, twelve pages in all. Race-free under every kernel, as explore-100k is: each
# store faults its own page in, and no two threads touch the same page.
#
# As in explore-100k, each first touch allocates the next free frame, so the frame numbers record the order of the
# stores and every prefix of every interleaving is a state of its own: the search
# must find exactly sum over a, b, c, d in 0..3 of (a+b+c+d)!/(a!b!c!d!) = 1,107,697 states, of which
# 12!/(3!3!3!3!) = 369,600 are final. It must complete under the JVM's default heap.
scenario explore-1m
doc "Four threads storing to twelve pages: 1,107,697 states, every interleaving prefix distinct"

memory normal=1M
process P
P: mmap A 48K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS

thread T1 of P {
  store A 0x10
  store A+4K 0x11
  store A+8K 0x12
}
thread T2 of P {
  store A+12K 0x20
  store A+16K 0x21
  store A+20K 0x22
}
thread T3 of P {
  store A+24K 0x30
  store A+28K 0x31
  store A+32K 0x32
}
thread T4 of P {
  store A+36K 0x40
  store A+40K 0x41
  store A+44K 0x42
}

exists ([P:A] != 0x10 \/ [P:A+4K] != 0x11 \/ [P:A+8K] != 0x12 \/ [P:A+12K] != 0x20 \/ [P:A+16K] != 0x21 \/ [P:A+20K] != 0x22 \/ [P:A+24K] != 0x30 \/ [P:A+28K] != 0x31 \/ [P:A+32K] != 0x32 \/ [P:A+36K] != 0x40 \/ [P:A+40K] != 0x41 \/ [P:A+44K] != 0x42)

expect 6.18 never
