package org.mmsim.kernel.check;

import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.pgtable.Pte;

/** What the file invariants ask of the page cache: dirty ptes and GUP holders of a cached page. */
final class FileCaches {
    private FileCaches() {}

    /** Whether a pte of a mapping of {@code mapping} maps {@code pfn} (page {@code index}) dirty. */
    static boolean dirtyPte(AddressSpace mapping, long index, int pfn) {
        for (Vma vma : mapping.iMmap()) {
            if (vma.mm().dead() || index < vma.pgoff()) {
                continue;
            }
            long addr = vma.start() + (index - vma.pgoff()) * Page.PAGE_SIZE;
            if (addr >= vma.end()) {
                continue;
            }
            long pte = vma.mm().pte(addr);
            if (Pte.present(pte) && !Pte.special(pte) && Pte.pfn(pte) == pfn && Pte.dirty(pte)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a GUP array (a device's reference or pin) still holds {@code pfn}. */
    static boolean gupHeld(Kernel kernel, int pfn) {
        for (GupPages g : kernel.gupHolders().held()) {
            for (int i = 0; i < g.nr(); i++) {
                if (g.pfn(i) == pfn) {
                    return true;
                }
            }
        }
        return false;
    }
}
