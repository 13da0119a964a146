package org.mmsim.kernel.testing;

import org.assertj.core.api.AbstractAssert;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.task.Task;

/** AssertJ assertions on the pte of one task at one address. */
public final class PteAssert extends AbstractAssert<PteAssert, Long> {
    private final Task task;
    private final long addr;

    PteAssert(Task task, long addr) {
        super(KernelAssertions.pteOf(task, addr), PteAssert.class);
        this.task = task;
        this.addr = addr;
    }

    private String where() {
        return String.format("%s at %#x: %s", task, addr, Pte.describe(actual));
    }

    /** {@code pte_none()}: nothing mapped. */
    public PteAssert isNone() {
        if (!Pte.none(actual)) {
            failWithMessage("expected no pte but %s", where());
        }
        return this;
    }

    /** {@code pte_present()}: maps a page (PROT_NONE included). */
    public PteAssert isPresent() {
        if (!Pte.present(actual)) {
            failWithMessage("expected a present pte but %s", where());
        }
        return this;
    }

    public PteAssert isWritable() {
        isPresent();
        if (!Pte.write(actual)) {
            failWithMessage("expected a writable pte but %s", where());
        }
        return this;
    }

    public PteAssert isReadOnly() {
        isPresent();
        if (Pte.write(actual)) {
            failWithMessage("expected a read-only pte but %s", where());
        }
        return this;
    }

    public PteAssert isSpecial() {
        if (!Pte.special(actual)) {
            failWithMessage("expected a special pte but %s", where());
        }
        return this;
    }

    public PteAssert isNotSpecial() {
        if (Pte.special(actual)) {
            failWithMessage("expected a normal (not special) pte but %s", where());
        }
        return this;
    }

    public PteAssert isDirty() {
        if (!Pte.dirty(actual)) {
            failWithMessage("expected a dirty pte but %s", where());
        }
        return this;
    }

    /** Not dirty (as {@code folio_mkclean} leaves it). */
    public PteAssert isClean() {
        isPresent();
        if (Pte.dirty(actual)) {
            failWithMessage("expected a clean pte but %s", where());
        }
        return this;
    }

    public PteAssert isSoftDirty() {
        if (!Pte.softDirty(actual)) {
            failWithMessage("expected a soft-dirty pte but %s", where());
        }
        return this;
    }

    public PteAssert isNotSoftDirty() {
        if (Pte.softDirty(actual)) {
            failWithMessage("expected a pte without soft-dirty but %s", where());
        }
        return this;
    }

    /** Accessed ("young"). */
    public PteAssert isYoung() {
        if (!Pte.young(actual)) {
            failWithMessage("expected a young pte but %s", where());
        }
        return this;
    }

    public PteAssert isOld() {
        isPresent();
        if (Pte.young(actual)) {
            failWithMessage("expected an old (not accessed) pte but %s", where());
        }
        return this;
    }

    public PteAssert mapsPfn(int pfn) {
        isPresent();
        if (Pte.pfn(actual) != pfn) {
            failWithMessage("expected the pte to map pfn %d but %s", pfn, where());
        }
        return this;
    }

    public PteAssert doesNotMapPfn(int pfn) {
        isPresent();
        if (Pte.pfn(actual) == pfn) {
            failWithMessage("expected the pte to map another pfn than %d but %s", pfn, where());
        }
        return this;
    }

    /** Maps the shared zero page: special, read-only, {@link PageAlloc#ZERO_PFN}. */
    public PteAssert mapsZeroPage() {
        return mapsPfn(PageAlloc.ZERO_PFN).isSpecial().isReadOnly();
    }
}
