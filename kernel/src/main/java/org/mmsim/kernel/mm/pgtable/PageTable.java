package org.mmsim.kernel.mm.pgtable;

import java.util.Arrays;
import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.mm.page.AccountingLedger;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.Footprint;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.state.StateObject;

/**
 * A four-level x86-64 page table, as the model needs it: PTE tables of 512 64-bit {@link Pte} words, each found by
 * the PMD entry it hangs off (bits 21 and up of the address). The PGD, PUD and PMD tables above them hold nothing
 * but those pointers, so they are kept as one sorted index from PMD entry to PTE table rather than as three levels
 * of 512-slot arrays to walk. A PTE table is allocated when an entry in it is first set ({@code pte_alloc}) and
 * freed by {@link #freeTables} when a range is unmapped ({@code free_pgtables}).
 *
 * <p>Every pte write goes through {@link #set}, which keeps two things up to date: the number of present entries
 * and, once the table was first fingerprinted, a fingerprint of them (the sum of one strong hash per (address, pte)
 * pair), so that an explorer's fingerprint never walks the table and a simulation that never asks pays nothing.
 * {@link #copy} shares every PTE table with the original; whichever side writes one first copies the block it
 * writes, as the frames' sections are copied.
 *
 * <p>Entries are kept in blocks, so that the first write to a table after a copy copies a block and the table's
 * block pointers, not the whole 4 KB table: blocks of 16 entries (128 bytes, 32 pointers) on a machine of at most
 * 64 Ki frames, an explorer's, whose steps mostly write one pte of a table a copy shares; blocks of 64 on a larger one,
 * which is rarely copied and whose forks and faults fill whole tables. Blocks of 16 made one-worker searches of
 * explore-100k 1.014-1.024 times as fast as blocks of 64 (four pairs), and blocks of 8 0.97-1.00 times as fast as 16;
 * but a fork of 262,144 pages took 1.085 times as long with blocks of 16.
 */
@Export
public final class PageTable extends StateObject {
    private static final int PAGE_SHIFT = Page.PAGE_SHIFT;
    public static final int PTRS_PER_TABLE = 512;
    public static final int PMD_SHIFT = 21;
    public static final long PMD_SIZE = 1L << PMD_SHIFT;
    /** User address space ends here ({@code TASK_SIZE} with 4-level paging, rounded). */
    public static final long TASK_SIZE = 1L << 47;

    /** log2 of the entries per block of a small machine's PTE tables, and of a large one's (see above). */
    private static final int SMALL_BLOCK_SHIFT = 4;
    private static final int LARGE_BLOCK_SHIFT = 6;
    /** The most frames of a machine whose tables have small blocks (as {@code FrameSections}' small sections). */
    private static final int SMALL_MACHINE = 1 << 16;

    /**
     * One PTE table and who may write it in place. Its entries are kept in blocks of 2^{@link #shift}, allocated when
     * first written; a block is this leaf's own (bit set in {@code own}) if this leaf allocated or copied it, else it
     * is shared with the leaf this one was copied from.
     */
    private static final class Leaf {
        final Object owner;
        final int shift;
        final long[][] blocks;
        long own;
        int present;

        Leaf(Object owner, int shift) {
            this.owner = owner;
            this.shift = shift;
            this.blocks = new long[PTRS_PER_TABLE >>> shift][];
        }

        Leaf(Leaf l, Object owner) {
            this.owner = owner;
            this.shift = l.shift;
            this.blocks = l.blocks.clone();
            this.present = l.present;
        }

        /** Where entry {@code i} is in its block. */
        int slot(int i) {
            return i & ((1 << shift) - 1);
        }

        long get(int i) {
            long[] b = blocks[i >>> shift];
            return b == null ? 0 : b[slot(i)];
        }

        /** Entry {@code i}'s block, this leaf's own. */
        long[] writable(int i) {
            int bi = i >>> shift;
            if ((own & (1L << bi)) == 0) {
                blocks[bi] = blocks[bi] == null ? new long[1 << shift] : blocks[bi].clone();
                own |= 1L << bi;
            }
            return blocks[bi];
        }
    }

    /** PMD entries (address bits 21..46) that have a PTE table, ascending; {@code leaves[i]} is its table. */
    private long[] keys = new long[4];
    private Leaf[] leaves = new Leaf[4];
    private int nrLeaves;
    /** The index {@link #find} answered last: walks stay in one PTE table for many entries. */
    private int last;
    /** Who this table is to its PTE tables: renewed on both sides by every copy. */
    private Object owner = new Object();
    /** Present (non-zero) entries in all PTE tables. */
    private long present;
    /** Whether {@link #hash} is kept: from the first {@link #fingerprint} on. */
    private boolean hashed;
    /** The sum of {@link #entryHash} over present entries, while {@link #hashed}. */
    private long hash;
    /** The id of the mm this table belongs to, for the footprint. */
    private final int mmId;
    /** The kernel's footprint accumulator: every walk below records this mm's bit. */
    private final Footprint footprint;
    /** Where every pte write tells the accounting invariant which frame gained or lost a pte. */
    private final AccountingLedger ledger;
    /** log2 of the entries per block of this table's PTE tables. */
    private final int blockShift;

    /** The page table of mm {@code mmId} on a machine of {@code machineFrames} frames (which sizes its blocks). */
    public PageTable(int mmId, Footprint footprint, AccountingLedger ledger, int machineFrames) {
        this.mmId = mmId;
        this.footprint = footprint;
        this.ledger = ledger;
        this.blockShift = machineFrames <= SMALL_MACHINE ? SMALL_BLOCK_SHIFT : LARGE_BLOCK_SHIFT;
    }

    /** An empty table like {@code o} (its mm and block size), over the copied machine's footprint and ledger. */
    private PageTable(PageTable o, Footprint footprint, AccountingLedger ledger) {
        this.mmId = o.mmId;
        this.footprint = footprint;
        this.ledger = ledger;
        this.blockShift = o.blockShift;
    }

    /** The index of {@code addr}'s entry in its PTE table. */
    private static int index(long addr) {
        return (int) ((addr >>> PAGE_SHIFT) & (PTRS_PER_TABLE - 1));
    }

    private int find(long key) {
        int i = last;
        if (i < nrLeaves && keys[i] == key) {
            return i;
        }
        i = Arrays.binarySearch(keys, 0, nrLeaves, key);
        if (i >= 0) {
            last = i;
        }
        return i;
    }

    /** Whether a PTE table covers {@code addr} ({@code pmd_none()} is false). */
    public boolean hasTable(long addr) {
        footprint.mm(mmId);
        return find(addr >>> PMD_SHIFT) >= 0;
    }

    /** The pte for {@code addr}, or 0 ({@code pte_none}) if no table covers it. */
    public long get(long addr) {
        footprint.mm(mmId);
        int i = find(addr >>> PMD_SHIFT);
        return i < 0 ? 0 : leaves[i].get(index(addr));
    }

    /**
     * The first address in [{@code addr}, {@code end}) whose pte is present, walking one PTE table as
     * {@code copy_pte_range()} does; {@code end} if there is none. [{@code addr}, {@code end}) must lie in one PTE
     * table's range.
     */
    public long nextPresent(long addr, long end) {
        footprint.mm(mmId);
        int i = find(addr >>> PMD_SHIFT);
        if (i < 0) {
            return end;
        }
        Leaf leaf = leaves[i];
        for (long a = addr; a < end; a += 1L << PAGE_SHIFT) {
            int e = index(a);
            long[] b = leaf.blocks[e >>> leaf.shift];
            if (b == null) {
                a = ((a >>> (PAGE_SHIFT + leaf.shift)) + 1 << (PAGE_SHIFT + leaf.shift)) - (1L << PAGE_SHIFT);
                continue;
            }
            if (Pte.present(b[leaf.slot(e)])) {
                return a;
            }
        }
        return end;
    }

    /**
     * The first address in [{@code addr}, {@code end}) whose pte is not none, across PTE tables: a walk that costs
     * what the tables hold, not what the range spans (a 64 GiB VMA with a few pages); {@code end} if there is none.
     */
    public long nextNonNone(long addr, long end) {
        footprint.mm(mmId);
        int i = Arrays.binarySearch(keys, 0, nrLeaves, addr >>> PMD_SHIFT);
        if (i < 0) {
            i = -i - 1;
        }
        for (; i < nrLeaves; i++) {
            long base = keys[i] << PMD_SHIFT;
            if (base >= end) {
                return end;
            }
            long to = Math.min(end, base + PMD_SIZE);
            Leaf leaf = leaves[i];
            for (long a = Math.max(addr, base); a < to; a += 1L << PAGE_SHIFT) {
                int e = index(a);
                long[] b = leaf.blocks[e >>> leaf.shift];
                if (b == null) {
                    a = ((a >>> (PAGE_SHIFT + leaf.shift)) + 1 << (PAGE_SHIFT + leaf.shift)) - (1L << PAGE_SHIFT);
                    continue;
                }
                if (b[leaf.slot(e)] != 0) {
                    return a;
                }
            }
        }
        return end;
    }

    /**
     * {@code set_pte_at()}: write the pte for {@code addr}, allocating its PTE table if {@code pte} is not none;
     * writing none where there is no table does nothing.
     *
     * @return the pte that was there
     */
    public long set(long addr, long pte) {
        footprint.mm(mmId);
        long key = addr >>> PMD_SHIFT;
        int i = find(key);
        if (i < 0) {
            if (pte == 0) {
                return 0;
            }
            i = insert(-i - 1, key);
        }
        Leaf leaf = leaves[i];
        if (leaf.owner != owner) {
            leaf = new Leaf(leaf, owner);
            leaves[i] = leaf;
        }
        int e = index(addr);
        long old = leaf.get(e);
        if (old != pte) {
            change(leaf, e, addr, old, pte);
        }
        return old;
    }

    /**
     * Entry {@code e} of {@code leaf} (the pte of {@code addr}) goes from {@code old} to {@code pte}, which differ:
     * the ledger is told, the entry's block made this table's own and written, and the running hash and the counts
     * of present entries kept.
     */
    private void change(Leaf leaf, int e, long addr, long old, long pte) {
        ledger.pteChanged(mmId, counted(old), counted(pte));
        leaf.writable(e)[leaf.slot(e)] = pte;
        if (old != 0) {
            if (hashed) {
                hash -= entryHash(addr, old);
            }
            leaf.present--;
            present--;
        }
        if (pte != 0) {
            if (hashed) {
                hash += entryHash(addr, pte);
            }
            leaf.present++;
            present++;
        }
    }

    /**
     * {@code ptep_get_and_clear_full()} for every pte of [start, end), which must lie in one PTE table, as a zap that
     * runs to its end in one step takes them ({@code Zap.zapRange}): each entry that is not none is cleared as
     * {@link #set} with none clears it, and then handed to {@code released} with the value it had, in address
     * order, without finding the table again for each.
     */
    public void clearEach(long start, long end, PteVisitor released) {
        each(start, end, true, released);
    }

    /**
     * Every pte of [start, end), which must lie in one PTE table, that is not none, handed to {@code visitor} in address
     * order, the table left as it is: for {@code exit_mmap}, which frees every table with what it holds right after
     * ({@link #freeAll}), so that clearing each entry first would only write what is freed a moment later.
     */
    public void readEach(long start, long end, PteVisitor visitor) {
        each(start, end, false, visitor);
    }

    /** The walk of {@link #clearEach} ({@code clear}) and {@link #readEach}. */
    private void each(long start, long end, boolean clear, PteVisitor visitor) {
        footprint.mm(mmId);
        int i = find(start >>> PMD_SHIFT);
        if (i < 0) {
            return;
        }
        Leaf leaf = leaves[i];
        if (clear && leaf.owner != owner) {
            leaf = new Leaf(leaf, owner);
            leaves[i] = leaf;
        }
        long base = start & ~(PMD_SIZE - 1);
        int to = index(start) + (int) ((end - start) >>> PAGE_SHIFT);
        for (int e = index(start); e < to; e++) {
            long[] b = leaf.blocks[e >>> leaf.shift];
            if (b == null) {
                e |= (1 << leaf.shift) - 1;
                continue;
            }
            long pte = b[leaf.slot(e)];
            if (pte == 0) {
                continue;
            }
            long addr = base | (long) e << PAGE_SHIFT;
            if (clear) {
                change(leaf, e, addr, pte, 0);
            }
            visitor.visit(addr, pte);
        }
    }

    /** The frame {@code pte} maps as the accounting invariant counts it (present, not special), or -1. */
    private static int counted(long pte) {
        return Pte.present(pte) && !Pte.special(pte) ? Pte.pfn(pte) : -1;
    }

    private int insert(int at, long key) {
        if (nrLeaves == keys.length) {
            keys = Arrays.copyOf(keys, nrLeaves * 2);
            leaves = Arrays.copyOf(leaves, nrLeaves * 2);
        }
        System.arraycopy(keys, at, keys, at + 1, nrLeaves - at);
        System.arraycopy(leaves, at, leaves, at + 1, nrLeaves - at);
        keys[at] = key;
        leaves[at] = new Leaf(owner, blockShift);
        nrLeaves++;
        return at;
    }

    private static long entryHash(long addr, long pte) {
        return StateHasher.mix(addr & ~((1L << PAGE_SHIFT) - 1), pte);
    }

    /** Receives (address, pte) pairs from {@link #forEach}. */
    @FunctionalInterface
    public interface PteVisitor {
        void visit(long address, long pte);
    }

    /** Visit every non-empty pte in address order. */
    public void forEach(PteVisitor visitor) {
        footprint.mm(mmId);
        for (int l = 0; l < nrLeaves; l++) {
            Leaf leaf = leaves[l];
            long base = keys[l] << PMD_SHIFT;
            int seen = 0;
            for (int b = 0; b < leaf.blocks.length && seen < leaf.present; b++) {
                long[] ptes = leaf.blocks[b];
                for (int i = 0; ptes != null && i < ptes.length; i++) {
                    if (ptes[i] != 0) {
                        seen++;
                        visitor.visit(base | ((long) ((b << leaf.shift) | i) << PAGE_SHIFT), ptes[i]);
                    }
                }
            }
        }
    }

    /**
     * A fingerprint of every present pte with its address, equal for tables with equal entries however they were
     * written, kept up to date by {@link #set}.
     */
    public long fingerprint() {
        if (!hashed) {
            long[] sum = new long[1];
            if (nrLeaves > 0) { // none after exit_mmap, which drops the hash (dropHash)
                forEach((address, pte) -> sum[0] += entryHash(address, pte));
            }
            hash = sum[0];
            hashed = true;
        }
        return StateHasher.mix(present, hash);
    }

    /**
     * Stop keeping the fingerprint up to date entry by entry until it is next asked for, which then sums the entries
     * left: for {@code exit_mmap}, which clears every entry and frees every table inside one call, so that each
     * entry's hash would be taken out only for the table to end empty.
     */
    public void dropHash() {
        hashed = false;
        hash = 0;
    }

    /**
     * {@code free_pgtables()}: drop the PTE tables that lie wholly inside [start, end) and map nothing. Upper-level
     * tables cost nothing here.
     */
    public void freeTables(long start, long end) {
        footprint.mm(mmId);
        int kept = 0;
        for (int l = 0; l < nrLeaves; l++) {
            long base = keys[l] << PMD_SHIFT;
            if (!(base >= start && base + PMD_SIZE <= end && leaves[l].present == 0)) {
                keys[kept] = keys[l];
                leaves[kept++] = leaves[l];
            }
        }
        Arrays.fill(leaves, kept, nrLeaves, null);
        nrLeaves = kept;
    }

    /**
     * {@code free_pgtables()} of the whole address space at {@code exit_mmap}: every PTE table goes, with whatever
     * entries it still holds (the caller released what they mapped: {@link #readEach}), and with them the count of
     * present entries and their hash.
     */
    public void freeAll() {
        footprint.mm(mmId);
        ledger.giveUp();
        Arrays.fill(leaves, 0, nrLeaves, null);
        nrLeaves = 0;
        present = 0;
        hash = 0;
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    /**
     * The copy shares every PTE table; both sides get a new owner, so the first to write a table copies it. A branch
     * ({@code Copier.branch}) leaves this table its owner: only the branch copies what it writes.
     */
    @Override
    public PageTable copy(Copier c) {
        PageTable t = c.pair(this, new PageTable(this, c.copy(footprint), c.copy(ledger)));
        t.keys = keys.clone();
        t.leaves = leaves.clone();
        t.nrLeaves = nrLeaves;
        t.present = present;
        t.hashed = hashed;
        t.hash = hash;
        if (!c.isBranch()) {
            owner = new Object();
        }
        return t;
    }
}
