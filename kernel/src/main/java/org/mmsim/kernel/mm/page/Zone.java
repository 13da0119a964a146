package org.mmsim.kernel.mm.page;

import org.mmsim.kernel.export.Export;

/**
 * Memory zones (include/linux/mmzone.h). {@link #MOVABLE} stands for ZONE_MOVABLE and CMA pageblocks alike:
 * memory that must stay migratable, so {@code FOLL_LONGTERM} pins migrate pages out of it first.
 */
@Export
public enum Zone {
    NORMAL,
    MOVABLE
}
