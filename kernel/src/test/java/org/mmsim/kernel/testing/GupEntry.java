package org.mmsim.kernel.testing;

import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;

/**
 * The four GUP entry points of the GUP test device, as data, so that one test can say what holds for several of them
 * ({@code @EnumSource(names = {"PIN_USER_PAGES", "PIN_USER_PAGES_FAST"})}). Each is shown by its kernel name.
 */
public enum GupEntry {
    GET_USER_PAGES("get_user_pages"),
    GET_USER_PAGES_FAST("get_user_pages_fast"),
    PIN_USER_PAGES("pin_user_pages"),
    PIN_USER_PAGES_FAST("pin_user_pages_fast");

    private final String function;

    GupEntry(String function) {
        this.function = function;
    }

    /** Call this entry point for {@code t}'s memory, through the GUP test device: the pages the device holds. */
    public GupPages take(Kernel k, Task t, long start, int nr, int gupFlags) {
        Syscalls sys = k.syscalls();
        return switch (this) {
            case GET_USER_PAGES -> sys.getUserPages(t, start, nr, gupFlags).complete();
            case GET_USER_PAGES_FAST -> sys.getUserPagesFast(t, start, nr, gupFlags).complete();
            case PIN_USER_PAGES -> sys.pinUserPages(t, start, nr, gupFlags).complete();
            case PIN_USER_PAGES_FAST -> sys.pinUserPagesFast(t, start, nr, gupFlags).complete();
        };
    }

    /** Whether it takes FOLL_PIN pins (else FOLL_GET references). */
    public boolean pins() {
        return this == PIN_USER_PAGES || this == PIN_USER_PAGES_FAST;
    }

    @Override
    public String toString() {
        return function;
    }
}
