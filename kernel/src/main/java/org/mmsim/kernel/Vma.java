package org.mmsim.kernel;

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

    Vma(Mm mm, long start, long end, long flags, long pgoff) {
        this.mm = mm;
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

    /** {@code vma_is_anonymous()}: no file and no vm_ops; a remap_pfn_range mapping has a driver's. */
    public boolean isAnonymous() {
        return !has(VmFlags.VM_IO | VmFlags.VM_PFNMAP | VmFlags.VM_MIXEDMAP);
    }

    /** {@code linear_page_index(vma, addr)}. */
    public long linearPageIndex(long addr) {
        return ((addr - start) >>> PageTable.PAGE_SHIFT) + pgoff;
    }

    /** {@code vm_get_page_prot(vm_flags)} as pte permission bits (x86 protection_map). */
    public long pageProt() {
        return pageProt(flags);
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
        return new Vma(newMm, start, end, flags, pgoff);
    }

    @Override
    public String toString() {
        return String.format("%#x-%#x %s", start, end, VmFlags.describe(flags));
    }
}
