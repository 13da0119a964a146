package org.mmsim.kernel.mm.gup;

import org.mmsim.kernel.export.Export;

/**
 * The {@code FOLL_*} flags of include/linux/mm_types.h (values of 6.x). A caller of GUP passes only
 * {@link #PUBLIC} ones; the entry points add {@link #FOLL_GET} or {@link #FOLL_PIN} and the rest are GUP's own.
 */
@Export
public final class Foll {
    public static final int FOLL_WRITE = 1;
    public static final int FOLL_GET = 1 << 1;
    public static final int FOLL_DUMP = 1 << 2;
    public static final int FOLL_FORCE = 1 << 3;
    public static final int FOLL_NOFAULT = 1 << 5;
    public static final int FOLL_LONGTERM = 1 << 8;
    public static final int FOLL_TOUCH = 1 << 16;
    public static final int FOLL_REMOTE = 1 << 18;
    public static final int FOLL_PIN = 1 << 19;
    public static final int FOLL_FAST_ONLY = 1 << 20;
    public static final int FOLL_POPULATE = 1 << 22;
    /** The 4.9..5.19 internal flag (0x4000 then): "we broke COW here, a dirty R/O pte is ours". */
    public static final int FOLL_COW = 1 << 23;

    /** The flags a caller may pass; the others are set by the wrappers. */
    public static final int PUBLIC = FOLL_WRITE | FOLL_DUMP | FOLL_FORCE | FOLL_NOFAULT | FOLL_LONGTERM | FOLL_REMOTE;

    private Foll() {}
}
