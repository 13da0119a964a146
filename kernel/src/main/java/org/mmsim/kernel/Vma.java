package org.mmsim.kernel;

import org.mmsim.kernel.profile.Switch;

/**
 * {@code struct vm_area_struct}: [start, end) with {@code vm_flags}, {@code vm_pgoff} and the anon_vma its
 * anonymous pages hang off. {@link #pageProt()} is {@code vm_page_prot} as computed by
 * {@code vm_get_page_prot()}: a private writable mapping gets no RW bit (PAGE_COPY), so its first write to a
 * present page faults and copies or reuses.
 */
public final class Vma {
    private final Mm mm;
    long start;
    long end;
    long flags;
    long pgoff;
    AnonVma anonVma;
    /** {@code vm_file}: the file this VMA maps, or null for anonymous memory. */
    final OpenFile file;

    Vma(Mm mm, long start, long end, long flags, long pgoff) {
        this(mm, start, end, flags, pgoff, null);
    }

    Vma(Mm mm, long start, long end, long flags, long pgoff, OpenFile file) {
        this.mm = mm;
        this.file = file;
        this.start = start;
        this.end = end;
        this.flags = flags;
        this.pgoff = pgoff;
    }

    public Mm mm() {
        return mm;
    }

    public long start() {
        return start;
    }

    public long end() {
        return end;
    }

    public long flags() {
        return flags;
    }

    public long pgoff() {
        return pgoff;
    }

    public AnonVma anonVma() {
        return anonVma;
    }

    public boolean has(long flag) {
        return (flags & flag) != 0;
    }

    public boolean contains(long addr) {
        return addr >= start && addr < end;
    }

    /** The mapped file, or null. */
    public OpenFile file() {
        return file;
    }

    /** The mapped file's inode, or null. */
    public Inode inode() {
        return file == null ? null : file.inode();
    }

    /** {@code vma_is_anonymous()}: no file and no vm_ops; a remap_pfn_range mapping has a driver's. */
    public boolean isAnonymous() {
        return file == null && !has(VmFlags.VM_IO | VmFlags.VM_PFNMAP | VmFlags.VM_MIXEDMAP);
    }

    /** {@code vma_is_shmem()}. */
    public boolean isShmem() {
        return file != null && file.inode().fs().isShmem();
    }

    /**
     * {@code vma_soft_dirty_enabled()}: soft-dirty tracking is on for this VMA, i.e. the kernel has it
     * (CONFIG_MEM_SOFT_DIRTY) and {@code clear_refs} has cleared VM_SOFTDIRTY, so a write must fault to be seen.
     */
    public boolean softDirtyEnabled() {
        return mm.kernel.profile.on(Switch.MEM_SOFT_DIRTY) && !has(VmFlags.VM_SOFTDIRTY);
    }

    /**
     * {@code vma_wants_writenotify()}: a shared writable mapping whose clean pages must be mapped read-only so the
     * first write faults: the filesystem has {@code page_mkwrite}, soft-dirty tracking is on, or the file has
     * writeback (dirty accounting).
     */
    public boolean wantsWritenotify() {
        if ((flags & (VmFlags.VM_WRITE | VmFlags.VM_SHARED)) != (VmFlags.VM_WRITE | VmFlags.VM_SHARED)) {
            return false;
        }
        if (file != null && file.inode().fs().hasPageMkwrite()) {
            return true;
        }
        if (softDirtyEnabled()) {
            return true;
        }
        if (has(VmFlags.VM_PFNMAP | VmFlags.VM_MIXEDMAP)) {
            return false;
        }
        return file != null && file.inode().fs().canWriteback();
    }

    /**
     * {@code vma_needs_dirty_tracking()} (6.5): a shared writable file mapping whose filesystem must hear of
     * writes ({@code page_mkwrite}) or writes back dirty pages. GUP refuses writable long-term pins of these.
     */
    public boolean needsDirtyTracking() {
        if ((flags & (VmFlags.VM_WRITE | VmFlags.VM_SHARED)) != (VmFlags.VM_WRITE | VmFlags.VM_SHARED)
                || file == null) {
            return false;
        }
        return file.inode().fs().hasPageMkwrite() || file.inode().fs().canWriteback();
    }

    /** {@code linear_page_index(vma, addr)}. */
    public long linearPageIndex(long addr) {
        return ((addr - start) >>> PageTable.PAGE_SHIFT) + pgoff;
    }

    /**
     * {@code vm_page_prot} as {@code vma_set_page_prot()} computes it: {@code vm_get_page_prot(vm_flags)} (x86
     * protection_map), without the write bit when the VMA wants write notification.
     */
    public long pageProt() {
        return pageProt(wantsWritenotify() ? flags & ~VmFlags.VM_SHARED : flags);
    }

    static long pageProt(long flags) {
        if ((flags & (VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_EXEC)) == 0) {
            return Pte.PROTNONE;
        }
        long prot = Pte.PRESENT | Pte.USER;
        if ((flags & (VmFlags.VM_WRITE | VmFlags.VM_SHARED)) == (VmFlags.VM_WRITE | VmFlags.VM_SHARED)) {
            prot |= Pte.RW;
        }
        return prot;
    }

    /** A copy for another mm (fork's {@code vm_area_dup}); the anon_vma link is made by the caller. */
    Vma dup(Mm newMm) {
        return new Vma(newMm, start, end, flags, pgoff, file);
    }

    @Override
    public String toString() {
        return String.format("%#x-%#x %s", start, end, VmFlags.describe(flags));
    }
}
