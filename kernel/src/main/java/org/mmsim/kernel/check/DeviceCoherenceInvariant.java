package org.mmsim.kernel.check;

import java.util.ArrayList;
import java.util.List;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.api.SecondaryMmu;
import org.mmsim.kernel.api.SecondaryMmus;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.mm.pgtable.Pte;

/**
 * Device coherence: whenever a device's own translation (a KVM shadow pte, an on-demand-paging MR's device pte, a GPU
 * mirror's entry) is valid, it maps the frame the CPU page table maps at that address in that mm; and no device
 * access reaches a frame the mm no longer maps there, or comes after the device's notifier was released. A device
 * that follows the CPU through MMU notifiers keeps this by construction; one that relies on page references alone
 * diverges the step the CPU moves on (COW, munmap and mmap again, migration). An address the CPU does not map at the
 * moment is not checked until the device touches it: a zap the device was told of leaves no entry behind. A frame the
 * program itself unmapped from under the device (munmap, remap, MADV_DONTNEED, ftruncate) is a divergence the
 * program caused ({@link Divergences}), not a violation; a device holding a frame after its mm's teardown still is.
 */
final class DeviceCoherenceInvariant implements Invariant {

    @Override
    public String name() {
        return "device-coherence";
    }

    @Override
    public String doc() {
        return "a device's valid entry maps the frame the CPU maps there; no device access reaches another frame, or "
                + "comes after its notifier's release";
    }

    @Override
    public List<Violation> check(Kernel kernel) {
        List<SecondaryMmu> views = kernel.secondaryMmus().views();
        List<SecondaryMmus.StaleAccess> stale = kernel.secondaryMmus().drainStale();
        if (views.isEmpty() && stale.isEmpty()) {
            return List.of(); // no device: after every step of most searches
        }
        List<Violation> out = new ArrayList<>();
        for (int i = 0; i < views.size(); i++) {
            SecondaryMmu view = views.get(i);
            view.forEachEntry((mm, addr, pfn, writable) -> {
                if (mm.dead()) {
                    out.add(new Violation(name(), String.format(
                            "%s keeps a valid entry for %#x of mm %d (pfn %d) after the mm was torn down",
                            view.name(), addr, mm.id(), pfn)));
                    return;
                }
                long pte = mm.pte(addr);
                if (Pte.present(pte) && Pte.pfn(pte) != pfn
                        && !Divergences.programCaused(kernel, mm.id(), addr, pfn)) {
                    out.add(new Violation(name(), String.format(
                            "%s maps %#x of mm %d to pfn %d, but the CPU maps pfn %d: the device diverged",
                            view.name(), addr, mm.id(), pfn, Pte.pfn(pte))));
                }
            });
        }
        for (int i = 0; i < stale.size(); i++) {
            SecondaryMmus.StaleAccess a = stale.get(i);
            String what = a.write() ? "wrote" : "read";
            if (a.afterRelease()) {
                out.add(new Violation(name(), String.format(
                        "%s %s %#x of mm %d (pfn %d) after its notifier's release", a.device(), what, a.addr(),
                        a.mmId(), a.pfn())));
            } else if (!Divergences.programCaused(kernel, a.mmId(), a.addr(), a.pfn())) {
                out.add(new Violation(name(), String.format(
                        "%s %s pfn %d through %#x of mm %d, which the CPU %s", a.device(), what, a.pfn(), a.addr(),
                        a.mmId(), a.cpuPfn() < 0 ? "no longer maps" : "maps to pfn " + a.cpuPfn())));
            }
        }
        return out;
    }
}
