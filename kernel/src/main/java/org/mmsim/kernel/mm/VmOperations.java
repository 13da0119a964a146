package org.mmsim.kernel.mm;

import org.mmsim.kernel.export.Export;

/**
 * {@code struct vm_operations_struct}: how the owner of a mapping (a filesystem, shmem, a driver) takes part in the
 * VMA's life and its faults. Every hook is optional, as in the kernel; a hook that is absent behaves as the kernel
 * behaves without it: no {@code ->fault} makes {@code do_fault} return {@link VmFault#VM_FAULT_SIGBUS}, no
 * {@code ->page_mkwrite} lets a shared write go through without telling anyone ({@link #hasPageMkwrite}), no
 * {@code ->access} leaves {@code __access_remote_vm} with GUP alone ({@link #hasAccess}).
 */
@Export
public interface VmOperations {

    /** The ops table's name, for traces: e.g. {@code "ext4_file_vm_ops"}. */
    String name();

    /** {@code ->open}: a new VMA shares this mapping (fork's copy, a split). */
    default void open(Vma vma) {}

    /** {@code ->close}: a VMA of this mapping goes away. */
    default void close(Vma vma) {}

    /**
     * {@code ->fault}: find the page for {@code vmf} and hand it back with a reference ({@link VmFault#setPage}),
     * or install the pte itself and return {@link VmFault#VM_FAULT_NOPAGE}.
     *
     * @return 0, {@code VM_FAULT_NOPAGE}, {@code VM_FAULT_LOCKED}, or an error: {@code VM_FAULT_SIGBUS} (beyond the
     *     object, or no handler), {@code VM_FAULT_OOM}
     */
    default int fault(VmFault vmf) {
        return VmFault.VM_FAULT_SIGBUS;
    }

    /**
     * Whether {@code ->nopage} exists (up to 2.6.22): under {@code driver_fault=nopage} the fault path calls it
     * ({@code do_no_page}) instead of {@link #fault}.
     */
    default boolean hasNopage() {
        return false;
    }

    /**
     * {@code ->nopage(vma, address, &type)}: the PFN of the page to map, with a reference for the caller, or
     * {@link VmFault#NOPAGE_SIGBUS}, {@link VmFault#NOPAGE_OOM}, {@link VmFault#NOPAGE_REFAULT}.
     */
    default long nopage(Vma vma, long addr) {
        return VmFault.NOPAGE_SIGBUS;
    }

    /** Whether {@code ->nopfn} exists (2.6.19 to 2.6.26): under {@code driver_fault=nopfn} {@code do_no_pfn} calls it. */
    default boolean hasNopfn() {
        return false;
    }

    /**
     * {@code ->nopfn(vma, address)} (VM_PFNMAP mappings): the raw PFN to map, or {@link VmFault#NOPFN_SIGBUS},
     * {@link VmFault#NOPFN_OOM}, {@link VmFault#NOPFN_REFAULT}.
     */
    default long nopfn(Vma vma, long addr) {
        return VmFault.NOPFN_SIGBUS;
    }

    /** Whether {@code ->page_mkwrite} exists: the owner wants to hear of the first write to a clean page. */
    default boolean hasPageMkwrite() {
        return false;
    }

    /** {@code ->page_mkwrite}: page {@code vmf.page()} is about to be written through a shared mapping. */
    default int pageMkwrite(VmFault vmf) {
        return 0;
    }

    /**
     * Whether {@code ->access} is the kernel's {@code generic_access_phys} (what /dev/mem, PCI BAR and UIO mappings
     * and many drivers set): then the kernel runs it, with its window between looking the pte up and copying
     * through the physical address (closed by a recheck in 5.12, {@code generic_access_phys_recheck}), and
     * {@link #access} is not called.
     */
    default boolean accessIsGenericAccessPhys() {
        return false;
    }

    /** Whether {@code ->access} exists: ptrace and /proc/PID/mem may reach the mapping without GUP. */
    default boolean hasAccess() {
        return false;
    }

    /**
     * {@code ->access}: read (into {@code buf[0]}) or write ({@code buf[0]}) one word at {@code addr} of the mapping
     * on behalf of another process, for a mapping GUP cannot follow.
     *
     * @return the bytes copied (8), or 0 or less when it could not
     */
    default int access(Vma vma, long addr, long[] buf, boolean write) {
        return 0;
    }
}
