package org.mmsim.kernel;

/**
 * Memory zones (include/linux/mmzone.h). {@link #MOVABLE} stands for ZONE_MOVABLE and CMA pageblocks alike:
 * memory that must stay migratable, so {@code FOLL_LONGTERM} pins migrate pages out of it first.
 */
public enum Zone {
    NORMAL,
    MOVABLE
}
