package org.mmsim.kernel.testing;

import java.util.List;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.task.Task;

/**
 * Entry points for the domain assertions the kernel tests are written in:
 * {@code assertThatPage(kernel, pfn).hasRefcount(2).hasMapcount(2).isNotAnonExclusive()} and
 * {@code assertThatPte(task, addr).isPresent().isReadOnly().mapsPfn(pfn)}, and the reverse map as text:
 * {@code assertThat(rmapWalk(k, pfn)).containsExactly(at(parent, addr), at(child, addr))}.
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

    /** Every pte that maps {@code pfn}, found by {@code rmap_walk()}, each as {@link #at} renders it. */
    public static List<String> rmapWalk(Kernel kernel, int pfn) {
        return kernel.rmap().rmapWalk(pfn).stream().map(m -> at(m.mm().id(), m.address())).toList();
    }

    /** Address {@code addr} of {@code task}'s mm, as {@link #rmapWalk} names it: {@code "mm 1 0x7effffffe000"}. */
    public static String at(Task task, long addr) {
        return at(task.mm().id(), addr);
    }

    private static String at(int mmId, long addr) {
        return String.format("mm %d %#x", mmId, addr);
    }
}
