# gdb reads a buffer object in VRAM through /proc/PID/mem. The mapping is VM_IO|VM_PFNMAP, so GUP refuses it;
# before 2.6.27 (28b2ee20c7cb, vm_ops->access) __access_remote_vm had nothing else and the read fails with -EIO;
# from 2.6.27 it falls back to vma->vm_ops->access, which TTM has from 4.14 (09ac4fcb3f25, ttm_bo_vm_access:
# reserve the BO and read through its placement; for VRAM through the driver's access_memory, which amdgpu has).
scenario gpu-ptrace-vram
doc "/proc/PID/mem of a VRAM buffer object: -EIO without vm_ops->access, the object's word with it"

memory normal=1M
process P D
P: gpu_create X 1 vram
P: gpu_write X 0 0x5a
P: gpu_mmap A X 4K
D: r0 = proc_mem_read P A

exists (D:r0 = 0x5a)

expect 2.6.19 2.6.23 2.6.27 4.8 forbidden
expect 5.7 6.18 allowed
