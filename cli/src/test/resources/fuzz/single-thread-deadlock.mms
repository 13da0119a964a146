# mmsim fuzz --seed 7, mutant 74154: internal error: mmsim: internal error: java.lang.IllegalStateException: thread A blocked in a run

# further no_page() will block if the SPU is not scheduled in"). X is saved while Q's context Y holds the only
# SPU. A thread of P loads from X's problem-state mapping: spufs_ps_fault drops mmap_lock and sleeps in
# spufs_wait(ctx->run_wq) until X is loaded; another thread of P runs X. The load then maps the SPU's
# problem-state page, whose word 0 says which context runs there: always X (id 1), never Y (id 2).
# Fault era only: 2.6.19's spufs_ps_nopage sleeps in spu_acquire_runnable, which the model does not have.
scenario spu-ps-wait
doc "A load of a saved context's problem-state area waits until the context is loaded, fails: sees its SPU"

process P Q
P: spu_create X
P: spu_mmap_ps S X
Q: spu_create Y
Q: spu_run Y                         # Y holds the SPU; X is saved
# The problem-state area of a saved SPU context (kernel-mm.md §7.6; seed 000: "in the case of registers,
thread A of P {
  r0 = load S                        # waits in spufs_ps_fault until X is loaded
}
P: spu_mmap_ps S X
thread B of P {
  spu_run X                          # Y out, X in: wakes A
}

exists (A:r0 != 1)

P: spu_create X
expect 2.6.23 2.6.27 4.8 5.11 6.18 never
