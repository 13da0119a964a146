package org.mmsim.kernel.profile;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry of named kernel profiles. Each profile is written as the changes from the one before it, so
 * this file reads as a changelog of the behaviours the model covers (see docs/profiles.md for the sources).
 */
public final class Profiles {
    private static final Map<String, KernelProfile> BY_NAME = new LinkedHashMap<>();

    static {
        byte[] base = new byte[Switch.values().length];
        KernelProfile v2619 = new KernelProfile("2.6.19",
                "seed 000's kernel: ->nopage/->nopfn and NOPAGE_REFAULT; no MMU notifiers, no vm_ops->access; "
                        + "GUP drops FOLL_WRITE, but MADV_DONTNEED takes mmap_sem for write, so Dirty COW's madvise "
                        + "race cannot run (it opens in 2.6.22); COW reuse by mapcount", base)
                .with(Switch.COW_REUSE, "mapcount")
                .with(Switch.GUP_WRITE_RETRY, "drop_foll_write")
                .with(Switch.DRIVER_FAULT, "nopage")
                .with(Switch.KVM_PAGE_REFS, "on").with(Switch.KVM_FAULT_REF, "on")
                .with(Switch.CLEAR_REFS_TLB_FLUSH, "on");
        register(v2619, "2.6.19", null);

        KernelProfile v2623 = v2619.with(Switch.DRIVER_FAULT, "fault").with(Switch.MADVISE_DONTNEED_READ_LOCK, "on");
        register(v2623, "2.6.23", "->fault replaces ->nopage and ->populate (54cb8821de07, Nick Piggin); "
                + "MADV_DONTNEED under mmap_lock for read (2.6.22): Dirty COW's window opens");

        KernelProfile v2627 = v2623.with(Switch.VM_OPS_ACCESS, "on").with(Switch.KVM_MMU_NOTIFIER, "on");
        register(v2627, "2.6.27", "vm_ops->access for ptrace of device mappings (28b2ee20c7cb, Rik van Riel); MMU "
                + "notifiers (cddb8a5c14aa) and KVM on them (e930bffe95e1)");

        KernelProfile v48 = v2627.with(Switch.MEM_SOFT_DIRTY, "on").with(Switch.PROCESS_VM, "on")
                .with(Switch.MEMFD_CREATE, "on").with(Switch.MADV_FREE, "on")
                .with(Switch.MPROTECT_MLOCKED_POPULATE, "on").with(Switch.KVM_PAGE_REFS, "off")
                .with(Switch.MSYNC_RANGE, "on").with(Switch.ANON_VMA_MERGE, "singular_target")
                .with(Switch.MLOCK_ONFAULT, "on");
        register(v48, "4.8", "Dirty COW present (GUP drops FOLL_WRITE); COW reuse by mapcount; no FOLL_PIN; "
                + "soft-dirty tracking (3.11, 0f8975ec4db2); process_vm_readv (3.2), memfd_create (3.17), MADV_FREE "
                + "(4.5); mprotect faults in a mlocked private VMA made writable (4.5); KVM's shadow ptes hold no page "
                + "references (2.6.32, acb66dd051d0); msync syncs only the range (3.16, 7fc34a62ca44); a VMA beside a "
                + "forked or faulted one merges less (3.0, 965f55dea0e3); mlock2 and lock-on-fault (4.4)");

        KernelProfile v49 = v48.with(Switch.GUP_WRITE_RETRY, "foll_cow").with(Switch.MLOCK_LIMIT_EXCLUDES_LOCKED, "on")
                .with(Switch.MLOCK_COUNT_ONCE, "on");
        register(v49, "4.9", "Dirty COW fixed with FOLL_COW (19be0eaffa3a); mlock's limit check leaves out pages "
                + "already locked (0cf2f6f6dc60) and a lock-on-fault range is not counted twice (b155b4fde5bd)");

        KernelProfile v57 = v49.with(Switch.FOLL_LONGTERM, "on").with(Switch.FOLL_PIN, "on")
                .with(Switch.MREMAP_DONTUNMAP, "anon").with(Switch.MLOCKALL_ONFAULT_EINVAL, "on")
                .with(Switch.TTM_VM_ACCESS, "on")
                .with(Switch.PIN_TRACKING, "bias")
                .with(Switch.MADV_WIPEONFORK, "on").with(Switch.MADV_FREE_SWAPLESS, "on")
                .with(Switch.MAP_SHARED_VALIDATE, "on")
                .with(Switch.MAP_FIXED_NOREPLACE, "on")
                .with(Switch.IO_URING, "on").with(Switch.IO_URING_FILE_CHECK, "any_file")
                .with(Switch.CLEAR_REFS_TLB_FLUSH, "off");
        register(v57, "5.7", "FOLL_PIN and io_uring exist; COW reuse by mapcount: CVE-2020-29374 and "
                + "COW-breaks-either-way present; MADV_FREE without swap (4.12), MADV_WIPEONFORK (4.14), "
                + "MAP_SHARED_VALIDATE (4.15), MAP_FIXED_NOREPLACE (4.17); TTM's ->access (4.14, 09ac4fcb3f25); MREMAP_DONTUNMAP of "
                + "anonymous memory (5.7); mlockall(MCL_ONFAULT) alone is -EINVAL (5.2); clear_refs' TLB flush elided (5.5, "
                + "0758cd830494)");

        KernelProfile v58 = v57.with(Switch.GUP_FORCE_COW_BREAK, "on");
        register(v58, "5.8", "GUP on COW mappings breaks COW first (17839856fd58): closes the child-side vmsplice leak, not its mirror");

        KernelProfile v59 = v58.with(Switch.GUP_FORCE_COW_BREAK, "off")
                .with(Switch.COW_REUSE, "page_count")
                .with(Switch.FORK_COPY_PINNED, "on");
        register(v59, "5.9", "COW reuse by page count (09854ba94c6a); early copy of pinned pages at fork (70e806e4e645)");

        KernelProfile v511 = v59.with(Switch.GUP_FAST_FORK_SEQCOUNT, "on").with(Switch.CLEAR_REFS_SKIP_PINNED, "on")
                .with(Switch.IO_URING_ACCOUNT_PINNED, "on");
        register(v511, "5.11", "GUP-fast vs fork write_protect_seq (57efa1fe5957); clear_refs skips pinned ptes "
                + "(9348b73c2e1b); io_uring charges fixed buffers after pinning them (5.10, de2939388be5)");

        KernelProfile v519 = v511.with(Switch.COW_REUSE, "anon_exclusive").with(Switch.UNSHARE_RO_PINS, "on")
                .with(Switch.LONGTERM_MIGRATE_MOVABLE, "on")
                .with(Switch.IO_URING_FILE_CHECK, "except_shmem")
                .with(Switch.EXT4_DIRTY_NOBUFFERS, "warn")
                .with(Switch.MADV_POPULATE, "on")
                .with(Switch.MREMAP_DONTUNMAP, "any").with(Switch.DONTUNMAP_UNLINK_ANON, "on")
                .with(Switch.RDMA_DMABUF_MR, "on").with(Switch.CLEAR_REFS_TLB_FLUSH, "on");
        register(v519, "5.19", "PageAnonExclusive (6c287605fd56) and unsharing for R/O pins (FAULT_FLAG_UNSHARE); "
                + "long-term pins migrate out of ZONE_MOVABLE (5.13); io_uring accepts shmem buffers (5.14); ext4 warns "
                + "and skips a dirty page without buffers instead of BUG (5.18, cc5095747edf); MADV_POPULATE_* (5.14); "
                + "MREMAP_DONTUNMAP of any VMA (5.13), leaving the old VMA without its anon_vma (5.12); RDMA memory "
                + "regions over dma-bufs (5.12, pinned ones 5.16); clear_refs flushes the TLB again (5.12, 912efa17e512)");

        KernelProfile v618 = v519.with(Switch.GUP_WRITE_RETRY, "anon_exclusive")
                .with(Switch.DMABUF_PIN_VRAM, "on").with(Switch.ZAP_DELAY_RMAP, "on")
                .with(Switch.MPROTECT_ANON_WRITABLE, "on")
                .with(Switch.UNSHARE_LONGTERM_COW, "on")
                .with(Switch.REFUSE_LONGTERM_FILE_WRITE, "on")
                .with(Switch.RECLAIM_SKIP_PINNED, "on")
                .with(Switch.LONGTERM_NEEDS_PIN, "on")
                .with(Switch.GENERIC_ACCESS_PHYS_RECHECK, "on")
                .with(Switch.IO_URING_FILE_CHECK, "off")
                .with(Switch.ODIRECT_PIN, "on")
                .with(Switch.DEVICE_COHERENT, "on")
                .with(Switch.MREMAP_MULTI_VMA, "on")
                .with(Switch.MREMAP_EXPAND_MERGE, "on")
                .with(Switch.ANON_VMA_MERGE, "fork_child")
                .with(Switch.MPROTECT_UNACCOUNT, "on")
                .with(Switch.SHMEM_DIRECT_IO, "on");
        register(v618, "6.18", "today's kernel: FOLL_COW removed (5535be309971); mprotect keeps exclusive anon writable (6.0); device-coherent memory (6.0); "
                + "R/O long-term pins unshare the zero page and page cache (6.2); writable long-term pins of "
                + "writeback-file mappings refused (6.5); O_DIRECT pins its pages (6.5); reclaim keeps the buffers of pinned "
                + "pages (6.4); tmpfs takes O_DIRECT (6.6); mremap moves a range of several VMAs (6.17); a VMA grown by mremap merges "
                + "(6.1), an unfaulted VMA made read-only drops VM_ACCOUNT (6.7) and a faulted VMA merges into an "
                + "unfaulted one (6.16); amdgpu may pin a dma-buf in VRAM for peer-to-peer importers (6.15); a zap removes a dirty file page's rmap "
                + "after the TLB flush (6.2, 5df397dec7c4)");
    }

    private Profiles() {}

    private static void register(KernelProfile p, String name, String summary) {
        BY_NAME.put(name, p.renamed(name, summary == null ? p.summary() : summary));
    }

    /** The profile called {@code name}, or null. */
    public static KernelProfile byName(String name) {
        return BY_NAME.get(name);
    }

    /** Every profile, oldest first. */
    public static List<KernelProfile> all() {
        return Collections.unmodifiableList(new ArrayList<>(BY_NAME.values()));
    }

    /** The names of every profile, oldest first. */
    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }
}
