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
}
