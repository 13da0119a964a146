package org.mmsim.kernel.mm.page;

import java.util.Arrays;
import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateObject;

/**
 * What changed since the accounting invariant last ran, so that it checks only the frames a step could have
 * unbalanced instead of walking every page table and every frame after every step: the frames whose {@code struct
 * page} was written, each with the refcount, mapcount and flags it had when the check last ran, and for each mm and
 * frame how many present, normal ptes were added or removed ({@code PageTable.set}, every pte write's path).
 *
 * <p>The check ({@code AccountingInvariant}) starts a new record each time it runs ({@link #restart}) and notes whether
 * the state it found was balanced, how many mms there were and how many were dead, and the references held outside
 * page tables. It works from the record only if that state was balanced and the same mms are alive; otherwise, and when
 * more than {@value #MAX} frames or pte changes were noted (a replayed run), or the record gave up ({@link #giveUp}:
 * an exit), it checks everything.
 *
 * <p>Not part of the fingerprint: the record is a function of the path since the last check, not of the state, and
 * the check's result does not depend on it (a test runs both checks at every step of every bundled scenario and
 * compares them). A copy carries it, so a copied machine checks from the same point as its original.
 */
@Export
public final class AccountingLedger extends StateObject {
    /** The most frames, and the most pte changes, one record holds; past either, the next check is a full one. */
    static final int MAX = 64;
    private static final int[] NONE = new int[0];
    /**
     * Room for frames when the record is first written: a step writes one or two, the exit of a process of twelve pages
     * (explore-100k's final step) thirteen, which 8 made the record grow once more at every final state.
     */
    private static final int ROOM = 16;

    /** Frames written, four ints each: pfn, and its refcount, stored (biased) mapcount and flags at the last check. */
    private int[] frames = NONE;
    private int nrFrames;
    /** The frame noted last: a step writes one frame's fields one after another. */
    private int lastPfn = -1;
    /** Pte changes, three ints each: mm id, pfn, and the change in ptes of that mm that map it. */
    private int[] ptes = NONE;
    private int nrPtes;
    /** The record no longer stands for all that changed: more was written than it holds, or it gave up. */
    private boolean overflow;
    /** Whether the check that started this record found the state balanced (false: no check yet). */
    private boolean balanced;
    /** The mms then, and how many of them were dead ({@code exit_mmap} done: their ptes no longer count). */
    private int mms;
    private int deadMms;
    /** The references held outside page tables then, as sorted (pfn, count) pairs: never changed in place. */
    private int[] references = NONE;
    /**
     * The working arrays of the check from this record ({@link #scratch}, {@link #scratchOrder}), kept from one check
     * to the next so that the check after every explored step allocates nothing: not state (a copy starts without).
     */
    private int[] scratch = NONE;
    private long[] scratchOrder = new long[0];

    /**
     * Frame {@code pfn} is about to be written: notes it with its {@code refcount}, stored {@code mapcount} and
     * {@code flags} (the caller reads them only when {@link #noted} says the frame is new to this record).
     */
    void noteFrame(int pfn, int refcount, int mapcount, int flags) {
        lastPfn = pfn;
        if (overflow) {
            return;
        }
        if (nrFrames == MAX) {
            overflow = true;
            return;
        }
        if (4 * nrFrames == frames.length) {
            frames = Arrays.copyOf(frames, 4 * Math.max(ROOM, 2 * nrFrames));
        }
        int i = 4 * nrFrames++;
        frames[i] = pfn;
        frames[i + 1] = refcount;
        frames[i + 2] = mapcount;
        frames[i + 3] = flags;
    }

    /** Whether frame {@code pfn} is already in this record (so a write to it need not be noted). */
    boolean noted(int pfn) {
        if (pfn == lastPfn || overflow) {
            return true;
        }
        for (int i = 0; i < 4 * nrFrames; i += 4) {
            if (frames[i] == pfn) {
                lastPfn = pfn;
                return true;
            }
        }
        return false;
    }

    /**
     * A pte of mm {@code mmId} that mapped frame {@code before} (-1: nothing the check counts: none, not present, or
     * special) now maps {@code after} (likewise).
     */
    @Export
    public void pteChanged(int mmId, int before, int after) {
        if (before == after || overflow) {
            return;
        }
        if (before >= 0) {
            addPte(mmId, before, -1);
        }
        if (after >= 0) {
            addPte(mmId, after, 1);
        }
    }

    private void addPte(int mmId, int pfn, int delta) {
        for (int i = 0; i < 3 * nrPtes; i += 3) {
            if (ptes[i] == mmId && ptes[i + 1] == pfn) {
                ptes[i + 2] += delta;
                return;
            }
        }
        if (nrPtes == MAX) {
            overflow = true;
            return;
        }
        if (3 * nrPtes == ptes.length) {
            ptes = Arrays.copyOf(ptes, 3 * Math.max(8, 2 * nrPtes));
        }
        int i = 3 * nrPtes++;
        ptes[i] = mmId;
        ptes[i + 1] = pfn;
        ptes[i + 2] = delta;
    }

    /**
     * The step under way ends or makes an mm (exit, fork), which makes the next check a full one: stop recording until
     * then ({@link #restart}).
     */
    @Export
    public void giveUp() {
        overflow = true;
    }

    /**
     * Whether the record can stand for everything since the last check: that check found the state balanced, nothing
     * overflowed, and there are still {@code mms} mms of which {@code deadMms} are dead.
     */
    @Export
    public boolean usable(int mms, int deadMms) {
        return balanced && !overflow && mms == this.mms && deadMms == this.deadMms;
    }

    /** How many frames were noted. */
    @Export
    public int frames() {
        return nrFrames;
    }

    /** The {@code i}-th frame noted. */
    @Export
    public int framePfn(int i) {
        return frames[4 * i];
    }

    /** Its refcount, stored (biased) mapcount and flags at the last check: {@code field} 0, 1 or 2. */
    @Export
    public int frameBefore(int i, int field) {
        return frames[4 * i + 1 + field];
    }

    /** How many (mm, frame) pte changes were noted. */
    @Export
    public int pteChanges() {
        return nrPtes;
    }

    /** The mm id, pfn and change in ptes of the {@code i}-th (mm, frame) noted: {@code field} 0, 1 or 2. */
    @Export
    public int pteChange(int i, int field) {
        return ptes[3 * i + field];
    }

    /** The references held outside page tables at the last check, as sorted (pfn, count) pairs; do not change it. */
    @Export
    public int[] references() {
        return references;
    }

    /**
     * The check ran: a new record starts from this state, which it found {@code balanced} or not, with {@code mms} mms
     * of which {@code deadMms} were dead and {@code references} (sorted (pfn, count) pairs, kept as given) held outside
     * page tables.
     */
    @Export
    public void restart(boolean balanced, int mms, int deadMms, int[] references) {
        this.balanced = balanced;
        this.mms = mms;
        this.deadMms = deadMms;
        this.references = references;
        nrFrames = 0;
        nrPtes = 0;
        lastPfn = -1;
        overflow = false;
    }

    /**
     * An int array of at least {@code n} elements for the check from this record, zero in {@code [0, n)}; the same
     * array at every check that needs no more.
     */
    public int[] scratch(int n) {
        if (scratch.length < n) {
            scratch = new int[Math.max(n, 32)];
        } else {
            Arrays.fill(scratch, 0, n, 0);
        }
        return scratch;
    }

    /** A long array of at least {@code n} elements for the check from this record (contents undefined). */
    public long[] scratchOrder(int n) {
        if (scratchOrder.length < n) {
            scratchOrder = new long[Math.max(n, 16)];
        }
        return scratchOrder;
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    @Override
    public AccountingLedger copy(Copier c) {
        AccountingLedger l = c.pair(this, new AccountingLedger());
        l.frames = nrFrames == 0 ? NONE : Arrays.copyOf(frames, frames.length);
        l.nrFrames = nrFrames;
        l.lastPfn = lastPfn;
        l.ptes = nrPtes == 0 ? NONE : Arrays.copyOf(ptes, ptes.length);
        l.nrPtes = nrPtes;
        l.overflow = overflow;
        l.balanced = balanced;
        l.mms = mms;
        l.deadMms = deadMms;
        l.references = references;
        return l;
    }
}
