package org.mmsim.kernel.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;

/**
 * The secondary MMUs drivers registered, and the device accesses since the last check that reached a frame the CPU
 * does not map at that address, or came after the device's notifier was released: what the device-coherence
 * invariant reads. The views are the drivers' (their state is fingerprinted as the drivers registered it); the
 * pending accesses are the kernel's, fingerprinted and copied here.
 */
public final class SecondaryMmus implements Hashable {
    /** One device access the invariant must report. */
    public record StaleAccess(String device, int mmId, long addr, int pfn, int cpuPfn, boolean write,
            boolean afterRelease) {}

    private final List<SecondaryMmu> views = new ArrayList<>();
    private final List<StaleAccess> stale = new ArrayList<>();

    void register(SecondaryMmu view) {
        views.add(view);
    }

    void stale(StaleAccess a) {
        stale.add(a);
    }

    /** Every registered view, in registration order. */
    public List<SecondaryMmu> views() {
        // after every explored step several checks ask, mostly of a machine without devices: no view to make then
        return views.isEmpty() ? List.of() : Collections.unmodifiableList(views);
    }

    /** The first view with a valid entry mapping {@code addr} of {@code mm} to {@code pfn}: its name, or null. */
    public String holder(Mm mm, long addr, int pfn) {
        String[] found = new String[1];
        for (SecondaryMmu view : views) {
            view.forEachEntry((m, a, p, writable) -> {
                if (found[0] == null && m == mm && a == addr && p == pfn) {
                    found[0] = view.name();
                }
            });
            if (found[0] != null) {
                return found[0];
            }
        }
        return null;
    }

    /** The stale accesses since the last call; clears them. */
    public List<StaleAccess> drainStale() {
        if (stale.isEmpty()) {
            return List.of();
        }
        List<StaleAccess> out = List.copyOf(stale);
        stale.clear();
        return out;
    }

    @Override
    public void hashInto(StateHasher h) {
        h.add(stale.size());
        for (int i = 0; i < stale.size(); i++) { // indexed: fingerprinted at every explored state
            StaleAccess a = stale.get(i);
            h.add(a.device()).add(a.mmId()).add(a.addr()).add(a.pfn()).add(a.cpuPfn()).add(a.write())
                    .add(a.afterRelease());
        }
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    /** The pending accesses (values) of {@code o}; the views are registered again by the copied drivers. */
    public void copyFrom(SecondaryMmus o, Copier c) {
        if (!o.stale.isEmpty()) { // addAll makes an array even of nothing
            stale.addAll(o.stale);
        }
    }
}
