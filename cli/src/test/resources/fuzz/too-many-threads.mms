scenario many
process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
thread T0 of P {
  store A 0
}
thread T1 of P {
  store A 1
}
thread T2 of P {
  store A 2
}
thread T3 of P {
  store A 3
}
thread T4 of P {
  store A 4
}
thread T5 of P {
  store A 5
}
thread T6 of P {
  store A 6
}
thread T7 of P {
  store A 7
}
thread T8 of P {
  store A 8
}
thread T9 of P {
  store A 9
}
thread T10 of P {
  store A 10
}
thread T11 of P {
  store A 11
}
thread T12 of P {
  store A 12
}
thread T13 of P {
  store A 13
}
thread T14 of P {
  store A 14
}
thread T15 of P {
  store A 15
}
thread T16 of P {
  store A 16
}
thread T17 of P {
  store A 17
}
thread T18 of P {
  store A 18
}
thread T19 of P {
  store A 19
}
thread T20 of P {
  store A 20
}
thread T21 of P {
  store A 21
}
thread T22 of P {
  store A 22
}
thread T23 of P {
  store A 23
}
thread T24 of P {
  store A 24
}
thread T25 of P {
  store A 25
}
thread T26 of P {
  store A 26
}
thread T27 of P {
  store A 27
}
thread T28 of P {
  store A 28
}
thread T29 of P {
  store A 29
}
thread T30 of P {
  store A 30
}
thread T31 of P {
  store A 31
}
thread T32 of P {
  store A 32
}
thread T33 of P {
  store A 33
}
thread T34 of P {
  store A 34
}
thread T35 of P {
  store A 35
}
thread T36 of P {
  store A 36
}
thread T37 of P {
  store A 37
}
thread T38 of P {
  store A 38
}
thread T39 of P {
  store A 39
}
thread T40 of P {
  store A 40
}
thread T41 of P {
  store A 41
}
thread T42 of P {
  store A 42
}
thread T43 of P {
  store A 43
}
thread T44 of P {
  store A 44
}
thread T45 of P {
  store A 45
}
thread T46 of P {
  store A 46
}
thread T47 of P {
  store A 47
}
thread T48 of P {
  store A 48
}
thread T49 of P {
  store A 49
}
thread T50 of P {
  store A 50
}
thread T51 of P {
  store A 51
}
thread T52 of P {
  store A 52
}
thread T53 of P {
  store A 53
}
thread T54 of P {
  store A 54
}
thread T55 of P {
  store A 55
}
thread T56 of P {
  store A 56
}
thread T57 of P {
  store A 57
}
thread T58 of P {
  store A 58
}
thread T59 of P {
  store A 59
}
thread T60 of P {
  store A 60
}
thread T61 of P {
  store A 61
}
thread T62 of P {
  store A 62
}
thread T63 of P {
  store A 63
}
thread T64 of P {
  store A 64
}
thread T65 of P {
  store A 65
}
thread T66 of P {
  store A 66
}
thread T67 of P {
  store A 67
}
thread T68 of P {
  store A 68
}
thread T69 of P {
  store A 69
}
exists ([P:A] = 99)
expect 6.18 never
