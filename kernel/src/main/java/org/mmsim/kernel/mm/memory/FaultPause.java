package org.mmsim.kernel.mm.memory;

import org.mmsim.kernel.mm.VmFault;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.state.StateHasher;

/**
 * A fault stopped between the owner's handler and the pte it maps: what {@code do_no_page} or {@code do_no_pfn}
 * holds on its stack after {@code ->nopage}/{@code ->nopfn} returned (the PFN, and for {@code do_no_page} the
 * {@code truncate_count} it sampled), or a {@code ->fault} handler's own continuation ({@link VmFault.Resume}). The
 * faulting thread holds {@code mmap_lock} for read meanwhile; nothing else, so {@code unmap_mapping_range} (which
 * needs only the i_mmap lock and pte locks) can run in between: the window seed 000 is about.
 */
public final class FaultPause extends StateObject {
    /** What the resumed step does. */
    public enum Kind {
        /** {@code do_no_page} after {@code ->nopage}: recheck {@code truncate_count}, then map the page. */
        NOPAGE,
        /** {@code do_no_pfn} after {@code ->nopfn}: map the PFN if the pte is still none. */
        NOPFN,
        /** A {@code ->fault} handler that paused: {@link VmFault.Resume#resume}. */
        HANDLER,
        /**
         * {@code wp_page_copy} after it copied the page into {@code pfn} without the pte lock, before it takes the
         * lock again and checks {@code pte_same} against the pte it faulted on ({@code sequence}); only where
         * translations are cached (a scenario's {@code tlb}), the one place another CPU can tell.
         */
        WP_COPY
    }

    final Kind kind;
    final Vma vma;
    final long addr;
    final int flags;
    final long pfn;
    final long sequence;
    final VmFault.Resume resume;

    FaultPause(Kind kind, Vma vma, long addr, int flags, long pfn, long sequence, VmFault.Resume resume) {
        this.kind = kind;
        this.vma = vma;
        this.addr = addr;
        this.flags = flags;
        this.pfn = pfn;
        this.sequence = sequence;
        this.resume = resume;
    }

    /** The handler's continuation, or null for {@code do_no_page}/{@code do_no_pfn}. */
    public VmFault.Resume resume() {
        return resume;
    }

    /** For traces: where the fault stopped. */
    @Override
    public String toString() {
        return switch (kind) {
            case NOPAGE -> String.format("->nopage returned pfn %d at %#x", pfn, addr);
            case NOPFN -> String.format("->nopfn returned pfn %d at %#x", pfn, addr);
            case HANDLER -> String.format("%s slept at %#x", vma.vmOps().name(), addr);
            case WP_COPY -> String.format("wp_page_copy copied %#x into pfn %d", addr, pfn);
        };
    }

    /** Kind, VMA, address, flags, PFN, sequence and the handler's own values. */
    public void hashInto(StateHasher h) {
        h.add(kind.ordinal()).add(vma.start()).add(addr).add(flags).add(pfn).add(sequence);
        if (resume != null) {
            resume.hashInto(h);
        }
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private FaultPause(FaultPause o, Copier c) {
        c.pair(o, this);
        this.kind = o.kind;
        this.vma = c.copy(o.vma);
        this.addr = o.addr;
        this.flags = o.flags;
        this.pfn = o.pfn;
        this.sequence = o.sequence;
        this.resume = c.copy(o.resume);
    }

    @Override
    public FaultPause copy(Copier c) {
        return new FaultPause(this, c);
    }
}
