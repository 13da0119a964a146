package org.mmsim.kernel.mm;

import java.util.Arrays;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.state.StateObject;

/**
 * The TLB entries of one mm on every CPU (each thread runs on a CPU of its own), for scenarios that ask for
 * translation caching ({@code tlb} in a scenario; without it an mm has none and every access walks its page table).
 *
 * <p>An entry caches a pte's translation of one page for one CPU: the frame and whether a store may go through
 * without a walk (x86 caches the pte's W and D bits: a store through an entry without D walks again to set it). The
 * kernel keeps the caches coherent by flushing after it changes a pte ({@code flush_tlb_page}, {@code flush_tlb_range}:
 * a shootdown of every CPU that may hold the mm). The model does so at once, inside {@code Mm.setPte}, for every
 * change that takes away a translation, its frame, or its right to write unwalked, except for the ptes a zap clears
 * while it gathers its flushes ({@code tlb_gather_mmu}: {@link #beginGather}, {@code Mm.clearPteGathered}): those
 * wait for {@link #flush}, which the zap does when it drops the pte lock. {@code zap_pte_range} flushes there when it unmapped
 * a dirty page of a file ({@code force_flush} before {@code pte_unmap_unlock}), and otherwise later, at
 * {@code tlb_finish_mmu}; the model's window is the first one for every page, shorter than the kernel's for the
 * others. Between the clear and the flush another CPU's entry still reaches the page: the stale-TLB window.
 *
 * <p>Also held here, while a zap gathers: the pages whose pte it cleared, with their reference still to drop
 * ({@code tlb_remove_page}: freed only after the flush) and, for a dirty page of a file under
 * {@code zap_delay_rmap}, their rmap still to remove ({@code page_remove_rmap} after the flush, 5df397dec7c4).
 */
public final class Tlb extends StateObject implements Hashable {
    /** The entries: {cpu, page address, pfn << 1 | writable}, in (cpu, page) order. */
    private long[] entries = new long[0];
    private int n;
    /** While a zap gathers: the pages whose entries wait for {@link #flush}. */
    private long[] pending = new long[0];
    private int np;
    /** While a zap gathers: {pfn << 1 | delayRmap} of the pages it unmapped. */
    private long[] pages = new long[0];
    private int npg;
    private boolean gathering;

    /** The frame {@code cpu} reaches {@code page} through, or -1; a store needs an entry that may be written. */
    public int lookup(int cpu, long page, boolean write) {
        for (int i = 0; i < n; i++) {
            long[] e = entries;
            if (e[3 * i] == cpu && e[3 * i + 1] == page && (!write || (e[3 * i + 2] & 1) != 0)) {
                return (int) (e[3 * i + 2] >>> 1);
            }
        }
        return -1;
    }

    /**
     * The walk {@code cpu} just made: cache {@code page} → {@code pfn}, replacing what it cached for the page. The
     * entries are kept in (cpu, page) order, so that two machines that cached the same translations in another order
     * are one state.
     */
    public void fill(int cpu, long page, int pfn, boolean writable) {
        long value = ((long) pfn << 1) | (writable ? 1 : 0);
        int at = 0;
        while (at < n && (entries[3 * at] < cpu || entries[3 * at] == cpu && entries[3 * at + 1] < page)) {
            at++;
        }
        if (at < n && entries[3 * at] == cpu && entries[3 * at + 1] == page) {
            entries[3 * at + 2] = value;
            return;
        }
        if (3 * (n + 1) > entries.length) {
            entries = Arrays.copyOf(entries, Math.max(6, entries.length * 2));
        }
        System.arraycopy(entries, 3 * at, entries, 3 * at + 3, 3 * (n - at));
        entries[3 * at] = cpu;
        entries[3 * at + 1] = page;
        entries[3 * at + 2] = value;
        n++;
    }

    /** The gathering zap cleared the pte of {@code page}: its entries go when the zap flushes. */
    void defer(long page) {
        if (!gathering) {
            throw new IllegalStateException("a gathered pte clear outside a gather");
        }
        for (int i = 0; i < np; i++) {
            if (pending[i] == page) {
                return;
            }
        }
        if (np == pending.length) {
            pending = Arrays.copyOf(pending, Math.max(4, np * 2));
        }
        pending[np++] = page;
    }

    /** {@code flush_tlb_page} on every CPU: no entry for {@code page} is left. */
    void invalidate(long page) {
        int w = 0;
        for (int i = 0; i < n; i++) {
            if (entries[3 * i + 1] != page) {
                System.arraycopy(entries, 3 * i, entries, 3 * w, 3);
                w++;
            }
        }
        n = w;
    }

    /** {@code tlb_gather_mmu}: a zap of this mm defers its flushes (and its page releases) to {@link #flush}. */
    public void beginGather() {
        gathering = true;
    }

    /** Whether a zap is gathering. */
    public boolean gathering() {
        return gathering;
    }

    /** A page the gathering zap unmapped, to release after the flush ({@code delayRmap}: its rmap too). */
    public void gatherPage(int pfn, boolean delayRmap) {
        if (npg == pages.length) {
            pages = Arrays.copyOf(pages, Math.max(4, npg * 2));
        }
        pages[npg++] = ((long) pfn << 1) | (delayRmap ? 1 : 0);
    }

    /** The released pages, as {pfn << 1 | delayRmap}, when the gathering zap flushes. */
    public interface PageRelease {
        void release(int pfn, boolean delayRmap);
    }

    /**
     * {@code tlb_flush_mmu}: the gathered flushes, then the gathered pages handed to {@code release} (their rmap if
     * delayed, their reference), and the gathering ends.
     */
    public void flush(PageRelease release) {
        for (int i = 0; i < np; i++) {
            invalidate(pending[i]);
        }
        np = 0;
        int count = npg;
        npg = 0;
        gathering = false;
        for (int i = 0; i < count; i++) {
            release.release((int) (pages[i] >>> 1), (pages[i] & 1) != 0);
        }
    }

    /** The number of entries, for tests. */
    public int size() {
        return n;
    }

    @Override
    public void hashInto(StateHasher h) {
        h.add(n).add(np).add(npg).add(gathering);
        for (int i = 0; i < 3 * n; i++) {
            h.add(entries[i]);
        }
        for (int i = 0; i < np; i++) {
            h.add(pending[i]);
        }
        for (int i = 0; i < npg; i++) {
            h.add(pages[i]);
        }
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private Tlb(Tlb o, Copier c) {
        c.pair(o, this);
        this.entries = Arrays.copyOf(o.entries, o.entries.length);
        this.n = o.n;
        this.pending = Arrays.copyOf(o.pending, o.pending.length);
        this.np = o.np;
        this.pages = Arrays.copyOf(o.pages, o.pages.length);
        this.npg = o.npg;
        this.gathering = o.gathering;
    }

    Tlb() {}

    @Override
    public Tlb copy(Copier c) {
        return new Tlb(this, c);
    }
}
