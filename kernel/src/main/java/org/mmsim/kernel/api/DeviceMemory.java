package org.mmsim.kernel.api;

import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.mm.Mm;

/**
 * Who owns device memory now, as a driver that moves objects between placements (a buffer manager, an SPU scheduler)
 * registers it with {@link Exports#registerDeviceMemory}: the device-isolation invariant holds every pte, user access
 * and ptrace access that reaches device memory against it.
 */
@Export
public interface DeviceMemory {

    /** The device, for violations: e.g. {@code "gpu"}. */
    String name();

    /** The object (buffer, context) whose contents frame {@code pfn} holds now, or -1 if none. */
    int owner(int pfn);

    /**
     * The object {@code mm} maps at {@code addr} through this device, or -1 if the address is not a mapping of this
     * device (the invariant then does not judge it).
     */
    int objectAt(Mm mm, long addr);

    /**
     * Whether device frame {@code pfn} is system memory the kernel's direct map covers with a write-back mapping, as
     * the pages of a TTM {@code ttm_tt} are (which the model keeps among a driver's frames with a {@code struct
     * page}): the cache-alias invariant then counts that WB alias. False by default (a BAR, local store or other
     * device memory has no direct-map alias).
     */
    default boolean linearMapped(int pfn) {
        return false;
    }
}
