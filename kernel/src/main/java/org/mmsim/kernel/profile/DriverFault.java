package org.mmsim.kernel.profile;

import org.mmsim.kernel.export.Export;

/**
 * Which interface the kernel's fault path calls for a VMA whose owner has one ({@code do_no_page}, {@code do_no_pfn},
 * {@code __do_fault}): the history of the driver fault handler.
 */
@Export
public enum DriverFault {
    /**
     * Up to 2.6.22: {@code ->nopage} returns a {@code struct page} (with a reference), {@code NOPAGE_SIGBUS},
     * {@code NOPAGE_OOM}, or {@code NOPAGE_REFAULT} (2.6.19: the handler installed the pte itself, or wants the access
     * retried). {@code do_no_page} samples {@code mapping->truncate_count} before calling it and, under the pte lock,
     * starts again if an {@code unmap_mapping_range} ran meanwhile.
     */
    NOPAGE,
    /**
     * 2.6.19 (Jes Sorensen's {@code do_no_pfn}, for VM_PFNMAP mappings without {@code struct page}): {@code ->nopfn}
     * returns a PFN, {@code NOPFN_SIGBUS}, {@code NOPFN_OOM} or {@code NOPFN_REFAULT}; {@code do_no_pfn} installs it
     * if the pte is still none, without {@code do_no_page}'s truncate logic (seed 000's complaint).
     */
    NOPFN,
    /**
     * 2.6.23 ({@code 54cb8821de07}, Nick Piggin): {@code ->fault} hands back a page in {@code vmf->page} or installs
     * the pte itself ({@code vm_insert_pfn}, later {@code vmf_insert_pfn}) and returns {@code VM_FAULT_NOPAGE};
     * {@code VM_FAULT_RETRY} with {@code mmap_lock} dropped; {@code VM_FAULT_SIGBUS}.
     */
    FAULT
}
