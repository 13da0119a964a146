package org.mmsim.kernel.uapi;

import org.mmsim.kernel.export.Export;

/** The {@code open()} flags the model takes (include/uapi/asm-generic/fcntl.h). */
@Export
public final class Fcntl {
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_ACCMODE = 3;

    private Fcntl() {}
}
