package org.mmsim.drivers.ummunotify;

import java.util.ArrayList;
import java.util.List;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.notifier.MmuNotifier;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.state.StateObject;

/**
 * {@code struct ummunotify_file}, the private data of an open {@code /dev/ummunotify}: the opener's mm (held by
 * {@code mm_count}), its MMU notifier, the registrations ({@code reg_tree}, an rb-tree keyed by start alone, so that
 * equal and overlapping ranges are allowed; a new registration goes left of an equal start, before it in order), the
 * FIFO of registrations with an unread report ({@code invalid_list}), the kernel page whose first word is the
 * generation counter user space maps, {@code need_empty} and {@code used}. One spinlock ({@code file->lock}) guards all
 * of it; each entry point below runs under it in one step.
 */
final class UmmunotifyFile extends StateObject implements Hashable {
    /** {@code struct ummunotify_reg}. */
    static final class Reg {
        final long cookie;
        final long start;
        final long end;
        long hintStart;
        long hintEnd;
        /** {@code UMMUNOTIFY_FLAG_INVALID}: a report is queued and unread. */
        boolean invalid;
        /** {@code UMMUNOTIFY_FLAG_HINT}: the queued report's hint is exact (one invalidation since it was queued). */
        boolean hint;

        Reg(long cookie, long start, long end) {
            this.cookie = cookie;
            this.start = start;
            this.end = end;
        }

        Reg(Reg o) {
            this(o.cookie, o.start, o.end);
            hintStart = o.hintStart;
            hintEnd = o.hintEnd;
            invalid = o.invalid;
            hint = o.hint;
        }

        void hashInto(StateHasher h) {
            h.add(cookie).add(start).add(end).add(hintStart).add(hintEnd).add(invalid).add(hint);
        }
    }

    /** The file's own id (its {@code struct file}'s), for messages and the fingerprint. */
    final int id;
    final Mm mm;
    /** The kernel page of the generation counter ({@code context->counter}), word 0. */
    final int counterPfn;
    MmuNotifier sub;
    /** {@code reg_tree}, in order: by start, a newer registration before an older one of the same start. */
    final List<Reg> regs = new ArrayList<>();
    /** {@code invalid_list}, oldest first: registrations of {@link #regs} with a report queued. */
    final List<Reg> invalidList = new ArrayList<>();
    boolean needEmpty;
    boolean used;
    /** {@code ummunotify_queue=bounded_overflow}: a report did not fit; the next read starts with OVERFLOW. */
    boolean overflow;
    /** {@code ummunotify_queue=bounded_drop}: reports that did not fit and were dropped without a word. */
    int lost;
    /** Released: the notifier unregistered, the registrations freed, the counter page's reference dropped. */
    boolean released;

    UmmunotifyFile(int id, Mm mm, int counterPfn) {
        this.id = id;
        this.mm = mm;
        this.counterPfn = counterPfn;
    }

    /** {@code ummunotify_find_reg}-like linear scan of the tree for {@code cookie}, or null. */
    Reg byCookie(long cookie) {
        for (Reg r : regs) {
            if (r.cookie == cookie) {
                return r;
            }
        }
        return null;
    }

    /** Inserts by start: left of (before) every registration whose start is at least {@code r.start}. */
    void insert(Reg r) {
        int i = 0;
        while (i < regs.size() && Long.compareUnsigned(regs.get(i).start, r.start) < 0) {
            i++;
        }
        regs.add(i, r);
    }

    /** Whether a read would not block: {@code need_empty || !list_empty(&invalid_list)}, or an overflow to report. */
    boolean readable() {
        return needEmpty || !invalidList.isEmpty() || overflow;
    }

    @Override
    public void hashInto(StateHasher h) {
        h.add(id).add(mm.id()).add(counterPfn).add(sub == null ? 0 : sub.id()).add(needEmpty).add(used)
                .add(overflow).add(lost).add(released).add(regs.size());
        for (Reg r : regs) {
            r.hashInto(h);
        }
        h.add(invalidList.size());
        for (Reg r : invalidList) {
            h.add(regs.indexOf(r));
        }
    }

    private UmmunotifyFile(UmmunotifyFile o, Copier c) {
        c.pair(o, this);
        this.id = o.id;
        this.mm = c.copy(o.mm);
        this.counterPfn = o.counterPfn;
        this.sub = c.copy(o.sub);
        for (Reg r : o.regs) {
            regs.add(new Reg(r));
        }
        for (Reg r : o.invalidList) {
            invalidList.add(regs.get(o.regs.indexOf(r)));
        }
        this.needEmpty = o.needEmpty;
        this.used = o.used;
        this.overflow = o.overflow;
        this.lost = o.lost;
        this.released = o.released;
    }

    @Override
    public UmmunotifyFile copy(Copier c) {
        return new UmmunotifyFile(this, c);
    }

    @Override
    public String toString() {
        return "ummunotify file " + id + " of mm " + mm.id();
    }
}
