# hmm-tests.c hmm_cow_in_device, device-coherent variant, on 4 pages: memory migrated to the device is shared
# copy-on-write by fork like any anonymous page (copy_present_ptes: both ptes write-protected), and the parent's
# writes copy each page straight from device memory into system RAM (wp_page_copy); the child keeps the device
# pages with the old values. The snapshot shows the parent's pages in system RAM, writable.
scenario hmm-cow-in-device-coherent
doc "hmm-tests.c hmm_cow_in_device (coherent): COW after fork copies device pages into system RAM"

process P
P: mmap A 16K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x70
P: store A+4K 0x71
P: store A+8K 0x72
P: store A+12K 0x73
P: dmirror_open D 2
P: m = dmirror_migrate D A 4
P: fork C
P: store A 0x80
P: store A+4K 0x81
P: store A+8K 0x82
P: store A+12K 0x83
P: s = dmirror_snapshot D A 4
C: k0 = load A
C: k3 = load A+12K
C: exit

exists (P:m != 4 \/ P:s != 0x02020202 \/ C:k0 != 0x70 \/ C:k3 != 0x73)

expect 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/hmm-tests.c: hmm.hmm_cow_in_device (hmm_device_coherent) asserts PROT_WRITE for every page"
