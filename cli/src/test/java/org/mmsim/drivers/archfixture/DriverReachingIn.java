package org.mmsim.drivers.archfixture;

import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.page.PageFrames;

/**
 * Deliberate breaches of the driver API, for ArchitectureTest to catch: a driver that writes a {@code struct page}
 * through the kernel's own {@link PageFrames} (a type the kernel does not export), and one that writes a pte through
 * {@link Mm#setPte}, a member the kernel does not export of a type it does.
 */
public final class DriverReachingIn {
    private DriverReachingIn() {}

    public static void scribble(PageFrames frames, int pfn) {
        frames.setWord(pfn, 0, 0xbad);
    }

    public static void mapBehindTheKernelsBack(Mm mm, long addr) {
        mm.setPte(addr, 0x1007);
    }
}
