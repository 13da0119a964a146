package org.mmsim.kernel.api;

import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.mm.Mm;

/**
 * A device's own translation of process addresses (a KVM shadow page table, an RDMA memory region's device page
 * table, a GPU mirror), as the driver registers it with {@link Exports#registerSecondaryMmu} so that the
 * device-coherence invariant can hold it against the CPU's page tables after every step.
 */
@Export
public interface SecondaryMmu {

    /** The device, for violations: e.g. {@code "kvm"}. */
    String name();

    /** Report every valid entry to {@code out}, in a fixed order. */
    void forEachEntry(Entries out);

    /** Where entries are reported. */
    @Export
    interface Entries {
        /**
         * The device maps {@code addr} of {@code mm} to frame {@code pfn} ({@code writable}: it may write through
         * it).
         */
        void entry(Mm mm, long addr, int pfn, boolean writable);
    }
}
