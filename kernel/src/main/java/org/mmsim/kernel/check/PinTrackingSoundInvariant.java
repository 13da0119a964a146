package org.mmsim.kernel.check;

import java.util.List;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.mm.AddressSpace;

/**
 * Pin tracking is sound (seed 003, docs/writeback.md §7): whenever writeback decides that a dirty page is not pinned
 * (pin_tracking: refcount, bias, mapcount-v1, mapcount-v2), no FOLL_PIN pin holds it. The decision happens inside the
 * writeback call, between the invariant checks, so writeback records a wrong "not pinned" in the page's address space
 * at that moment ({@link AddressSpace#pinTrackingMissed}) and this invariant reports it from then on. Pins are counted
 * as the model lays them out: each adds GUP_PIN_COUNTING_BIAS to the refcount, and nothing else adds as much. A false
 * "pinned" is allowed (writeback traces it as {@code pin_tracking: false positive}); FOLL_GET references are outside
 * every design but refcount.
 */
final class PinTrackingSoundInvariant implements Invariant {

    @Override
    public String name() {
        return "pin-tracking-sound";
    }

    @Override
    public String doc() {
        return "writeback never believes a page not pinned while a FOLL_PIN pin holds it";
    }

    @Override
    public List<Violation> check(Kernel kernel) {
        List<Violation> out = null;
        List<AddressSpace> mappings = kernel.mm().mappings();
        for (int i = 0; i < mappings.size(); i++) {
            AddressSpace mapping = mappings.get(i);
            if (mapping.pinMissIndex() >= 0) {
                out = Invariants.add(out, new Violation(name(), String.format(
                        "writeback believed page %d of %s not pinned "
                        + "(pin_tracking=%s) while %d pin%s held it", mapping.pinMissIndex(), mapping,
                        kernel.profile().pinTracking(), mapping.pinMissPins(), mapping.pinMissPins() == 1 ? "" : "s")));
            }
        }
        return out == null ? List.of() : out;
    }
}
