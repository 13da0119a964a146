# Seed 002 (Andrea Arcangeli, January 2021): "The stale TLB is the exact same equivalent of your FOLL_LONGTERM,
# except it's the window the CPU has on the old page ... The spurious COW is what makes TLB and PCI device go out of
# sync reading and writing to the old page, while the CPU moved on to a new page."
# A page has a GUP reference (FOLL_GET: a device, or O_DIRECT in flight); clear_refs 4 write-protects it. From 5.5
# to 5.11 clear_refs left out its TLB flush (clear_refs_tlb_flush), so thread P's CPU keeps its writable
# translation. Thread Q writes the page: under the page-count rule (5.9) the reference makes do_wp_page copy it
# (wp_page_copy copies without the pte lock, then switches the pte and flushes). A store P makes through its stale
# entry between the copy and the switch lands in the old page and is lost to the process: P reads back the word as
# it was copied. Up to 5.8 (mapcount) and from 5.19 (PageAnonExclusive) the page is reused, not copied; 5.11 does not
# skip it (the reference is no pin, clear_refs_skip_pinned sees none); with the flush the stale entry is gone.
scenario tlb-spurious-cow
doc "Seed 002: a spurious COW while another CPU writes through a stale TLB entry loses that write"

tlb
process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 1                          # P's CPU caches a writable, dirty translation
P: store A+8 1
P: get_user_pages G A 1 FOLL_WRITE    # page_count 2
P: c = clear_refs 4                   # write-protect; 5.5-5.11: no TLB flush

thread Q of P {
  store A 2                           # do_wp_page: page_count 2, so wp_page_copy
}
thread P {
  store A+8 3                         # through P's stale entry while it lasts
}

P: r0 = load A
P: r1 = load A+8
P: put_pages G

exists (P:r1 != 3)

expect 5.9 5.11 sometimes
expect 4.9 5.7 5.8 5.19 6.18 5.9[clear_refs_tlb_flush=on] never
