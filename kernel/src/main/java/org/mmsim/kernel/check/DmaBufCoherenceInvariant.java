package org.mmsim.kernel.check;

import java.util.ArrayList;
import java.util.List;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.api.SecondaryMmu;
import org.mmsim.kernel.bug.Violation;

/**
 * dma-buf coherence (brief §3.4, dynamic importers): every page of a dma-buf an importing device can reach through its
 * own translation ({@link SecondaryMmu#forEachDmaBufEntry}: an RDMA memory region's table over the buffer) is the frame
 * the exporter holds that page in now ({@code DmaBufOps#backingPfn}). An importer that keeps using a mapping after the
 * exporter moved the buffer, having ignored {@code ->move_notify}, reads and writes frames that now hold another
 * buffer or nothing: a violation from the step that completes the move.
 *
 * <p>The cost is what importers map: nothing on a machine without one.
 */
final class DmaBufCoherenceInvariant implements Invariant {

    @Override
    public String name() {
        return "dmabuf-coherence";
    }

    @Override
    public String doc() {
        return "every dma-buf page an importing device can reach is the frame the exporter holds it in now";
    }

    @Override
    public List<Violation> check(Kernel kernel) {
        List<SecondaryMmu> views = kernel.secondaryMmus().views();
        List<Violation> out = null;
        for (int i = 0; i < views.size(); i++) {
            SecondaryMmu view = views.get(i);
            if (!view.importsDmaBufs()) {
                continue;
            }
            if (out == null) {
                out = new ArrayList<>(0);
            }
            List<Violation> found = out;
            view.forEachDmaBufEntry((dmabuf, page, pfn, who) -> {
                int now = dmabuf.ops().backingPfn(dmabuf, page);
                if (now >= 0 && now != pfn) {
                    found.add(new Violation(name(), String.format("%s maps page %d of the dma-buf of %s to pfn %d; "
                            + "the exporter holds it in pfn %d", who, page, dmabuf.ops().name(), pfn, now)));
                }
            });
        }
        return out == null || out.isEmpty() ? List.of() : out;
    }
}
