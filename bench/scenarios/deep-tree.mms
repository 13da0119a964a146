# Benchmark control for the explorer: a deep search shaped like a tree. Two threads of one process store to nine
# pages of their own. Each first touch takes the next free frame, so every prefix of every interleaving is a state of
# its own: sum over i, j in 0..9 of (i+j)!/(i!j!) = 184,755 states, depth 18. Levels 16 to 18 are deep enough for
# the explorer to keep machines (docs/explorer.md, section 6), so this measures keeping against records of steps taken
# ahead. Not bundled with scenarios/: run it with
#   ./mmsim bench --explore-scenario bench/scenarios/deep-tree.mms --explore-large=none
scenario deep-tree
doc "Two threads storing to nine pages each: 184,755 states, depth 18, every interleaving prefix distinct"

memory normal=1M
process P
P: mmap A 72K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS

thread T1 of P {
  store A 0x10
  store A+4K 0x11
  store A+8K 0x12
  store A+12K 0x13
  store A+16K 0x14
  store A+20K 0x15
  store A+24K 0x16
  store A+28K 0x17
  store A+32K 0x18
}
thread T2 of P {
  store A+36K 0x20
  store A+40K 0x21
  store A+44K 0x22
  store A+48K 0x23
  store A+52K 0x24
  store A+56K 0x25
  store A+60K 0x26
  store A+64K 0x27
  store A+68K 0x28
}

exists ([P:A] != 0x10 \/ [P:A+4K] != 0x11 \/ [P:A+8K] != 0x12 \/ [P:A+12K] != 0x13 \/ [P:A+16K] != 0x14 \/ [P:A+20K] != 0x15 \/ [P:A+24K] != 0x16 \/ [P:A+28K] != 0x17 \/ [P:A+32K] != 0x18 \/ [P:A+36K] != 0x20 \/ [P:A+40K] != 0x21 \/ [P:A+44K] != 0x22 \/ [P:A+48K] != 0x23 \/ [P:A+52K] != 0x24 \/ [P:A+56K] != 0x25 \/ [P:A+60K] != 0x26 \/ [P:A+64K] != 0x27 \/ [P:A+68K] != 0x28)

expect 6.18 never
