package org.mmsim.kernel.check;

import java.util.ArrayList;
import java.util.List;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.Detachments.Detachment;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.pgtable.Pte;

/**
 * Divergences the program caused: a long-term pin or a device's translation that holds a frame the CPU no longer maps
 * at that address, because the program itself unmapped, remapped, {@code MADV_DONTNEED}ed or truncated it (the
 * records of {@link org.mmsim.kernel.mm.Detachments}). The kernel behaves so by design, so pin-coherence and
 * device-coherence do not report them; a scenario names them with the condition atom {@code diverged}.
 */
public final class Divergences {
    private Divergences() {}

    /**
     * One holder parted from the CPU by the program.
     *
     * @param holder "a long-term pin" or the device's name
     * @param mmId the mm
     * @param addr the address
     * @param pfn the frame the holder keeps
     * @param cpuPfn the frame the CPU maps there now, or -1 for none
     * @param cause the program's call that took the mapping
     */
    public record Divergence(String holder, int mmId, long addr, int pfn, long cpuPfn, String cause) {
        @Override
        public String toString() {
            return String.format("%s holds pfn %d for %#x of mm %d, where the CPU %s since the program's %s",
                    holder, pfn, addr, mmId, cpuPfn < 0 ? "maps nothing" : "maps pfn " + cpuPfn, cause);
        }
    }

    /** Whether the program unmapped {@code pfn} at {@code addr} of mm {@code mmId} from under its holder. */
    static boolean programCaused(Kernel kernel, int mmId, long addr, int pfn) {
        return kernel.mm().detachments().causeOf(mmId, addr, pfn) != null;
    }

    /** The divergences the program caused that hold in {@code kernel} now, in the order they began. */
    public static List<Divergence> of(Kernel kernel) {
        List<Divergence> out = new ArrayList<>();
        for (Detachment d : kernel.mm().detachments().all()) {
            Mm mm = kernel.mm().mm(d.mmId());
            if (mm == null || mm.dead()) {
                continue;
            }
            boolean held = kernel.gupHolders().longtermPinAt(mm, d.addr(), d.pfn())
                    || kernel.secondaryMmus().holder(mm, d.addr(), d.pfn()) != null;
            long pte = mm.vmaAt(d.addr()) == null ? 0 : mm.pte(d.addr());
            long cpuPfn = Pte.present(pte) ? Pte.pfn(pte) : -1;
            if (held && cpuPfn != d.pfn()) {
                out.add(new Divergence(d.holder(), d.mmId(), d.addr(), d.pfn(), cpuPfn, d.cause()));
            }
        }
        return out;
    }
}
