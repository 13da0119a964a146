package org.mmsim.kernel.mm.notifier;

import java.util.ArrayList;
import java.util.List;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.pgtable.PageTable;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.Footprint;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.uapi.Errno;

/**
 * mm/mmu_notifier.c: every mm's {@code notifier_subscriptions} (the hlist of {@link MmuNotifier}s and the interval
 * tree of {@link MmuIntervalNotifier}s with its sequence), registration, and the dispatch of
 * {@code mmu_notifier_invalidate_range_start}/{@code _end}, {@code mmu_notifier_release} and
 * {@code mmu_notifier_clear_flush_young} from the paths that change ptes.
 *
 * <p>Design notes. The kernel hangs the subscriptions off {@code mm->notifier_subscriptions}; the model keeps them
 * here, by mm id, so that the mm package does not depend on this one. Callbacks run inside the step of the kernel
 * path that raised them, as the kernel runs them on that path's stack; a driver's callback takes the driver's own
 * lock, and since the model runs a driver's critical sections as single steps, that lock is never found held. A
 * start and its end may lie in different steps (MADV_DONTNEED stops after each pte), so invalidations overlap:
 * counts, not flags, as in the kernel ({@code active_invalidate_ranges}). A step that reaches any subscriber touches
 * driver state, so it is "anything" to the explorer's reduction ({@link Footprint#global()}).
 *
 * <p>Locks: {@code subscriptions->lock} is a spinlock held only inside these methods, so it never appears between
 * steps; {@code mmu_notifier_register} needs {@code mmap_lock} for write (its caller takes it) and then takes every
 * anon_vma and i_mmap lock of the mm ({@link #mmTakeAllLocks}).
 */
public final class MmuNotifiers implements Hashable {
    static {
        // loaded with MmuNotifiers though only a registered notifier makes one: see Mm's note on C2 and classes named
        // in signatures (subs() is on the zap path)
        Subscriptions.class.getName();
    }

    private final Tracer trace;
    private final Footprint footprint;
    /** {@code mm->notifier_subscriptions}, by mm id (index id - 1); null until the first registration. */
    private final List<Subscriptions> byMm = new ArrayList<>();
    private final List<MmuNotifier> notifiers = new ArrayList<>();
    private final List<MmuIntervalNotifier> intervals = new ArrayList<>();

    public MmuNotifiers(MmCore core) {
        this.trace = core.trace();
        this.footprint = core.footprint();
    }

    /** {@code struct mmu_notifier_subscriptions}. */
    private static final class Subscriptions extends StateObject {
        final List<MmuNotifier> list = new ArrayList<>();
        /** Starts at 2; odd while an invalidation that overlaps the tree runs. */
        long invalidateSeq = 2;
        int activeInvalidateRanges;
        boolean hasItree;
        IntervalTree itree = new IntervalTree();
        /** Interval notifiers whose insert or remove waits for the end of the current invalidation. */
        final List<MmuIntervalNotifier> deferred = new ArrayList<>();

        Subscriptions() {}

        boolean invalidating() {
            return (invalidateSeq & 1) != 0;
        }

        private Subscriptions(Subscriptions o, Copier c) {
            c.pair(o, this);
            for (MmuNotifier n : o.list) {
                list.add(c.copy(n));
            }
            invalidateSeq = o.invalidateSeq;
            activeInvalidateRanges = o.activeInvalidateRanges;
            hasItree = o.hasItree;
            itree = new IntervalTree(o.itree);
            for (MmuIntervalNotifier n : o.deferred) {
                deferred.add(c.copy(n));
            }
        }

        @Override
        public Subscriptions copy(Copier c) {
            return new Subscriptions(this, c);
        }
    }

    private Subscriptions subs(Mm mm) {
        int i = mm.id() - 1;
        return i < byMm.size() ? byMm.get(i) : null;
    }

    /** {@code mm_has_notifiers()}: whether anything ever subscribed to {@code mm}. */
    public boolean active(Mm mm) {
        return subs(mm) != null;
    }

    /** Whether {@code mm}'s subscriptions have their interval tree switched on ({@code has_itree}). */
    public boolean hasItree(Mm mm) {
        Subscriptions s = subs(mm);
        return s != null && s.hasItree;
    }

    // ---- registration ---------------------------------------------------------------------------------------

    /**
     * {@code mm_take_all_locks()}: lock the anon_vma and the i_mmap of every VMA of {@code mm} (the model walks them
     * as the kernel does, in VMA order; the locks themselves are not modelled) so that no rmap walker is halfway
     * through an invalidation when a subscriber appears. The caller holds {@code mmap_lock} for write.
     *
     * @return the number of locks taken: what makes registration O(#VMAs)
     */
    public int mmTakeAllLocks(Mm mm) {
        trace.path("mm_take_all_locks");
        int locks = 0;
        for (Vma vma : mm.vmas()) {
            if (vma.file() != null) {
                locks++;
            }
            if (vma.anonVma() != null) {
                locks++;
            }
        }
        return locks;
    }

    /** {@code __mmu_notifier_register(NULL, mm)}: the subscriptions struct, made on first use. */
    private Subscriptions subscriptions(Mm mm) {
        Subscriptions s = subs(mm);
        if (s == null) {
            while (byMm.size() < mm.id()) {
                byMm.add(null);
            }
            s = new Subscriptions();
            byMm.set(mm.id() - 1, s);
        }
        return s;
    }

    /**
     * {@code mmu_notifier_register()} ({@code __mmu_notifier_register} with {@code mm_take_all_locks}): subscribe
     * {@code ops} to {@code mm}. The caller holds {@code mmap_lock} for write; the mm must be live.
     */
    public MmuNotifier register(MmuNotifierOps ops, Mm mm) {
        trace.path("__mmu_notifier_register");
        footprint.global();
        Subscriptions s = subscriptions(mm);
        mmTakeAllLocks(mm);
        MmuNotifier n = new MmuNotifier(notifiers.size() + 1, mm, ops);
        notifiers.add(n);
        s.list.add(0, n);
        return n;
    }

    /**
     * {@code mmu_notifier_unregister()}: if {@code ->release} has not run yet, run it now (the driver must stop every
     * secondary access), then take the subscription off its mm.
     */
    public void unregister(MmuNotifier n) {
        trace.path("mmu_notifier_unregister");
        footprint.global();
        if (n.unregistered) {
            throw new IllegalStateException("mmu_notifier " + n.id() + " unregistered twice");
        }
        if (!n.released) {
            n.released = true;
            n.ops().release(n, n.mm());
            subs(n.mm()).list.remove(n);
        }
        n.unregistered = true;
    }

    /**
     * {@code mmu_interval_notifier_insert()}: watch [start, start + length) of {@code mm}. Unless the mm's
     * subscriptions already have their interval tree ({@code has_itree}), registers first
     * ({@code mmu_notifier_register(NULL, mm)}: {@code mmap_write_lock} and {@code mm_take_all_locks}, so that no
     * invalidation is in flight when the tree is switched on, even when an hlist notifier such as KVM's made the
     * subscriptions already; the caller must not hold {@code mmap_lock}). The new notifier's sequence is set so that a
     * {@link #readBegin} waits for an invalidation already running: three cases, as
     * {@code __mmu_interval_notifier_insert}.
     *
     * @return the notifier, or null for an empty or overflowing interval (-EOVERFLOW)
     */
    public MmuIntervalNotifier insert(Mm mm, long start, long length, MmuIntervalNotifierOps ops) {
        trace.path("mmu_interval_notifier_insert");
        footprint.global();
        if (length <= 0 || start + (length - 1) < start) {
            return null;
        }
        Subscriptions s = subs(mm);
        if (s == null || !s.hasItree) {
            mm.mmapWriteLock();
            s = subscriptions(mm);
            mmTakeAllLocks(mm);
            s.hasItree = true;
            mm.mmapWriteUnlock();
        }
        MmuIntervalNotifier n = new MmuIntervalNotifier(intervals.size() + 1, mm, start, start + length - 1, ops);
        intervals.add(n);
        if (s.activeInvalidateRanges > 0) {
            if (s.invalidating()) {
                s.deferred.add(n);
            } else {
                s.invalidateSeq |= 1;
                treeInsert(s, n);
            }
            n.invalidateSeq = s.invalidateSeq;
        } else {
            n.invalidateSeq = s.invalidateSeq - 1;
            treeInsert(s, n);
        }
        return n;
    }

    /** Whether {@link #remove} of {@code n} would wait now: an invalidation is running and {@code n} is in the tree. */
    public boolean removeWouldWait(MmuIntervalNotifier n) {
        Subscriptions s = subs(n.mm());
        return s.invalidating() && n.inTree;
    }

    /**
     * {@code mmu_interval_notifier_remove()}: no callback runs for {@code n} after it returns. If an invalidation is
     * running, the kernel defers the removal and waits for its end; the model's caller waits first
     * ({@link #removeWouldWait}), so here the removal is immediate unless {@code n} was still deferred for insertion.
     */
    public void remove(MmuIntervalNotifier n) {
        trace.path("mmu_interval_notifier_remove");
        footprint.global();
        if (n.removed) {
            throw new IllegalStateException("mmu_interval_notifier " + n.id() + " removed twice");
        }
        Subscriptions s = subs(n.mm());
        if (n.inTree) {
            if (s.invalidating()) {
                throw new IllegalStateException("mmu_interval_notifier_remove must wait for the invalidation");
            }
            s.itree.remove(n.start(), n.id());
            n.inTree = false;
        } else {
            s.deferred.remove(n);
        }
        n.removed = true;
    }

    private static void treeInsert(Subscriptions s, MmuIntervalNotifier n) {
        s.itree.insert(n.start(), n.last(), n.id());
        n.inTree = true;
    }

    // ---- the read side of an interval notifier -------------------------------------------------------------

    /**
     * Whether {@link #readBegin} would sleep now: {@code n} is being invalidated (its sequence equals the mm's odd
     * one), so {@code wait_event(subscriptions->wq, invalidate_seq != seq)}.
     */
    public boolean readBeginWouldWait(MmuIntervalNotifier n) {
        return n.invalidateSeq == subs(n.mm()).invalidateSeq;
    }

    /**
     * {@code mmu_interval_read_begin()}: the sequence to check later with {@link #readRetry}. The caller has waited
     * while {@link #readBeginWouldWait}.
     */
    public long readBegin(MmuIntervalNotifier n) {
        trace.path("mmu_interval_read_begin");
        if (readBeginWouldWait(n)) {
            throw new IllegalStateException("mmu_interval_read_begin must wait for the invalidation to end");
        }
        return n.invalidateSeq;
    }

    /**
     * {@code mmu_interval_read_retry()}: whether an invalidation began since {@link #readBegin} returned {@code seq}.
     * Called under the driver's lock, the one {@code ->invalidate} takes: if false, the device may be programmed.
     */
    public boolean readRetry(MmuIntervalNotifier n, long seq) {
        return n.invalidateSeq != seq;
    }

    // ---- dispatch -------------------------------------------------------------------------------------------

    /**
     * {@code mmu_notifier_invalidate_range_start()}: tell every subscriber of {@code r.mm()} that [start, end) is
     * about to change. The interval notifiers first ({@code mn_itree_invalidate}: the mm's sequence goes odd if any
     * interval overlaps, and each overlapping one's {@code ->invalidate} gets it), then the hlist
     * ({@code mn_hlist_invalidate_range_start}).
     *
     * @return 0, or -EAGAIN if a callback could not proceed on a non-blockable range (its partial invalidation is
     *     ended: the caller must not call {@link #invalidateRangeEnd})
     */
    public int invalidateRangeStart(MmuNotifierRange r) {
        Subscriptions s = subs(r.mm());
        if (s == null) {
            return 0;
        }
        trace.path("mmu_notifier_invalidate_range_start");
        footprint.global();
        if (s.hasItree) {
            List<MmuIntervalNotifier> hit = itreeInvStartRange(s, r);
            long cur = s.invalidateSeq;
            for (MmuIntervalNotifier n : hit) {
                if (!n.ops().invalidate(n, r, cur) && !r.blockable()) {
                    itreeInvEnd(s);
                    return -Errno.EAGAIN;
                }
            }
        }
        for (MmuNotifier n : List.copyOf(s.list)) {
            int ret = n.ops().invalidateRangeStart(n, r);
            if (ret != 0) {
                if (!r.blockable()) {
                    return ret;
                }
                throw new IllegalStateException(n.ops().name() + " failed a blockable invalidate_range_start");
            }
        }
        return 0;
    }

    /** {@code mmu_notifier_invalidate_range_end()}: the range has changed and the TLBs are flushed. */
    public void invalidateRangeEnd(MmuNotifierRange r) {
        Subscriptions s = subs(r.mm());
        if (s == null) {
            return;
        }
        trace.path("mmu_notifier_invalidate_range_end");
        footprint.global();
        if (s.hasItree) {
            itreeInvEnd(s);
        }
        for (MmuNotifier n : List.copyOf(s.list)) {
            n.ops().invalidateRangeEnd(n, r);
        }
    }

    /**
     * {@code mn_itree_inv_start_range()}: one invalidation more; the interval notifiers {@code r} overlaps, and if
     * there is one, the mm's sequence made odd (the value their {@code ->invalidate} gets).
     */
    private List<MmuIntervalNotifier> itreeInvStartRange(Subscriptions s, MmuNotifierRange r) {
        s.activeInvalidateRanges++;
        List<MmuIntervalNotifier> hit = overlapping(s, r);
        if (!hit.isEmpty()) {
            s.invalidateSeq |= 1;
        }
        return hit;
    }

    /**
     * {@code mn_itree_inv_end()}: one invalidation fewer; when none is left and the sequence is odd, make it even
     * again, apply the deferred inserts and removes, and wake {@code subscriptions->wq}.
     */
    private void itreeInvEnd(Subscriptions s) {
        if (--s.activeInvalidateRanges > 0 || !s.invalidating()) {
            return;
        }
        s.invalidateSeq++;
        for (MmuIntervalNotifier n : s.deferred) {
            if (n.inTree) {
                s.itree.remove(n.start(), n.id());
                n.inTree = false;
            } else {
                treeInsert(s, n);
            }
        }
        s.deferred.clear();
    }

    private List<MmuIntervalNotifier> overlapping(Subscriptions s, MmuNotifierRange r) {
        List<MmuIntervalNotifier> out = new ArrayList<>();
        s.itree.overlapping(r.start(), r.end() - 1, id -> out.add(intervals.get(id - 1)));
        return out;
    }

    /**
     * {@code mmu_notifier_release()} ({@code __mmu_notifier_release}), from {@code exit_mmap} before the page tables
     * are torn down: first {@code mn_itree_release}, an MMU_NOTIFY_RELEASE invalidation of every interval notifier
     * (the kernel's range is [0, ULONG_MAX); the model's addresses end at TASK_SIZE), which bumps the sequence as any
     * invalidation does, so a driver's {@code mmu_interval_read_retry} then says retry even for an mm with no VMA
     * left to unmap; then every hlist subscriber's {@code ->release}, and the hlist is emptied, so no further
     * callback reaches them. Interval notifiers stay registered: they also see the UNMAP of the teardown.
     */
    public void release(Mm mm) {
        Subscriptions s = subs(mm);
        if (s == null) {
            return;
        }
        if (s.hasItree) {
            itreeRelease(s, mm);
        }
        if (s.list.isEmpty()) {
            return;
        }
        trace.path("__mmu_notifier_release");
        footprint.global();
        for (MmuNotifier n : List.copyOf(s.list)) {
            n.released = true;
            n.ops().release(n, mm);
        }
        s.list.clear();
    }

    /**
     * {@code mn_itree_release()}: {@code ->invalidate} of every interval notifier with MMU_NOTIFY_RELEASE over the
     * whole address space, between {@code mn_itree_inv_start_range} and {@code mn_itree_inv_end} (the range is blockable:
     * the kernel WARNs on a callback that says it could not proceed, and goes on).
     */
    private void itreeRelease(Subscriptions s, Mm mm) {
        trace.path("mn_itree_release");
        footprint.global();
        MmuNotifierRange r = MmuNotifierRange.of(MmuNotifierEvent.RELEASE, mm, 0, PageTable.TASK_SIZE);
        List<MmuIntervalNotifier> hit = itreeInvStartRange(s, r);
        long cur = s.invalidateSeq;
        for (MmuIntervalNotifier n : hit) {
            n.ops().invalidate(n, r, cur);
        }
        itreeInvEnd(s);
    }

    /**
     * {@code mmu_notifier_clear_flush_young()}: ask every hlist subscriber to age [start, end) of {@code mm}; whether
     * any secondary pte was young.
     */
    public boolean clearFlushYoung(Mm mm, long start, long end) {
        Subscriptions s = subs(mm);
        if (s == null || s.list.isEmpty()) {
            return false;
        }
        trace.path("__mmu_notifier_clear_flush_young");
        footprint.global();
        boolean young = false;
        for (MmuNotifier n : List.copyOf(s.list)) {
            young |= n.ops().clearFlushYoung(n, mm, start, end);
        }
        return young;
    }

    /** The mm's invalidate sequence (2 and up; odd while an invalidation overlapping its tree runs), or 0. */
    public long invalidateSeq(Mm mm) {
        Subscriptions s = subs(mm);
        return s == null ? 0 : s.invalidateSeq;
    }

    // ---- state ----------------------------------------------------------------------------------------------

    /**
     * Per mm: the subscribers in order with their release flags, the sequence, the active count and the tree and
     * deferred list by notifier id; then every interval notifier's interval, sequence and place.
     */
    @Override
    public void hashInto(StateHasher h) {
        // the lengths first, so that what follows is delimited
        h.add(StateHasher.pack(byMm.size(), notifiers.size())).add(intervals.size());
        // indexed loops, and the tree walked only if it holds something: fingerprinted at every explored state
        for (int i = 0; i < byMm.size(); i++) {
            Subscriptions s = byMm.get(i);
            if (s == null) {
                h.add(-1);
                continue;
            }
            h.add(s.list.size());
            for (int k = 0; k < s.list.size(); k++) {
                h.add(s.list.get(k).id());
            }
            h.add(s.invalidateSeq).add(s.activeInvalidateRanges).add(s.hasItree).add(s.itree.size());
            if (s.itree.size() != 0) {
                s.itree.forEach(h::add);
            }
            h.add(s.deferred.size());
            for (int k = 0; k < s.deferred.size(); k++) {
                h.add(s.deferred.get(k).id());
            }
        }
        for (int i = 0; i < notifiers.size(); i++) {
            MmuNotifier n = notifiers.get(i);
            h.add(n.mm().id()).add(n.released).add(n.unregistered);
        }
        for (int i = 0; i < intervals.size(); i++) {
            MmuIntervalNotifier n = intervals.get(i);
            h.add(n.mm().id()).add(n.start()).add(n.last()).add(n.invalidateSeq).add(n.inTree).add(n.removed);
        }
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    /** Fill this (a copied machine's, paired with {@code o}) with copies of {@code o}'s subscriptions. */
    public void copyFrom(MmuNotifiers o, Copier c) {
        for (Subscriptions s : o.byMm) {
            byMm.add(s == null ? null : c.copy(s));
        }
        for (MmuNotifier n : o.notifiers) {
            notifiers.add(c.copy(n));
        }
        for (MmuIntervalNotifier n : o.intervals) {
            intervals.add(c.copy(n));
        }
    }
}
