# Brief §3.4, explored: in the default build an RDMA MR's first mapping of a VRAM buffer pins it into GTT, so the
# registration moves the BO while it registers: under the BO's reservation lock it zaps every CPU mapping of the BO
# (unmap_mapping_range), tells the importers and copies. Here another thread forks the process (copying the
# dma-buf mapping's ptes into the child) and a third unmaps the buffer, each holding a page-table lock across its
# own steps. In every interleaving the pin waits for those locks, nothing oopses, every invariant holds, and the HCA
# reads the word the process stored before the move. With move notifiers a dynamic importer takes no pin, and
# nothing moves at the registration.
scenario dmabuf-importer-pin-vs-fork
doc "A registration that moves the buffer to pin it, against a fork and a munmap of the buffer's mapping"

memory normal=1M
process P
P: gpu_create X 2 vram
P: gpu_export F X
P: dmabuf_mmap A F 8K
P: store A+8 0x5a
P: r9 = load A+4096

thread R of P {
  r0 = rdma_reg_dmabuf_mr M F 0 8K dynamic
  r1 = rdma_read M 8
}
thread U of P {
  munmap A 8K
}
thread K of P {
  fork C
  exit
}

exists (oops \/ R:r0 != 0 \/ R:r1 != 0x5a)

expect 6.18 6.18[dmabuf_move_notify=on] never
