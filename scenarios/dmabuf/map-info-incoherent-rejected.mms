# Seed 001: the proposal's rule for importers: "Importing devices should check dma_buf::map_info flag and reject an
# import if unsupported." An exporter that declares DMA_BUF_MAP_INCOHERENT (CPU access needs DMA_BUF_IOCTL_SYNC)
# gets its buffer refused by the VMM, and the guest has no memory there (-EFAULT). Under Linux the VMM cannot ask
# (-ENOTTY) and maps the buffer with the host mapping's attribute, which the exporter keeps right. Asked at the time
# of the query (query), the exporter answers for the buffer's placement then (COHERENT_WC in VRAM): the declaration
# plays no part, and the import goes ahead.
scenario dmabuf-map-info-incoherent-rejected
doc "A VMM rejects a dma-buf whose exporter declares map_info INCOHERENT; Linux has nothing to ask"

memory normal=1M
process P
P: gpu_create X 1 vram
P: gpu_write X 0 0x22
P: gpu_export F X incoherent
P: dmabuf_mmap A F 4K
P: r0 = load A
P: kvm_create_vm VM
P: r1 = vmm_map_dmabuf VM 0 F A 4K
P: r2 = kvm_guest_load VM 0

exists (P:r1 = -EINVAL /\ P:r2 = -EFAULT)

expect 6.18 6.18[dmabuf_map_info=query] never
expect 6.18[dmabuf_map_info=export] always
