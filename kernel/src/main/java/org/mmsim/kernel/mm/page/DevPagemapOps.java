package org.mmsim.kernel.mm.page;

import org.mmsim.kernel.export.Export;

/**
 * {@code struct dev_pagemap_ops} (include/linux/memremap.h) of a {@code MEMORY_DEVICE_COHERENT} pagemap: the driver's
 * callback when the last reference to one of its pages goes. The model has no device-private memory, so there is no
 * {@code ->migrate_to_ram}: a coherent page is mapped by a present pte, so the CPU reaches it without a fault to move
 * it (it still takes write-protect faults on it, which copy it into system RAM).
 */
@Export
public interface DevPagemapOps {
    /** The ops table's name in traces, e.g. {@code "dmirror_devmem_ops"}. */
    String name();

    /**
     * {@code ->folio_free} ({@code ->page_free} before the folio rename): {@code free_zone_device_folio()} calls it when
     * {@code pfn}'s refcount reached zero, after clearing its {@code mapping} and flags; the page is the driver's again.
     */
    void folioFree(int pfn);
}
