package org.mmsim.kernel.mm.page;

import org.mmsim.kernel.export.Export;

/**
 * Someone outside the kernel's own structures (a device's table of pages it took with {@code get_page}) that holds
 * page references: the accounting invariant asks every registered holder to name its references, so that each
 * {@code _refcount} can be explained.
 */
@Export
public interface PageReferences {

    /** Receives one holder's references. */
    @FunctionalInterface
    interface Visitor {
        /** The holder holds {@code count} references on frame {@code pfn}. */
        void ref(int pfn, int count);
    }

    /** Who holds them, for messages. */
    String holder();

    /** Name every reference held now. */
    void visit(Visitor v);
}
