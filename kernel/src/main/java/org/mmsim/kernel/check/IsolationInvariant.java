package org.mmsim.kernel.check;

import java.util.List;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.Observation;

/**
 * Isolation after fork: a process, or a pipe on its behalf, may read anonymous data another process stored only
 * if that process is an ancestor and stored it before the fork that led to the reader. Anything else is data
 * that leaked through a page that should have been copied (CVE-2020-29374 and its mirror).
 *
 * <p>Consumes the kernel's observation log ({@link MmCore#drainObservations()}) each time it runs.
 */
final class IsolationInvariant implements Invariant {

    @Override
    public String name() {
        return "isolation";
    }

    @Override
    public String doc() {
        return "no process or pipe reads private anon data another process stored after they were separated by fork";
    }

    @Override
    public List<Violation> check(Kernel kernel) {
        List<Violation> out = null;
        for (Observation o : kernel.mm().drainObservations()) {
            if (!legitimate(kernel.mm(), o)) {
                out = Invariants.add(out, new Violation(name(), String.format(
                        "%s by mm %d sees data mm %d stored into pfn %d after the two were separated by fork",
                        o.how(), o.observerMmId(), o.writerMmId(), o.pfn())));
            }
        }
        return out == null ? List.of() : out;
    }

    /** Walk up from the observer: legitimate iff the writer is an ancestor and wrote before the separating fork. */
    static boolean legitimate(MmCore mm, Observation o) {
        int cur = o.observerMmId();
        while (true) {
            int parent = mm.mmParent(cur);
            if (parent == 0) {
                return false;
            }
            if (parent == o.writerMmId()) {
                return o.writeEpoch() < mm.mmSeparation(cur);
            }
            cur = parent;
        }
    }
}
