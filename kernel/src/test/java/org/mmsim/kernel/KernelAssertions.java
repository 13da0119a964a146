package org.mmsim.kernel;

/**
 * Entry points for the domain assertions the kernel tests are written in:
 * {@code assertThatPage(kernel, pfn).hasRefcount(2).hasMapcount(2).isNotAnonExclusive()} and
 * {@code assertThatPte(task, addr).isPresent().isReadOnly().mapsPfn(pfn)}.
 */
public final class KernelAssertions {

    private KernelAssertions() {}

    /** Assertions on {@code struct page} of {@code pfn}, as {@code kernel} sees it now. */
    public static PageAssert assertThatPage(Kernel kernel, int pfn) {
        return new PageAssert(kernel, pfn);
    }

    /** Assertions on the pte that maps {@code addr} in {@code task}'s mm, read now. */
    public static PteAssert assertThatPte(Task task, long addr) {
        return new PteAssert(task, addr);
    }

    /** The pte that maps {@code addr} in {@code task}'s mm (0 if none). */
    public static long pteOf(Task task, long addr) {
        if (task.mm() == null) {
            throw new IllegalArgumentException(task + " has exited; it has no ptes");
        }
        return task.mm().pte(addr);
    }

    /** The PFN the pte of {@code task} at {@code addr} maps; fails if the pte is not present. */
    public static int pfnAt(Task task, long addr) {
        long pte = pteOf(task, addr);
        if (!Pte.present(pte)) {
            throw new AssertionError(String.format("%s has no present pte at %#x (%s)", task, addr, Pte.describe(pte)));
        }
        return Pte.pfn(pte);
    }
}
