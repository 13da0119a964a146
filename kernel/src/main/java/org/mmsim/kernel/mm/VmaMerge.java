package org.mmsim.kernel.mm;

import org.mmsim.kernel.profile.AnonVmaMerge;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.trace.Change;

/**
 * {@code vma_merge} (mm/vma.c: {@code vma_merge_new_range} for a new mapping, {@code vma_merge_existing_range} through
 * {@code vma_modify} for a range whose flags changed, {@code vma_merge_extend} for mremap's growth; mm/mmap.c's one
 * {@code vma_merge} before 6.12): a VMA joins the neighbour it touches when nothing the kernel keeps per VMA tells
 * them apart, so that two adjacent anonymous mmaps, or an mprotect undone, leave one VMA. It can be seen: an mremap
 * over what the kernel merged is one VMA (not -EFAULT), and the VMA count is lower.
 *
 * <p>Two VMAs may become one when their flags are equal but for VM_SOFTDIRTY, neither is special (VM_IO,
 * VM_DONTEXPAND, VM_PFNMAP, VM_MIXEDMAP: {@code vma_merge} returns at once), they map the same file with
 * consecutive page offsets (anonymous ones too: their pgoff is their address), and their anon_vmas agree
 * ({@link #anonMergeable}). The kernel also compares the mempolicy, the userfaultfd context and the anon name, and
 * refuses a VMA whose {@code vm_ops} has {@code ->close}; the model has none of these, and no {@code vm_ops} of the
 * model has {@code ->close}.
 *
 * <p>The kernel merges before it splits: {@code vma_modify} tries the merge first and splits only what is left. The
 * model splits first and merges the changed part back into its neighbours, which ends in the same VMAs (the lower
 * one survives, the kernel's surviving {@code vm_area_struct} can be the other, which nothing observes); only a
 * split refused at {@code vm.max_map_count} differs.
 */
public final class VmaMerge {
    /** {@code VM_SPECIAL}: VMAs that are never merged. */
    private static final long VM_SPECIAL = VmFlags.VM_IO | VmFlags.VM_DONTEXPAND | VmFlags.VM_PFNMAP
            | VmFlags.VM_MIXEDMAP;

    private VmaMerge() {}

    /**
     * Merge {@code vma}, linked in its mm with the flags it is to keep, with the VMA that ends where it starts and the
     * one that starts where it ends, each if it may ({@code can_vma_merge_left/right}); both only if their own
     * anon_vmas agree too ({@code are_anon_vmas_compatible}), else the lower one alone. The merged VMA has
     * {@code vma}'s flags (mprotect, mlock and madvise reset them after the merge; mmap sets VM_SOFTDIRTY on it).
     *
     * @return the VMA that covers {@code vma}'s range now: {@code vma} or the one below it
     */
    public static Vma merge(Vma vma) {
        Mm mm = vma.mm();
        Vma prev = mm.vmaBelow(vma.start());
        if (prev != null && prev.end() != vma.start()) {
            prev = null;
        }
        boolean left = prev != null && mergeable(prev, vma, vma, prev);
        Vma next = mm.vmaAt(vma.end());
        boolean right = next != null && next.start() == vma.end() && mergeable(vma, next, vma, next)
                && (!left || anonCompatible(prev, next));
        if (left) {
            join(prev, vma, vma.flags());
            vma = prev;
        }
        if (right) {
            join(vma, next, vma.flags());
        }
        return vma;
    }

    /**
     * mremap's merge after growing a VMA (6.1, a {@code vma_merge} call; later {@code vma_merge_extend};
     * {@link Switch#MREMAP_EXPAND_MERGE}): {@code vma}, just grown, with the VMA that starts where it now ends, if it
     * may.
     */
    public static void mergeNext(Vma vma) {
        Vma next = vma.mm().vmaAt(vma.end());
        if (next != null && next.start() == vma.end() && mergeable(vma, next, vma, next)) {
            join(vma, next, vma.flags());
        }
    }

    /**
     * {@code is_mergeable_vma} and {@code can_vma_merge_before/after} for {@code lower} directly below {@code upper}:
     * {@code src} is the VMA being merged (its anon_vma is {@code vmg->anon_vma}), {@code tgt} the neighbour.
     */
    private static boolean mergeable(Vma lower, Vma upper, Vma src, Vma tgt) {
        return ((lower.flags() ^ upper.flags()) & ~VmFlags.VM_SOFTDIRTY) == 0 && !lower.has(VM_SPECIAL)
                && lower.file() == upper.file() && lower.vmOps() == upper.vmOps()
                && lower.pgoff() + Mm.pages(lower.start(), lower.end()) == upper.pgoff()
                && anonMergeable(src, tgt);
    }

    /**
     * {@code is_mergeable_anon_vma} ({@link Switch#ANON_VMA_MERGE}): the same anon_vma, or none on one side. Up to
     * 2.6.39 that is all. From 3.0, where only the neighbour has one, the neighbour must not be a forked child's
     * ({@code list_is_singular(&vma->anon_vma_chain)}), and where only the VMA being merged has one the kernel refused
     * (it asked the neighbour's empty chain to be singular); from 6.16 the side that has it must not be a forked
     * child's ({@code vma_is_fork_child}).
     */
    private static boolean anonMergeable(Vma src, Vma tgt) {
        AnonVma s = src.anonVma();
        AnonVma t = tgt.anonVma();
        if (s != null && t != null) {
            return s == t;
        }
        AnonVmaMerge rule = src.mm().core().profile().anonVmaMerge();
        if (s == null && t == null || rule == AnonVmaMerge.EITHER) {
            return true;
        }
        if (s == null) {
            return !t.forkChild(tgt);
        }
        return rule == AnonVmaMerge.FORK_CHILD && !s.forkChild(src);
    }

    /** {@code are_anon_vmas_compatible(prev, next)}: {@code is_mergeable_anon_vma} with no VMA to ask. */
    private static boolean anonCompatible(Vma prev, Vma next) {
        return prev.anonVma() == null || next.anonVma() == null || prev.anonVma() == next.anonVma();
    }

    /**
     * {@code commit_merge}: {@code lower} grows over {@code upper}, which goes ({@code vma_complete}: out of the tree
     * and {@code i_mmap}, its file reference dropped, {@code anon_vma_merge}); {@code lower} takes {@code upper}'s
     * anon_vma if it had none ({@code dup_anon_vma}) and the flags {@code flags}. Journalled as the two VMAs removed
     * and the merged one created.
     */
    private static void join(Vma lower, Vma upper, long flags) {
        Mm mm = lower.mm();
        if (mm.core().trace().on()) {
            mm.core().trace().record(new Change.Vma(mm.id(), Change.VmaEvent.REMOVED, lower.start(), lower.end(),
                    lower.flags(), 0));
            mm.core().trace().record(new Change.Vma(mm.id(), Change.VmaEvent.REMOVED, upper.start(), upper.end(),
                    upper.flags(), 0));
        }
        if (lower.anonVma() == null && upper.anonVma() != null) {
            lower.setAnonVma(upper.anonVma());
            lower.anonVma().link(lower);
        }
        mm.unlinkMerged(upper);
        lower.expandTo(upper.end());
        lower.mergedFlags(flags);
        if (mm.core().trace().on()) {
            mm.core().trace().record(new Change.Vma(mm.id(), Change.VmaEvent.CREATED, lower.start(), lower.end(), 0,
                    flags));
        }
    }
}
