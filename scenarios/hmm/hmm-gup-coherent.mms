# hmm-tests.c hmm_gup_test, device-coherent variant, on 4 pages migrated to device memory: get_user_pages and
# get_user_pages_fast take references to the device pages where they are, but coherent device memory is never
# long-term pinnable ("Coherent device memory must always allow eviction", folio_is_longterm_pinnable, 6.0), so
# pin_user_pages_fast(FOLL_LONGTERM) falls back to the slow path and that, like pin_user_pages(FOLL_LONGTERM), migrates
# the page to system RAM first (migrate_device_coherent_folio) and pins it there. The snapshot shows pages 0 and 1
# still in device memory, 2 and 3 in system RAM; no data is lost.
scenario hmm-gup-coherent
doc "hmm-tests.c hmm_gup_test (coherent): long-term pins move device-coherent pages to system RAM"

process P
P: mmap A 16K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x60
P: store A+4K 0x61
P: store A+8K 0x62
P: store A+12K 0x63
P: dmirror_open D 2
P: m = dmirror_migrate D A 4
P: g0 = get_user_pages H0 A 1 FOLL_WRITE                         # GUP_BASIC_TEST
P: g1 = get_user_pages_fast H1 A+4K 1 FOLL_WRITE                 # GUP_FAST_BENCHMARK
P: g2 = pin_user_pages_fast H2 A+8K 1 FOLL_WRITE|FOLL_LONGTERM   # PIN_FAST_BENCHMARK with FOLL_LONGTERM
P: g3 = pin_user_pages H3 A+12K 1 FOLL_WRITE|FOLL_LONGTERM       # PIN_LONGTERM_BENCHMARK
P: put_pages H0
P: put_pages H1
P: unpin_user_pages H2
P: unpin_user_pages H3
P: s = dmirror_snapshot D A 4
P: c0 = load A
P: c2 = load A+8K
P: c3 = load A+12K

exists (P:m != 4 \/ P:g0 != 1 \/ P:g1 != 1 \/ P:g2 != 1 \/ P:g3 != 1 \/ P:s != 0x02024242 \/ P:c0 != 0x60 \/ P:c2 != 0x62 \/ P:c3 != 0x63)

expect 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/hmm-tests.c: hmm.hmm_gup_test (hmm_device_coherent) asserts COHERENT_LOCAL|WRITE, COHERENT_LOCAL|WRITE, WRITE, WRITE"
