package org.mmsim.kernel.profile;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.mmsim.kernel.export.Export;

/**
 * One kernel behaviour that changed over time (or a design that never shipped). Each switch has a name as
 * written in scenarios and on the command line, a closed set of values and a line saying what it controls.
 * Boolean switches take {@code off} and {@code on}.
 */
@Export
public enum Switch {
    COW_REUSE(CowReuse.class,
            "do_wp_page reuse rule for private anon pages: mapcount (<=5.8), page_count (5.9), anon_exclusive (5.19)"),
    GUP_WRITE_RETRY(GupWriteRetry.class,
            "forced write on a R/O pte after the COW fault: drop_foll_write (<=4.8, Dirty COW), foll_cow (4.9), "
                    + "anon_exclusive (6.0; needs cow_reuse=anon_exclusive, else GUP livelocks)"),
    FOLL_PIN("pin_user_pages*() and FOLL_PIN accounting with GUP_PIN_COUNTING_BIAS exist (5.6, eddb1c228f79)"),
    FOLL_LONGTERM("the FOLL_LONGTERM flag exists (5.2, 932f4a630a69; get_user_pages_longterm in 4.15)"),
    GUP_FORCE_COW_BREAK("any FOLL_GET/FOLL_PIN GUP on a COW mapping breaks COW first, as if FOLL_WRITE "
            + "(5.8 17839856fd58, reverted in 5.9 by a308c71bf1e6)"),
    FORK_COPY_PINNED("fork copies maybe-DMA-pinned pages of COW mappings for the child at once when the mm has "
            + "pinned (5.9 70e806e4e645, mm->has_pinned 008cfe4418b3; page-cache pages too until 5.19, anon only from "
            + "fb3d824d1a46); off also keeps MMF_HAS_PINNED clear"),
    GUP_FAST_FORK_SEQCOUNT("GUP-fast checks mm->write_protect_seq and falls back if fork ran (5.11 57efa1fe5957)"),
    UNSHARE_RO_PINS("R/O FOLL_PIN of a not-exclusive anon page unshares it first with FAULT_FLAG_UNSHARE (5.19; "
            + "needs cow_reuse=anon_exclusive, else GUP livelocks)"),
    UNSHARE_LONGTERM_COW("a R/O FOLL_LONGTERM pin of a non-anon page (zero page, page cache) in a COW mapping "
            + "unshares it into an anon copy first (6.2 84209e87c696; needs unshare_ro_pins)"),
    MPROTECT_ANON_WRITABLE("mprotect(PROT_WRITE) maps exclusive anon pages writable at once, without a write fault "
            + "(6.0 64fe24a3e05e, can_change_pte_writable)"),
    MPROTECT_MLOCKED_POPULATE("mprotect making a private VM_LOCKED VMA writable faults its range in for writing at "
            + "once (populate_vma_page_range in mprotect_fixup), so COW is broken then, not at the next write (4.5, "
            + "36f881883c57, Kirill Shutemov, 'mm: fix mprotect() behaviour on VM_LOCKED VMAs')"),
    MLOCK_LIMIT_EXCLUDES_LOCKED("mlock's RLIMIT_MEMLOCK check leaves out the pages of the range already locked "
            + "(count_mm_mlocked_page_nr; 4.9, 0cf2f6f6dc60, Simon Guo, 'mm: mlock: check against vma for actual "
            + "mlock() size'); off: locked_vm plus the whole range must fit, so locking a locked range again can fail"),
    MREMAP_MULTI_VMA("mremap(MREMAP_FIXED) of a range to the same length moves every VMA in it, splitting the first "
            + "and last, the gaps between them kept (remap_move; 6.17, Lorenzo Stoakes, 'mm/mremap: permit mremap() "
            + "move of multiple VMAs'); off: the range must lie in one VMA (-EFAULT)"),
    MREMAP_DONTUNMAP(MremapDontunmap.class, "mremap(MREMAP_MAYMOVE|MREMAP_DONTUNMAP) moves the ptes and keeps the old "
            + "VMA, empty: off (<=5.6: -EINVAL), anon (5.7 e346b3813067: private anonymous VMAs only), any (5.13 "
            + "a4609387859f: any VMA but VM_DONTEXPAND or VM_PFNMAP)"),
    DONTUNMAP_UNLINK_ANON("MREMAP_DONTUNMAP of a whole VMA unlinks the old VMA from its anon_vma, so it is as if never "
            + "faulted (5.12, 1583aa278f5f, Li Xinhai, 'mm: mremap: unlink anon_vmas when mremap with MREMAP_DONTUNMAP "
            + "success'); off: the empty old VMA keeps it"),
    MREMAP_EXPAND_MERGE("an mremap that grows a VMA in place merges it with the VMA it now touches, when they could be "
            + "one (6.1, ca3d76b0aa80, Jakub Matena, 'mm: add merging after mremap resize'); off: the grown VMA only "
            + "grows (vma_adjust), and the two stay apart"),
    MLOCK_ONFAULT("mlock2() and lock-on-fault exist: MLOCK_ONFAULT and MCL_ONFAULT set VM_LOCKONFAULT, which locks "
            + "pages as they fault instead of faulting them in (4.4, a8ca5d0ecbdd and b0f205c2a308, Eric B Munson); "
            + "off: mlock2 is -ENOSYS and mlockall(MCL_ONFAULT) -EINVAL"),
    MLOCK_COUNT_ONCE("mlock_fixup counts no pages when a locked range stays locked and only VM_LOCKONFAULT changes "
            + "(4.9, b155b4fde5bd, Simon Guo, 'mm: mlock: avoid increase mm->locked_vm on mlock() when already "
            + "mlock2(,MLOCK_ONFAULT)'); off: it adds them to locked_vm again"),
    MLOCKALL_ONFAULT_EINVAL("mlockall(MCL_ONFAULT) without MCL_CURRENT or MCL_FUTURE is -EINVAL (5.2, dedca63504a2, "
            + "'mm/mlock.c: mlockall error for flag MCL_ONFAULT'); off: it passes, and unlocks every VMA and clears "
            + "def_flags as munlockall does"),
    MPROTECT_UNACCOUNT("mprotect making a never-faulted anonymous VMA read-only takes VM_ACCOUNT off it (6.7, Lorenzo "
            + "Stoakes, 'mm/mprotect: allow unfaulted VMAs to be unaccounted on mprotect()'), so it no longer merges "
            + "with a faulted read-only neighbour that kept it; off: VM_ACCOUNT stays"),
    ANON_VMA_MERGE(AnonVmaMerge.class, "which anon_vmas vma_merge accepts where one side has none: either (<=2.6.39: "
            + "always), singular_target (3.0 965f55dea0e3: the neighbour's anon_vma_chain must be singular, so a "
            + "forked child's VMA takes in no new neighbour and a faulted VMA never merges into an unfaulted one), "
            + "fork_child (6.16 879bca0a2c4f: the side with the anon_vma must not be a forked child's)"),
    MSYNC_RANGE("msync(MS_SYNC) writes back only the file bytes the range maps, vfs_fsync_range(file, fstart, fend) "
            + "(3.16, 7fc34a62ca44, Matthew Wilcox, 'mm/msync.c: sync only the requested range in msync()'); off: "
            + "vfs_fsync of the whole file of each shared file mapping in the range"),
    MEM_SOFT_DIRTY("CONFIG_MEM_SOFT_DIRTY: clear_refs 4 write-protects for soft-dirty tracking and pagemap bit 55 "
            + "reports it (3.11; off on the 6.18 oracle machine, where clear_refs 4 does nothing)"),
    CLEAR_REFS_SKIP_PINNED("clear_refs 4 leaves writable maybe-pinned ptes of COW mappings alone, pte_is_pinned "
            + "(5.11-rc4 9348b73c2e1b; 5.10.y)"),
    LONGTERM_MIGRATE_MOVABLE("FOLL_LONGTERM migrates pages out of ZONE_MOVABLE before pinning them "
            + "(check_and_migrate_movable_pages; CMA in 5.1, ZONE_MOVABLE in 5.13)"),
    REFUSE_LONGTERM_FILE_WRITE("FOLL_PIN|FOLL_LONGTERM|FOLL_WRITE on a shared mapping of a file that needs dirty "
            + "tracking (ext4) fails with -EFAULT, writable_file_mapping_allowed (6.5, Lorenzo Stoakes)"),
    LONGTERM_NEEDS_PIN("FOLL_LONGTERM is refused with -EINVAL unless pinning: get_user_pages*() may not take "
            + "long-term references (is_valid_gup_args, 6.3 d64e2dbc33a1)"),
    DRIVER_FAULT(DriverFault.class, "the driver fault-handler interface the fault path calls: nopage (<=2.6.22, "
            + "do_no_page with its truncate_count recheck and NOPAGE_REFAULT), nopfn (2.6.19 do_no_pfn, no recheck), "
            + "fault (2.6.23 54cb8821de07: VM_FAULT_NOPAGE, VM_FAULT_RETRY)"),
    VM_OPS_ACCESS("ptrace and /proc/PID/mem fall back to vm_ops->access where GUP cannot reach (2.6.27 "
            + "28b2ee20c7cb); off: a VM_IO/VM_PFNMAP mapping reads as -EIO"),
    GENERIC_ACCESS_PHYS_RECHECK("generic_access_phys rechecks the pte after mapping the physical page and retries "
            + "if it changed (5.12 96667f8a4382); off: it copies from the pfn it looked up, even after a move"),
    KVM_MMU_NOTIFIER("KVM follows the host page tables through an MMU notifier and drops shadow ptes on every "
            + "invalidation (2.6.27, e930bffe95e1); off: the design before it, where the page references KVM "
            + "holds were all that tied a shadow pte to its page"),
    KVM_PAGE_REFS("KVM holds a page reference (FOLL_GET) for each shadow pte until the pte is zapped; off: the "
            + "fault's reference is dropped once the spte is in, and the notifier alone ties the spte to its page "
            + "(2.6.32, acb66dd051d0 'KVM: MMU: dont hold pagecount reference for mapped sptes pages', Izik Eidus)"),
    KVM_FAULT_REF("a KVM fault takes a page reference (hva_to_pfn's get_user_pages) and holds it until the fault "
            + "ends, in every kernel; off: never shipped, the fault Andrea Arcangeli and Jerome Glisse wanted in seed 002 "
            + "('optimize away the two atomics per GUP'): no reference at all, the sequence check alone keeps it safe"),
    TTM_VM_ACCESS("TTM's vm_operations_struct has ->access (ttm_bo_vm_access: ptrace and /proc/PID/mem of a buffer "
            + "object through its placement; 4.14, 09ac4fcb3f25, Felix Kuehling, 'drm/ttm: Implement "
            + "vm_operations_struct.access v2'); off: none, so such an access of a BO mapping is -EIO"),
    SHMEM_DIRECT_IO("tmpfs accepts O_DIRECT: a copy through the page cache, no bio and no pages held (6.6, "
            + "e88e0d366f9c, Hugh Dickins, 'tmpfs: trivial support for direct IO'); off: -EINVAL"),
    DEVICE_COHERENT("MEMORY_DEVICE_COHERENT exists: device memory the CPU maps with ordinary ptes, that pages migrate to "
            + "and from (migrate_vma_*), and that long-term pins migrate out of first where longterm_migrate_movable is on (6.0, f25cbb7a95a2, Alex Sierra, "
            + "'mm: add zone device coherent type memory support'; b05a79d4377f, Alistair Popple, 'mm/gup: migrate "
            + "device coherent pages when pinning instead of failing'); the test_hmm devices 2 and 3 (hmm_dmirror2, "
            + "hmm_dmirror3) have it; off: those devices do not exist"),
    ODIRECT_PIN("O_DIRECT (block direct I/O) takes its user pages with iov_iter_extract_pages, FOLL_PIN, released "
            + "by bio_release_pages (6.5 a7e689dd1c06, David Howells' 'block: Use page pinning' series); off: "
            + "iov_iter_get_pages, FOLL_GET references"),
    MADVISE_DONTNEED_READ_LOCK("madvise(MADV_DONTNEED) takes mmap_lock for read (2.6.22, Nick Piggin, 'mm: madvise "
            + "avoid exclusive mmap_sem'); off: every advice takes it for write, so a DONTNEED waits for a GUP that "
            + "holds it for read across its fault and retry, the window Dirty COW needs"),
    MADV_FREE("madvise(MADV_FREE) exists (4.5, 854e9ed09ded, Minchan Kim); off: -EINVAL, madvise_behavior_valid"),
    MADV_FREE_SWAPLESS("MADV_FREE frees lazily on a machine without swap, as the model's machines are (4.12, "
            + "93e06c7a6453, Shaohua Li, 'mm: enable MADV_FREE for swapless system'); off (4.5-4.11): with no swap "
            + "madvise_vma falls through to MADV_DONTNEED and zaps the range at once"),
    MADV_WIPEONFORK("madvise(MADV_WIPEONFORK/MADV_KEEPONFORK) exist (4.14, d2cd9ede6e19, Rik van Riel); off: -EINVAL"),
    MADV_POPULATE("madvise(MADV_POPULATE_READ/WRITE) exist (5.14, 4ca9b3859dac, David Hildenbrand); off: -EINVAL"),
    MAP_SHARED_VALIDATE("mmap's MAP_SHARED_VALIDATE type exists (4.15, 1c9725974074, Dan Williams); off: the map type "
            + "3 is -EINVAL"),
    MAP_FIXED_NOREPLACE("mmap's MAP_FIXED_NOREPLACE exists (4.17, a4ff8e8620d3, Michal Hocko); off: the flag is an "
            + "unknown bit, ignored, and the address only a hint"),
    PROCESS_VM("process_vm_readv/process_vm_writev exist (3.2, fcf634098c00, Christopher Yeoh: Cross Memory "
            + "Attach); off: -ENOSYS"),
    MEMFD_CREATE("memfd_create exists (3.17, 9183df25fe7b, David Herrmann); off: -ENOSYS"),
    IO_URING("io_uring fixed buffers exist (5.1; registered with FOLL_GET|FOLL_LONGTERM until FOLL_PIN, 5.6)"),
    IO_URING_FILE_CHECK(IoUringFileCheck.class, "file-backed VMAs io_uring itself refuses as fixed buffers with "
            + "-EOPNOTSUPP: any_file (5.1), except_shmem (5.14), off (6.5: GUP's own rule applies)"),
    IO_URING_ACCOUNT_PINNED("io_uring charges a fixed buffer to RLIMIT_MEMLOCK after pinning it "
            + "(io_buffer_account_pin; 5.10, de2939388be5, Jens Axboe, 'io_uring: improve registration buffer "
            + "accounting for huge pages'); off: io_account_mem of the pages first, so over the limit nothing is "
            + "faulted in or pinned, and a failed pin or file check uncharges them"),
    EXT4_DIRTY_NOBUFFERS(Ext4DirtyNobuffers.class, "ext4 writeback of a dirty page without buffers (dirtied behind "
            + "page_mkwrite's back, e.g. by set_page_dirty_lock after DMA): bug (<=5.17, BUG_ON oops), warn (5.18 "
            + "cc5095747edf, Ted Ts'o: WARN, clear dirty, skip: the write is lost)"),
    RECLAIM_SKIP_PINNED("shrink_folio_list keeps a maybe-DMA-pinned folio after unmapping it, before releasing "
            + "its buffers (6.4 d824ec2a1546, Jan Kara, 'mm: do not reclaim private data from pinned page'); off: "
            + "the buffers of a pinned page are stripped and __remove_mapping then refuses it"),
    EXT4_STABLE_PAGES("the ext4 disk needs stable pages (SB_I_STABLE_WRITES: checksumming or RAID): page_mkwrite "
            + "waits for writeback to end (folio_wait_stable) before a page may be written again; a device "
            + "property, off in every profile (set it in a scenario)"),
    PIN_TRACKING(PinTracking.class, "how writeback tells a DMA-pinned page: refcount (<=5.6: any reference beyond "
            + "cache, buffers and ptes), bias (5.7 FOLL_PIN, GUP_PIN_COUNTING_BIAS, page_maybe_dma_pinned), "
            + "mapcount-v1 and mapcount-v2 (seed 003, Jerome Glisse's _mapcount designs, never shipped)"),
    PINNED_WRITEBACK(PinnedWriteback.class, "what writeback does with a page pin_tracking reports pinned: ignore "
            + "(Linux: write it, clear dirty), bounce (write a stable copy, keep it dirty), skip (keep it dirty, "
            + "no write); ignore in every profile"),
    UMMUNOTIFY_QUEUE(UmmunotifyQueue.class, "how many reports ummunotify (seed 004, never merged) queues: unbounded "
            + "(the V2 patch, one per registration at most), bounded_drop (a bound, the excess dropped silently) or "
            + "bounded_overflow (a bound, and an OVERFLOW event that says reports were lost); designs that never "
            + "shipped, unbounded in every profile"),
    DMABUF_MAP_INFO(DmaBufMapInfo.class, "DMA_BUF_IOCTL_INFO's map_info (seed 001, Rob Clark's 2022 proposal, NAKed): "
            + "none (Linux: no such ioctl, -ENOTTY; the exporter alone decides CPU mappings), export (the v2 patch: "
            + "the coherency the exporter declared at export, fixed for the buffer's life) or query (the exporter's "
            + "answer for the buffer's placement at the time of the query); none in every profile"),
    CACHE_ALIASING(CacheAliasing.class, "whether two mappings of one frame with different cache attributes (a WB "
            + "direct-map alias and a WC or UC user or guest mapping) break coherency: forbidden (x86 PAT without "
            + "self-snoop, arm64: the cache-alias invariant checks it) or self_snoop (x86 CPUs that snoop their own "
            + "caches: benign, not checked); forbidden in every profile"),
    DMABUF_MOVE_NOTIFY("CONFIG_DMABUF_MOVE_NOTIFY (5.7, with dynamic dma-bufs, bb42df4662a4; \"EXPERIMENTAL\", default n): "
            + "a dynamic exporter may move a buffer a dynamic importer has mapped, after ->move_notify; off, every such "
            + "mapping pins the buffer until it is unmapped; off in every profile"),
    RDMA_DMABUF_MR("IB_UVERBS_METHOD_REG_DMABUF_MR: RDMA memory regions over a dma-buf (5.12, bfe0cc6eb249; the pinned "
            + "kind with ib_umem_dmabuf_get_pinned in 5.16, 1e4df4a21c5a); off: the method is unknown, -EPROTONOSUPPORT"),
    DMABUF_PIN_VRAM("the GPU exporter (amdgpu_dma_buf_pin) may pin a dma-buf in VRAM when every attachment can do "
            + "peer-to-peer DMA and the build has move notifiers (6.15, f5e7fabd1f5c; move notifiers required since "
            + "Felix Kuehling's fix of 2025); off: a pin always goes to GTT, moving a VRAM buffer (5.7 to 6.14)"),
    ZAP_DELAY_RMAP("a zap removes the rmap of a dirty page of a file only after the TLB flush, so that folio_mkclean "
            + "still finds it mapped and waits for the zap's pte lock (6.2, 5df397dec7c4, Linus Torvalds); off: at once, "
            + "and another CPU's stale TLB entry can dirty the page after writeback cleaned it (matters with tlb)"),
    CLEAR_REFS_TLB_FLUSH("clear_refs 4 flushes the TLB after write-protecting the ptes; off from 5.5 (0758cd830494: "
            + "tlb_finish_mmu flushes only what was gathered) to 5.11, fixed in 5.12 (912efa17e512, Will Deacon): a "
            + "stale writable entry lets the next write skip the fault that sets soft-dirty (matters with tlb)");

    private final String key;
    private final List<String> choices;
    private final String doc;
    /** Whether this is an off/on switch ({@link KernelProfile#on}): asked on hot paths, so decided once. */
    private final boolean flag;

    Switch(Class<? extends Enum<?>> choices, String doc) {
        this.key = name().toLowerCase(Locale.ROOT);
        this.choices = Arrays.stream(choices.getEnumConstants())
                .map(c -> c.toString().toLowerCase(Locale.ROOT))
                .toList();
        this.doc = doc;
        this.flag = this.choices.equals(List.of("off", "on"));
    }

    Switch(String doc) {
        this.key = name().toLowerCase(Locale.ROOT);
        this.choices = List.of("off", "on");
        this.doc = doc;
        this.flag = true;
    }

    /** The name used in scenarios and on the command line, e.g. {@code cow_reuse}. */
    public String key() {
        return key;
    }

    /** Whether the switch is off or on ({@code choices()} is exactly off, on). */
    public boolean isFlag() {
        return flag;
    }

    /** The values this switch takes, in order; a profile stores the index. */
    public List<String> choices() {
        return choices;
    }

    public String doc() {
        return doc;
    }

    /** The index of {@code value} among {@link #choices()}, or -1. */
    public int indexOf(String value) {
        return choices.indexOf(value.toLowerCase(Locale.ROOT));
    }

    /** The switch named {@code key}, or null. */
    public static Switch byKey(String key) {
        for (Switch s : values()) {
            if (s.key.equals(key)) {
                return s;
            }
        }
        return null;
    }
}
