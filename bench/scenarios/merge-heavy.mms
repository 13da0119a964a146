# Benchmark control for the explorer: a deep search whose states have many parents. Five threads of one process each
# load eight pages the script stored first. Loads allocate nothing, so the order of two loads by different threads
# leaves no trace: the state is where each thread is, 9^5 = 59,049 states, depth 40, and 262,440 transitions. All
# loads read one page table, so sleep sets prune nothing either. This measures what the explorer does when most steps
# reach a state already found (docs/explorer.md, section 6: it then looks one level ahead, not three). Not bundled
# with scenarios/: run it with
#   ./mmsim bench --explore-scenario bench/scenarios/merge-heavy.mms --explore-large=none
scenario merge-heavy
doc "Five threads loading eight pages each: 59,049 states, 262,440 transitions, depth 40"

memory normal=1M
process P
P: mmap A 160K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 1
P: store A+4K 2
P: store A+8K 3
P: store A+12K 4
P: store A+16K 5
P: store A+20K 6
P: store A+24K 7
P: store A+28K 8
P: store A+32K 9
P: store A+36K 10
P: store A+40K 11
P: store A+44K 12
P: store A+48K 13
P: store A+52K 14
P: store A+56K 15
P: store A+60K 16
P: store A+64K 17
P: store A+68K 18
P: store A+72K 19
P: store A+76K 20
P: store A+80K 21
P: store A+84K 22
P: store A+88K 23
P: store A+92K 24
P: store A+96K 25
P: store A+100K 26
P: store A+104K 27
P: store A+108K 28
P: store A+112K 29
P: store A+116K 30
P: store A+120K 31
P: store A+124K 32
P: store A+128K 33
P: store A+132K 34
P: store A+136K 35
P: store A+140K 36
P: store A+144K 37
P: store A+148K 38
P: store A+152K 39
P: store A+156K 40

thread T1 of P {
  load A
  load A+4K
  load A+8K
  load A+12K
  load A+16K
  load A+20K
  load A+24K
  load A+28K
}
thread T2 of P {
  load A+32K
  load A+36K
  load A+40K
  load A+44K
  load A+48K
  load A+52K
  load A+56K
  load A+60K
}
thread T3 of P {
  load A+64K
  load A+68K
  load A+72K
  load A+76K
  load A+80K
  load A+84K
  load A+88K
  load A+92K
}
thread T4 of P {
  load A+96K
  load A+100K
  load A+104K
  load A+108K
  load A+112K
  load A+116K
  load A+120K
  load A+124K
}
thread T5 of P {
  load A+128K
  load A+132K
  load A+136K
  load A+140K
  load A+144K
  load A+148K
  load A+152K
  load A+156K
}

exists ([P:A] != 1)

expect 6.18 never
