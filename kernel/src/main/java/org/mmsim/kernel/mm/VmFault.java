package org.mmsim.kernel.mm;

import org.mmsim.kernel.export.Export;

/**
 * {@code struct vm_fault}: what a fault handler is told (the VMA, the page-aligned address, the page offset in the
 * mapped object, the {@code FAULT_FLAG_*} bits) and what it hands back ({@link #page}, the frame it found, with a
 * reference for the caller), with the {@code FAULT_FLAG_*} and {@code VM_FAULT_*} values of include/linux/mm_types.h.
 */
@Export
public final class VmFault {
    public static final int FAULT_FLAG_WRITE = 1;
    public static final int FAULT_FLAG_USER = 1 << 6;
    public static final int FAULT_FLAG_REMOTE = 1 << 7;
    public static final int FAULT_FLAG_UNSHARE = 1 << 10;

    public static final int VM_FAULT_OOM = 0x1;
    public static final int VM_FAULT_SIGBUS = 0x2;
    /** Returned when COW was broken or the page reused for writing (removed in 6.0 with FOLL_COW). */
    public static final int VM_FAULT_WRITE = 0x8;
    public static final int VM_FAULT_SIGSEGV = 0x40;
    /** The handler installed the pte itself (a raw PFN, {@code vmf_insert_pfn}): nothing for the core to map. */
    public static final int VM_FAULT_NOPAGE = 0x100;
    /** The handler returns {@link #page} locked. */
    public static final int VM_FAULT_LOCKED = 0x200;
    public static final int VM_FAULT_ERROR = VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV;

    private final Vma vma;
    private final long address;
    private final int flags;
    private int page = -1;

    public VmFault(Vma vma, long address, int flags) {
        this.vma = vma;
        this.address = address;
        this.flags = flags;
    }

    @Export
    public Vma vma() {
        return vma;
    }

    /** The faulting address, page aligned. */
    @Export
    public long address() {
        return address;
    }

    /** {@code vmf->pgoff}: the page of the mapped object the address falls on. */
    @Export
    public long pgoff() {
        return vma.linearPageIndex(address);
    }

    @Export
    public int flags() {
        return flags;
    }

    @Export
    public boolean write() {
        return (flags & FAULT_FLAG_WRITE) != 0;
    }

    /** The frame the handler found ({@code vmf->page}), or -1. */
    @Export
    public int page() {
        return page;
    }

    /** For a {@code ->fault} handler: hand back {@code pfn}, with a reference taken for the caller. */
    @Export
    public void setPage(int pfn) {
        this.page = pfn;
    }
}
