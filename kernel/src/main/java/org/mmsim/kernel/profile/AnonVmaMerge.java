package org.mmsim.kernel.profile;

/**
 * Which anon_vmas {@code vma_merge} lets two VMAs join with ({@code is_mergeable_anon_vma}, mm/mmap.c, mm/vma.c
 * from 6.12): the history of one check.
 */
public enum AnonVmaMerge {
    /**
     * Up to 2.6.39: the same anon_vma, or none on one side ({@code !anon_vma1 || !anon_vma2 || anon_vma1 ==
     * anon_vma2}). A forked child's VMA shared its parent's anon_vma until 2.6.34 and chained to it after; neither
     * kept it from merging.
     */
    EITHER,
    /**
     * 3.0 ({@code 965f55dea0e3}, Shaohua Li, "mmap: avoid merging cloned VMAs"): where one side has no anon_vma,
     * the neighbour's {@code anon_vma_chain} must be singular, which keeps a forked child's VMA from taking in a new
     * neighbour; it also refuses a VMA with an anon_vma beside one without (an empty chain is not singular), which
     * nobody meant (Jann Horn, 2023).
     */
    SINGULAR_TARGET,
    /**
     * 6.16 ({@code 879bca0a2c4f}, Lorenzo Stoakes, "mm/vma: fix incorrectly disallowed anonymous VMA merges"): where
     * one side has no anon_vma, the side that has one must not be a forked child's ({@code vma_is_fork_child}),
     * whichever side it is.
     */
    FORK_CHILD
}
