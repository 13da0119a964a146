package org.mmsim.kernel.api;

import org.mmsim.kernel.dmabuf.DmaBuf;
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

    /**
     * Report every valid entry that maps a page of a dma-buf the device imported (an RDMA memory region over a GPU
     * buffer), for the dmabuf-coherence invariant. None by default.
     */
    default void forEachDmaBufEntry(DmaBufEntries out) {}

    /** Whether the device may have entries over dma-bufs now (the invariant skips it, at no cost, if not). */
    default boolean importsDmaBufs() {
        return false;
    }

    /** Where entries over dma-bufs are reported. */
    @Export
    interface DmaBufEntries {
        /** The device maps page {@code page} of {@code dmabuf} to frame {@code pfn}; {@code who} names the mapping. */
        void entry(DmaBuf dmabuf, int page, int pfn, String who);
    }

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
