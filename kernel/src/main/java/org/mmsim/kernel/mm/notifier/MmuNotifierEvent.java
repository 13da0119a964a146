package org.mmsim.kernel.mm.notifier;

import org.mmsim.kernel.export.Export;

/**
 * {@code enum mmu_notifier_event} (include/linux/mmu_notifier.h): why a range is being invalidated. Events are hints;
 * a secondary MMU must treat every range as "drop your mappings of it".
 */
@Export
public enum MmuNotifierEvent {
    /** The range is going away entirely: munmap and exit ({@code unmap_vmas}). */
    UNMAP,
    /** Ptes cleared but the VMA stays: MADV_DONTNEED, {@code unmap_mapping_range}, COW in {@code wp_page_copy}, migration. */
    CLEAR,
    /** mprotect ({@code change_protection}). */
    PROTECTION_VMA,
    /** Protection of specific pages: fork's write-protect of the parent, {@code page_mkclean}. */
    PROTECTION_PAGE,
    /** clear_refs 4 write-protects for soft-dirty tracking. */
    SOFT_DIRTY,
    /** The mm is being torn down. */
    RELEASE,
    /** {@code migrate_vma_*} (device memory migration), with an owner. */
    MIGRATE,
    /** {@code make_device_exclusive} (5.14). */
    EXCLUSIVE
}
