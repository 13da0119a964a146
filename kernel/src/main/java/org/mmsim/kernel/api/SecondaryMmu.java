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

    /**
     * Report every valid entry with the cache attribute ({@code CacheMode}) the device's accesses through it use, for
     * the cache-alias invariant: a CPU-side mapping such as a guest's (KVM), not a device's DMA, which the model
     * treats as coherent. None by default.
     */
    default void forEachCacheEntry(CacheEntries out) {}

    /** Where entries with a cache attribute are reported. */
    @Export
    interface CacheEntries {
        /** The device maps {@code addr} of {@code mm} to frame {@code pfn} with attribute {@code cacheMode}. */
        void entry(Mm mm, long addr, int pfn, int cacheMode);
    }

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
