package org.mmsim.kernel.check;

import java.util.List;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.pgtable.Pte;

/**
 * Pin coherence: while a long-term pin is held and its mm still maps the address, the pte must map the pinned
 * frame. Otherwise the device and the CPU have silently parted (COW breaking the wrong way, B3; clear_refs, B4).
 * An address that is not mapped at the moment (zapped by the owner) is not checked, and a frame the program itself
 * unmapped from under the pin (munmap, remap, MADV_DONTNEED, ftruncate) is a divergence the program caused
 * ({@link Divergences}), not a violation.
 */
final class PinCoherenceInvariant implements Invariant {

    @Override
    public String name() {
        return "pin-coherence";
    }

    @Override
    public String doc() {
        return "a FOLL_LONGTERM pin and the CPU pte of the same address map the same frame";
    }

    @Override
    public List<Violation> check(Kernel kernel) {
        List<Violation> out = null;
        for (GupPages g : kernel.gupHolders().held()) {
            Mm mm = g.mm();
            if (!g.pinned() || !g.longterm() || mm.dead()) {
                continue;
            }
            for (int i = 0; i < g.nr(); i++) {
                long addr = g.address(i);
                long pte = mm.pte(addr);
                if (mm.vmaAt(addr) == null || !Pte.present(pte)) {
                    continue;
                }
                if (Pte.pfn(pte) != g.pfn(i) && !Divergences.programCaused(kernel, mm.id(), addr, g.pfn(i))) {
                    out = Invariants.add(out, new Violation(name(), String.format(
                            "long-term pin of mm %d at %#x holds pfn %d, but the CPU maps pfn %d",
                            mm.id(), addr, g.pfn(i), Pte.pfn(pte))));
                }
            }
        }
        return out == null ? List.of() : out;
    }
}
