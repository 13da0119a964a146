package org.mmsim.kernel.uapi;

import org.mmsim.kernel.export.Export;

/** Constants of include/uapi/asm-generic/mman-common.h and mman.h. */
@Export
public final class Mman {
    public static final int PROT_NONE = 0x0;
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int PROT_EXEC = 0x4;
    /** Accepted by {@code arch_validate_prot} and otherwise ignored. */
    public static final int PROT_SEM = 0x8;
    public static final int PROT_GROWSDOWN = 0x01000000;
    public static final int PROT_GROWSUP = 0x02000000;

    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    /** MAP_SHARED that fails unknown flags with -EOPNOTSUPP (4.15, 1c9725974074). */
    public static final int MAP_SHARED_VALIDATE = 0x03;
    public static final int MAP_TYPE = 0x0f;
    public static final int MAP_FIXED = 0x10;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_LOCKED = 0x2000;
    /** {@code mlock2()} flag: lock pages as they are faulted in, not now (4.4). */
    public static final int MLOCK_ONFAULT = 0x01;
    /** {@code mlockall()} flags. */
    public static final int MCL_CURRENT = 1;
    public static final int MCL_FUTURE = 2;
    public static final int MCL_ONFAULT = 4;
    public static final int MAP_NORESERVE = 0x4000;
    public static final int MAP_POPULATE = 0x8000;
    public static final int MAP_NONBLOCK = 0x10000;
    public static final int MAP_STACK = 0x20000;
    public static final int MAP_HUGETLB = 0x40000;
    /** MAP_FIXED that fails with -EEXIST instead of replacing a mapping (4.17, a4ff8e8620d3). */
    public static final int MAP_FIXED_NOREPLACE = 0x100000;

    public static final int MADV_DONTNEED = 4;
    public static final int MADV_FREE = 8;
    public static final int MADV_DONTFORK = 10;
    public static final int MADV_DOFORK = 11;
    public static final int MADV_WIPEONFORK = 18;
    public static final int MADV_KEEPONFORK = 19;
    public static final int MADV_POPULATE_READ = 22;
    public static final int MADV_POPULATE_WRITE = 23;

    private Mman() {}
}
