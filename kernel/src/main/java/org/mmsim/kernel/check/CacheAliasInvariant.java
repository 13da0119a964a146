package org.mmsim.kernel.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.api.DeviceMemory;
import org.mmsim.kernel.api.SecondaryMmu;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.pgtable.CacheMode;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.profile.CacheAliasing;

/**
 * Cache aliasing (brief §3.4, kernel-mm.md §8.5): no frame is mapped with two different cache attributes at once, on
 * a machine where that breaks coherency ({@code cache_aliasing=forbidden}). A frame of RAM, and a device frame a
 * driver says is system memory ({@link DeviceMemory#linearMapped}), has the kernel's direct map as a write-back alias;
 * every present pte of a device mapping has the attribute its PWT and PCD bits give ({@link CacheMode}); every entry a
 * secondary MMU reports with an attribute ({@link SecondaryMmu#forEachCacheEntry}: a guest's mapping) has its own.
 * A WC or UC mapping of RAM, or a guest's WB mapping of a frame the host maps WC, is a violation while it exists.
 *
 * <p>Ordinary VMAs map RAM write-back, as the direct map does, so only device mappings and secondary MMUs are walked:
 * the cost is what the devices map, nothing on a machine without them.
 */
final class CacheAliasInvariant implements Invariant {

    @Override
    public String name() {
        return "cache-alias";
    }

    @Override
    public String doc() {
        return "no frame is mapped with two cache attributes at once (WB direct map, WC or UC device and guest "
                + "mappings) where the architecture forbids it";
    }

    /** One mapping of a frame: its attribute and who maps it, for the message. */
    private record Alias(int mode, String who) {}

    @Override
    public List<Violation> check(Kernel kernel) {
        List<SecondaryMmu> views = kernel.secondaryMmus().views();
        MmCore core = kernel.mm();
        if (kernel.profile().cacheAliasing() == CacheAliasing.SELF_SNOOP) {
            return List.of();
        }
        List<Vma> deviceVmas = DeviceIsolationInvariant.deviceVmas(core);
        if (views.isEmpty() && deviceVmas.isEmpty()) {
            return List.of();
        }
        Map<Integer, List<Alias>> byPfn = new TreeMap<>();
        DeviceIsolationInvariant.forEachDevicePte(deviceVmas, (mm, addr, pte) -> add(byPfn, Pte.pfn(pte),
                CacheMode.of(pte), String.format("mm %d at %#x", mm.id(), addr)));
        for (int i = 0; i < views.size(); i++) {
            SecondaryMmu view = views.get(i);
            view.forEachCacheEntry((mm, addr, pfn, mode) -> add(byPfn, pfn, mode,
                    String.format("%s for %#x of mm %d", view.name(), addr, mm.id())));
        }
        if (byPfn.isEmpty()) {
            return List.of();
        }
        List<Violation> out = new ArrayList<>();
        for (Map.Entry<Integer, List<Alias>> e : byPfn.entrySet()) {
            int pfn = e.getKey();
            List<Alias> aliases = e.getValue();
            if (linearMapped(kernel, pfn)) {
                aliases.add(0, new Alias(CacheMode.WB, "the kernel's direct map"));
            }
            Alias first = aliases.get(0);
            for (Alias a : aliases) {
                if (a.mode() != first.mode()) {
                    out.add(new Violation(name(), String.format("pfn %d is mapped %s by %s and %s by %s", pfn,
                            CacheMode.name(first.mode()), first.who(), CacheMode.name(a.mode()), a.who())));
                    break;
                }
            }
        }
        return out;
    }

    private static void add(Map<Integer, List<Alias>> byPfn, int pfn, int mode, String who) {
        byPfn.computeIfAbsent(pfn, p -> new ArrayList<>()).add(new Alias(mode, who));
    }

    /** Whether the direct map covers {@code pfn} (RAM, or a device frame its driver says is system memory). */
    private static boolean linearMapped(Kernel kernel, int pfn) {
        if (pfn >= kernel.frames().nrFrames()) {
            return false;
        }
        if (!kernel.pageAlloc().isDevice(pfn)) {
            return true;
        }
        for (DeviceMemory d : kernel.deviceMemories()) {
            if (d.linearMapped(pfn)) {
                return true;
            }
        }
        return false;
    }
}
