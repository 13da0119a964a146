# Seed 001: Rob Clark's DMA_BUF_IOCTL_INFO, and Christian König's NAK of it: "The caching information can change at
# any time." A VMM exports a GPU buffer object that sits in VRAM, maps it, and gives it to its guest. With the
# proposal (dmabuf_map_info=export) it asks how the buffer is cached, is told COHERENT_WC (declared at export, for
# the buffer's life), and the guest maps its memory write-combined. Then the GPU driver evicts the buffer to system
# memory: TTM unmaps the host mapping, the MMU notifier zaps the guest's, and both refault to the buffer's new
# frame. The host's fault maps it cached, as the exporter decides (and as the kernel's direct map of that RAM is);
# the guest's still uses the attribute it was told at export: a WC alias of a page the CPU caches, which x86 without
# self-snoop and arm64 forbid (cache-alias). Linux (none) has no such query: the guest's mapping takes the attribute
# of the host's, looked up with the pfn at each fault, so it follows the exporter through the move.
# Asking at the time of the query (query) answers COHERENT_WC here too: the move comes after the question.
scenario dmabuf-map-info-stale-after-move
doc "map_info fixed at export goes stale when the BO moves: a WC guest mapping of a cached page"

memory normal=1M
process P
P: gpu_create X 1 vram
P: gpu_write X 0 0x11
P: gpu_export F X                    # map_info COHERENT_WC: the BO is in VRAM
P: dmabuf_mmap A F 4K
P: r0 = load A                       # the host maps VRAM write-combined
P: kvm_create_vm VM
P: r1 = vmm_map_dmabuf VM 0 F A 4K   # -ENOTTY under Linux: the memslot follows the host's attribute
P: r2 = kvm_guest_load VM 0
P: gpu_evict X                       # to system memory: host and guest mappings zapped
P: r3 = load A                       # the host refaults: cached, the exporter's choice for system pages
P: r4 = kvm_guest_load VM 0          # the guest refaults: the attribute it was told, or the host's

exists (violated cache-alias)

expect 6.18 never
expect 6.18[dmabuf_map_info=export] 6.18[dmabuf_map_info=query] always
expect 6.18[dmabuf_map_info=export,cache_aliasing=self_snoop] never
