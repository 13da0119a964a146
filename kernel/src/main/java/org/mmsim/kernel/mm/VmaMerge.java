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
    /**
     * {@code VM_SPECIAL}: VMAs that are never merged. Before 3.7 it was VM_IO, VM_DONTEXPAND, VM_RESERVED and
     * VM_PFNMAP, without VM_MIXEDMAP; every VM_MIXEDMAP VMA of the model also has VM_IO.
     */
    private static final long VM_SPECIAL = VmFlags.VM_IO | VmFlags.VM_DONTEXPAND | VmFlags.VM_PFNMAP
            | VmFlags.VM_MIXEDMAP;

    private VmaMerge() {}

    /**
     * Merge {@code vma}, linked in its mm with the flags it is to keep (a new mapping, or a range whose flags mprotect,
     * mlock or madvise changed), with the VMA that ends where it starts and the one that starts where it ends, each if
     * it may ({@code can_vma_merge_left/right}); both only if their own anon_vmas agree too
     * ({@code are_anon_vmas_compatible}), else the lower one alone. The merged VMA has {@code vma}'s flags (mprotect,
     * mlock and madvise reset them after the merge; mmap sets VM_SOFTDIRTY on it, and {@code vma} has it).
     *
     * @return the VMA that covers {@code vma}'s range now: {@code vma} or the one below it
     */
    public static Vma merge(Vma vma) {
        return merge(vma, false);
    }

    /**
     * {@code copy_vma}'s merge of a VMA mremap just made at its new place: as {@link #merge}, but the merged VMA keeps
     * the neighbour's flags (a VM_SOFTDIRTY the moved VMA had does not reach it: copy_vma sets none). From 6.16 the
     * moved VMA must not be a forked child's where the neighbour has no anon_vma: the model has the later fix of the
     * 6.16 change ("mm/vma: fix anon_vma UAF on mremap faulted, unfaulted merge", {@code vmg->copied_from}), which
     * checks it.
     */
    public static Vma mergeCopied(Vma moved) {
        return merge(moved, true);
    }

    private static Vma merge(Vma vma, boolean copied) {
        Mm mm = vma.mm();
        Vma prev = mm.vmaBelow(vma.start());
        if (prev != null && prev.end() != vma.start()) {
            prev = null;
        }
        boolean left = prev != null && mergeable(prev, vma, vma, prev, true);
        Vma next = mm.vmaAt(vma.end());
        boolean right = next != null && next.start() == vma.end() && mergeable(vma, next, vma, next, true)
                && (!left || anonCompatible(prev, next));
        long flags = !copied ? vma.flags() : left ? prev.flags() : right ? next.flags() : vma.flags();
        if (left) {
            join(prev, vma, flags);
            vma = prev;
        }
        if (right) {
            join(vma, next, flags);
        }
        return vma;
    }

    /**
     * mremap's merge after growing a VMA (6.1, a {@code vma_merge} call; later {@code vma_merge_extend};
     * {@link Switch#MREMAP_EXPAND_MERGE}): {@code vma}, just grown, with the VMA that starts where it now ends, if it
     * may. The grown VMA is the merge's target, not a source ({@code vma_merge_extend} leaves {@code vmg->middle}
     * empty), so from 6.16 it may be a forked child's.
     */
    public static void mergeNext(Vma vma) {
        Vma next = vma.mm().vmaAt(vma.end());
        if (next != null && next.start() == vma.end() && mergeable(vma, next, vma, next, false)) {
            join(vma, next, vma.flags());
        }
    }

    /**
     * {@code is_mergeable_vma} and {@code can_vma_merge_before/after} for {@code lower} directly below {@code upper}:
     * {@code src} is the VMA being merged (its anon_vma is {@code vmg->anon_vma}), {@code tgt} the neighbour.
     */
    private static boolean mergeable(Vma lower, Vma upper, Vma src, Vma tgt, boolean srcIsMiddle) {
        return ((lower.flags() ^ upper.flags()) & ~VmFlags.VM_SOFTDIRTY) == 0 && !lower.has(VM_SPECIAL)
                && lower.file() == upper.file() && lower.vmOps() == upper.vmOps()
                && lower.pgoff() + Mm.pages(lower.start(), lower.end()) == upper.pgoff()
                && anonMergeable(src, tgt, srcIsMiddle);
    }

    /**
     * {@code is_mergeable_anon_vma} ({@link Switch#ANON_VMA_MERGE}): the same anon_vma, or none on one side. Up to
     * 2.6.39 that is all (a forked child's VMA shared its parent's anon_vma until 2.6.34, and had one of its own after,
     * {@link Vma#forkChild}). From 3.0, where only the neighbour has one, the
     * neighbour must not be a forked child's ({@code list_is_singular(&vma->anon_vma_chain)}), while where only the
     * VMA being merged has one the kernel refused (it asked the neighbour's empty chain to be singular); from 6.16 the
     * side that has it must not be a forked child's ({@code vma_is_fork_child}), the source only if it is the
     * merge's middle VMA ({@code srcIsMiddle}).
     */
    private static boolean anonMergeable(Vma src, Vma tgt, boolean srcIsMiddle) {
        AnonVma s = src.anonVma();
        AnonVma t = tgt.anonVma();
        AnonVmaMerge rule = src.mm().core().profile().anonVmaMerge();
        if (s != null && t != null) {
            return s == t && (rule == AnonVmaMerge.EITHER || src.sameAnonVma(tgt));
        }
        if (s == null && t == null || rule == AnonVmaMerge.EITHER) {
            return true;
        }
        if (s == null) {
            return !tgt.forkChild();
        }
        return rule == AnonVmaMerge.FORK_CHILD && !(srcIsMiddle && src.forkChild());
    }

    /** {@code are_anon_vmas_compatible(prev, next)}: {@code is_mergeable_anon_vma} with no VMA to ask. */
    private static boolean anonCompatible(Vma prev, Vma next) {
        return prev.anonVma() == null || next.anonVma() == null || prev.anonVma() == next.anonVma()
                && (prev.mm().core().profile().anonVmaMerge() == AnonVmaMerge.EITHER || prev.sameAnonVma(next));
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
            lower.importAnonVma(upper);
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
