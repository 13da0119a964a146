package org.mmsim.kernel.mm;

import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.state.Copyable;
import org.mmsim.kernel.state.StateHasher;

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
    /**
     * The handler dropped {@code mmap_lock} and wants the fault retried from the start (2.6.23+ {@code ->fault}; the
     * model's faults hold no lock between steps, so the access is simply retried).
     */
    public static final int VM_FAULT_RETRY = 0x400;
    public static final int VM_FAULT_ERROR = VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV;

    /** {@code ->nopage} (up to 2.6.22): no page here, SIGBUS. */
    public static final long NOPAGE_SIGBUS = -1;
    /** {@code ->nopage}: out of memory. */
    public static final long NOPAGE_OOM = -2;
    /**
     * {@code ->nopage} (2.6.19, for spufs): nothing to map; the handler installed the pte itself or wants the access
     * retried ({@code VM_FAULT_MINOR}).
     */
    public static final long NOPAGE_REFAULT = -3;
    /** {@code ->nopfn} (2.6.19): no PFN here, SIGBUS. */
    public static final long NOPFN_SIGBUS = -1;
    /** {@code ->nopfn}: out of memory. */
    public static final long NOPFN_OOM = -2;
    /** {@code ->nopfn}: the handler installed the pte itself; retry the access. */
    public static final long NOPFN_REFAULT = -3;

    private final Vma vma;
    private final long address;
    private final int flags;
    private int page = -1;
    private Resume resume;

    /**
     * What a {@code ->fault} handler does after it sleeps: it computed what to map, then (another thread may run
     * here) maps it. A handler that {@link #pause}s returns {@code VM_FAULT_NOPAGE}; the faulting access stops at a
     * preemption point and, at its next step, calls {@link #resume} with a fault for the same address. The object is
     * part of the machine's state while the access is stopped: hash and copy it.
     */
    @Export
    public interface Resume extends Copyable {
        /** What the resumed step waits for (a lock the handler takes next, a wait queue), or null. */
        default Acquire blockedOn() {
            return null;
        }

        /**
         * Whether the handler sleeps with {@code mmap_lock} dropped ({@code mmap_read_unlock} before the wait, as
         * {@code spufs_ps_fault} does around {@code spufs_wait}): the faulting thread holds nothing while asleep, so
         * munmap or mprotect may run, and {@link #resume} must not use the VMA; it returns {@code VM_FAULT_NOPAGE}
         * (or {@code VM_FAULT_RETRY}) and the access faults again from the start.
         */
        default boolean dropsMmapLock() {
            return false;
        }

        /** Finish the handler: the same returns as {@code ->fault} (and it may {@link #pause} again). */
        int resume(VmFault vmf);

        /** The handler's carried values, for the fingerprint of the stopped access. */
        void hashInto(StateHasher h);
    }

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

    /**
     * For a {@code ->fault} handler about to sleep (a mutex, a wait for the device): the faulting access stops here
     * and {@code r} finishes the handler at its next step. Return {@code VM_FAULT_NOPAGE} after calling this.
     */
    @Export
    public void pause(Resume r) {
        this.resume = r;
    }

    /** The handler's continuation, if it paused (the kernel takes it). */
    public Resume takeResume() {
        Resume r = resume;
        resume = null;
        return r;
    }

    /** For a {@code ->fault} handler: hand back {@code pfn}, with a reference taken for the caller. */
    @Export
    public void setPage(int pfn) {
        this.page = pfn;
    }
}
