package org.mmsim.kernel.uapi;

import org.mmsim.kernel.export.Export;

/**
 * Kernel error numbers, with the values of include/uapi/asm-generic/errno-base.h and errno.h.
 *
 * <p>Like the kernel, the model returns a failure as a negative number ({@code return -EFAULT}); a
 * scenario can observe and compare it. Nothing a scenario can provoke is ever a Java exception.
 */
@Export
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int EMFILE = 24;
    public static final int ENOTTY = 25;
    public static final int ENOSPC = 28;
    public static final int ESPIPE = 29;
    public static final int EMLINK = 31;
    public static final int EPIPE = 32;
    public static final int ENOSYS = 38;
    public static final int EOVERFLOW = 75;
    public static final int EPROTONOSUPPORT = 93;
    public static final int EOPNOTSUPP = 95;

    private static final String[] NAMES = new String[96];

    static {
        NAMES[EPERM] = "EPERM";
        NAMES[ENOENT] = "ENOENT";
        NAMES[ESRCH] = "ESRCH";
        NAMES[EINTR] = "EINTR";
        NAMES[EIO] = "EIO";
        NAMES[ENXIO] = "ENXIO";
        NAMES[EBADF] = "EBADF";
        NAMES[EAGAIN] = "EAGAIN";
        NAMES[ENOMEM] = "ENOMEM";
        NAMES[EACCES] = "EACCES";
        NAMES[EFAULT] = "EFAULT";
        NAMES[EBUSY] = "EBUSY";
        NAMES[EEXIST] = "EEXIST";
        NAMES[ENODEV] = "ENODEV";
        NAMES[EINVAL] = "EINVAL";
        NAMES[EMFILE] = "EMFILE";
        NAMES[ENOTTY] = "ENOTTY";
        NAMES[ENOSPC] = "ENOSPC";
        NAMES[ESPIPE] = "ESPIPE";
        NAMES[EMLINK] = "EMLINK";
        NAMES[EPIPE] = "EPIPE";
        NAMES[ENOSYS] = "ENOSYS";
        NAMES[EOVERFLOW] = "EOVERFLOW";
        NAMES[EOPNOTSUPP] = "EOPNOTSUPP";
    }

    private Errno() {}

    /** The symbolic name of a positive errno, e.g. {@code "EFAULT"}, or null if the model does not use it. */
    public static String name(int errno) {
        return errno > 0 && errno < NAMES.length ? NAMES[errno] : null;
    }

    /** The errno called {@code name} (e.g. {@code "EFAULT"}), or -1 if there is none. */
    public static int byName(String name) {
        for (int i = 0; i < NAMES.length; i++) {
            if (name.equals(NAMES[i])) {
                return i;
            }
        }
        return -1;
    }

    /** True if a system-call return value is an error ({@code IS_ERR_VALUE}: -4095..-1). */
    public static boolean isError(long ret) {
        return ret < 0 && ret >= -4095;
    }
}
