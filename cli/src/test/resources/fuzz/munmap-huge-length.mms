scenario m
process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: munmap A 0x7fffffffffffffff
exists ([P:A] = 99)
expect 6.18 never
