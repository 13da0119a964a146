package org.mmsim.kernel.api;

import java.util.List;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;

/**
 * The judgement of the device-isolation invariant: whether {@code mm} reaching device frame {@code pfn} at
 * {@code addr} reaches the memory of the object it maps there, asked of the drivers' {@link DeviceMemory} views. The
 * kernel asks it at the moment of every device access ({@link MmCore#observeDevice}), so that an access is judged
 * against the owners of that moment, not those of the next check; the invariant asks it of every device pte.
 */
public final class DeviceOwners {
    private DeviceOwners() {}

    /** What is wrong ({@code what}: "maps", "load reached", ...), or null. */
    public static String judge(List<DeviceMemory> devices, Mm mm, long addr, int pfn, String what) {
        for (DeviceMemory d : devices) {
            int object = d.objectAt(mm, addr);
            if (object < 0) {
                continue;
            }
            int owner = d.owner(pfn);
            if (owner != object) {
                return String.format("mm %d %s pfn %d at %#x, a mapping of %s object %d, but the frame holds %s",
                        mm.id(), what, pfn, addr, d.name(), object, owner < 0 ? "no object" : "object " + owner);
            }
        }
        return null;
    }

    /** The judge a kernel installs in its {@link MmCore} for {@code devices}. */
    public static MmCore.DeviceAccessJudge judgeOf(List<DeviceMemory> devices) {
        return (mm, addr, pfn, how) -> devices.isEmpty() ? null : judge(devices, mm, addr, pfn, how + " reached");
    }
}
