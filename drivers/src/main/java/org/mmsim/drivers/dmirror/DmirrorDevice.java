package org.mmsim.drivers.dmirror;

import java.util.Arrays;
import org.mmsim.kernel.state.StateHasher;

/**
 * {@code struct dmirror_device} of a unit with device-coherent memory (lib/test_hmm.c): the pagemap it mapped and its
 * free pages. test_hmm keeps the free pages on a list threaded through {@code page->zone_device_data}, pushed by
 * {@code dmirror_devmem_free} and popped by {@code dmirror_devmem_alloc_page}; here a stack, top last.
 */
final class DmirrorDevice {
    final int unit;
    /** The pagemap's first PFN, and its index among the machine's pagemaps ({@code pgmap_owner} in migrations). */
    final int first;
    final int pagemap;
    /** {@code mdevice->free_pages}. */
    private int[] free;
    private int nfree;
    /** {@code mdevice->calloc}, {@code mdevice->cfree}: pages handed out and given back. */
    private long calloc;
    private long cfree;

    /** A device whose {@code pages} pages from {@code first} are all free, the lowest PFN deepest. */
    DmirrorDevice(int unit, int first, int pagemap, int pages) {
        this.unit = unit;
        this.first = first;
        this.pagemap = pagemap;
        free = new int[pages];
        for (int pfn = first; pfn < first + pages; pfn++) {
            free[nfree++] = pfn;
        }
    }

    /** A copy for a copied machine. */
    DmirrorDevice(DmirrorDevice o) {
        unit = o.unit;
        first = o.first;
        pagemap = o.pagemap;
        free = o.free.clone();
        nfree = o.nfree;
        calloc = o.calloc;
        cfree = o.cfree;
    }

    boolean owns(int pfn) {
        return pfn >= first && pfn < first + DmirrorDriver.COHERENT_PAGES;
    }

    /** {@code dmirror_devmem_alloc_page}'s pop: a free page, or -1 (the chunk is used up). */
    int pop() {
        if (nfree == 0) {
            return -1;
        }
        calloc++;
        return free[--nfree];
    }

    /** {@code dmirror_devmem_free}'s push. */
    void push(int pfn) {
        if (nfree == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[nfree++] = pfn;
        cfree++;
    }

    void hashInto(StateHasher h) {
        h.add(unit).add(first).add(pagemap).add(calloc).add(cfree).add(nfree);
        for (int i = 0; i < nfree; i++) {
            h.add(free[i]);
        }
    }
}
