package org.mmsim.kernel.profile;

import org.mmsim.kernel.export.Export;

/**
 * How long ummunotify's queue of reports may grow (seed 004: Andrew Morton's denial-of-service question). The patch
 * left it unbounded on purpose, so that no event is ever dropped; the other two values are designs that were never
 * shipped, bounding it at {@code UmmunotifyDriver.QUEUE_MAX} reports.
 */
@Export
public enum UmmunotifyQueue {
    /** V2: unbounded; coalescing keeps it at one report per registration. */
    UNBOUNDED,
    /** A bound, and a report that does not fit is dropped without a trace: the naive answer to the question. */
    BOUNDED_DROP,
    /**
     * A bound, and a report that does not fit sets an overflow flag: the next read starts with an OVERFLOW event,
     * which tells the reader that reports were lost and every registration must be taken as invalid.
     */
    BOUNDED_OVERFLOW
}
