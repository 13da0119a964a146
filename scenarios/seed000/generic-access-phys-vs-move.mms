# generic_access_phys racing a move (Daniel Vetter, "mm: Close race in generic_access_phys", 96667f8a4382, 5.12).
# A debugger reads a buffer object's VRAM mapping through /proc/PID/mem. GUP refuses the VM_IO mapping, so
# __access_remote_vm calls vm_ops->access, which this driver set to the kernel's generic_access_phys (as /dev/mem,
# PCI BARs and many drivers do): follow_pte finds the pfn under the pte lock, drops the lock, ioremaps the page and
# copies. Meanwhile the process validates a second object into the full VRAM, which evicts the first
# (unmap_mapping_range, copy to system memory) and gives its frame to the second. Before 5.12 the copy goes through
# the pfn found before the move: the debugger reads the other object's data (device-isolation reports it). From
# 5.12 generic_access_phys takes the pte lock again after ioremap and retries when the pte changed; the pte is gone,
# so it fails (-EIO) or, before the move, reads the object's own word. docs/devices.md §3; kernel-mm.md §7.4.
scenario generic-access-phys-vs-move
doc "ptrace through generic_access_phys reads another object's VRAM after a move, until the 5.12 recheck"

memory normal=1M
process P D
P: gpu_create X 1 vram generic_access   # ->access = generic_access_phys
P: gpu_create Y 4 system
P: gpu_write X 0 0x11
P: gpu_write Y 0 0x22
P: gpu_mmap A X 4K
P: r1 = load A                          # fault X's VRAM page in

thread D {
  r0 = proc_mem_read P A                # generic_access_phys: follow_pte, (ioremap), copy
}
thread T of P {
  gpu_validate Y                        # Y needs all of VRAM: X is evicted, Y takes X's frame
}

exists (D:r0 = 0x22)

expect 2.6.27 4.8 4.9 5.7 5.8 5.9 5.11 5.19 allowed
expect 6.18 forbidden

known 5.11 allowed "96667f8a4382 (5.12, Daniel Vetter, 'mm: Close race in generic_access_phys'): before it the copy used the pfn follow_pte returned after the pte lock was dropped"
known 6.18 forbidden "96667f8a4382 (5.12): generic_access_phys rechecks the pte after ioremap and retries if it changed"
