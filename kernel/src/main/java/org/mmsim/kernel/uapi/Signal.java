package org.mmsim.kernel.uapi;

import org.mmsim.kernel.export.Export;

/** The signals a user access can raise (include/uapi/asm-generic/signal.h). */
@Export
public final class Signal {
    public static final int SIGBUS = 7;
    public static final int SIGSEGV = 11;

    private Signal() {}

    /** {@code "SIGBUS"} or {@code "SIGSEGV"}. */
    public static String name(int sig) {
        return sig == SIGBUS ? "SIGBUS" : sig == SIGSEGV ? "SIGSEGV" : "signal " + sig;
    }
}
