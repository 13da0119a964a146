package org.mmsim.kernel;

/**
 * Receives every change the kernel model makes, as it makes it: which kernel functions ran, and each
 * {@code struct page} field, pte and mm/vma field that changed, with old and new values. {@code mmsim run}
 * prints it; the explorer will use it to explain counterexamples. Recording is off unless a journal is set.
 */
public interface Journal {

    /** A modelled kernel function was entered, e.g. {@code "do_wp_page"}. */
    void path(String function);

    /** A {@code struct page} field of {@code pfn} changed. */
    void page(int pfn, String field, long oldValue, long newValue);

    /** The pte mapping {@code address} in the mm with id {@code mmId} changed. */
    void pte(int mmId, long address, long oldPte, long newPte);

    /** Any other change worth showing, already phrased, e.g. {@code "mm 1: MMF_HAS_PINNED set"}. */
    void note(String change);
}
