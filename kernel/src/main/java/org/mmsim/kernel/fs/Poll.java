package org.mmsim.kernel.fs;

import org.mmsim.kernel.export.Export;

/** The poll events of include/uapi/asm-generic/poll.h. */
@Export
public final class Poll {
    public static final int POLLIN = 0x0001;
    public static final int POLLOUT = 0x0004;
    public static final int POLLRDNORM = 0x0040;
    public static final int POLLWRNORM = 0x0100;

    private Poll() {}
}
