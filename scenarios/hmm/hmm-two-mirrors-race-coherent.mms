# The concurrent form of hmm-two-mirrors-migrate-back-coherent: mirror E of hmm_dmirror2 faults a page in while
# mirror D of the same device migrates it back to system RAM. If E's fault runs first, its entry maps the device page
# and D's migration, whose MMU_NOTIFY_MIGRATE range E ignores (same device) and whose entry erasing touches D's table
# only, leaves it stale; if the migration runs first, E faults the page in from RAM and all is well. So the stale
# entry (device-coherence) is reachable in some orders only, and the explorer shows the shortest one.
scenario hmm-two-mirrors-race-coherent
doc "A mirror's fault racing another mirror of its device migrating the page back: stale in some orders"

process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x1
P: dmirror_open D 2
P: dmirror_open E 2
P: m = dmirror_migrate D A
P: s = dmirror_snapshot E A          # binds E to the process before the threads start

thread T1 of P {
  r = dmirror_read E A
}
thread T2 of P {
  b = dmirror_migrate_sys D A
}

exists (violated device-coherence)

expect 6.18 sometimes
