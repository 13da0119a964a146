# SPU local-store ptrace across a context switch (kernel-mm.md §10 B5, §7.6; seed 000: Benjamin Herrenschmidt,
# "User switchable HW mappings & cie", linux-mm, Oct 2006: "it's currently possible to trick PTRACE into reading
# the local store of an SPU that has been switched to a different task"). Process P maps its context X's local
# store; X runs on the only physical SPU and holds 0x11. Q's context Y (0x22, saved) is switched in by a thread
# of Q while a debugger reads P's local store through /proc/P/mem.
#
# 2.6.19: the local store has sparsemem struct pages and ->nopage maps them with normal ptes, so GUP
# (access_process_vm) takes a reference to the physical LS page; nothing stops the switch between
# get_user_pages() and the copy: the debugger reads Y's data out of "X's" page (device-isolation fires).
# 2.6.23: raw pfns, VM_IO|VM_PFNMAP: GUP refuses, there is no ->access yet: -EIO, never Y's data.
# 2.6.27 on: spufs_mem_mmap_access reads X's local store where it is now, under the state mutex.
scenario b5-spu-ptrace-stale
doc "A debugger's ptrace read of an SPU local-store mapping races a context switch into another task's data"

process P Q D
P: spu_create X
P: spu_mmap_ls L X
P: spu_run X
P: store L 0x11                      # X's local store, on the physical SPU
Q: spu_create Y
Q: spu_mmap_ls M Y
Q: spu_run Y                         # Y loaded...
Q: store M 0x22
P: spu_run X                         # ...and saved again: X is on the SPU, Y's image holds 0x22

thread S of Q {
  spu_run Y                          # the scheduler: X out (unmap, save), Y in (unmap, restore)
}
thread T of D {
  r0 = proc_mem_read P L             # gdb: access_process_vm of P's local-store mapping
}

exists (T:r0 = 0x22)

expect 2.6.19 sometimes
expect 2.6.23 2.6.27 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never

known 2.6.19 allowed "seed 000 (Herrenschmidt, Oct 2006): GUP caches the struct page across an SPU context switch, ptrace reads another task's local store; kernel-mm.md §10 B5"
known 2.6.23 forbidden "kernel-mm.md §7.6 and §10 B5: 78bde53e351b removed the LS struct pages (VM_IO|VM_PFNMAP); without ->access ptrace of VM_IO gets -EIO (§7.4)"
known 2.6.27 forbidden "kernel-mm.md §7.4 and §7.6: vm_ops->access (28b2ee20c7cb), spufs_mem_mmap_access reads under ctx->state_mutex"
known 6.18 forbidden "kernel-mm.md §7.6, §10 B5: spufs_mem_mmap_access under spu_acquire"
