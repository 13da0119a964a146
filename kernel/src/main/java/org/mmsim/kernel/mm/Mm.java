package org.mmsim.kernel.mm;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.locking.RwSemaphore;
import org.mmsim.kernel.locking.SeqCount;
import org.mmsim.kernel.locking.SpinLock;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.pgtable.PageTable;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.trace.Change;
import org.mmsim.kernel.trace.Tracer;

/**
 * {@code struct mm_struct}: the VMAs (kept sorted by start address, where the kernel uses a maple tree), the page
 * table, {@code MMF_*} flags, RSS and pinning counters, the locks ({@code mmap_lock}, the page-table lock, one per mm
 * here where the kernel splits it per PTE table, and {@code write_protect_seq}), and the top-down
 * {@code mmap_base} from which {@code get_unmapped_area} hands out addresses.
 *
 * <p>All pte writes go through {@link #setPte} or {@link #wrProtectPte}, all counter and VMA-tree changes through
 * the methods here, so the journal sees every one.
 */
public final class Mm extends StateObject implements Hashable {
    static {
        // loaded with Mm though only machines with TLBs make one: C2 never inlines a method whose signature names a
        // class not loaded yet, and tlb() is on the fault and zap paths (docs/architecture.md, "The JIT")
        Tlb.class.getName();
    }

    /** {@code MMF_HAS_PINNED}: some FOLL_PIN GUP ran on this mm; never cleared, not inherited. */
    public static final int MMF_HAS_PINNED = 1;

    private final int id;
    private final MmCore core;
    private final Tracer trace;
    private final PageTable pgd;
    private final VmaTree vmas = new VmaTree();
    /**
     * pin_tracking=mapcount-v2 only (seed 003, never in Linux): the addresses where zap left "a special entry inside
     * the page table" for a writable pte of a non-anon page it cleared. The model keeps them beside the page table (a
     * pte there reads as none); the next pte written there replaces the entry. Null while there is none, as under
     * every other design: an mm is copied and hashed at every explored state, and an empty set costs two objects to
     * copy and a call to hash.
     */
    private TreeSet<Long> zapMarkers;
    private final RwSemaphore mmapLock;
    private final SpinLock ptl;
    /** {@code mm->write_protect_seq}: odd while fork write-protects this mm's ptes. */
    private final SeqCount writeProtectSeq;
    private int flags;
    private long rssAnon;
    private long rssFile;
    private long rssShmem;
    /** {@code mm->hiwater_rss}: the peak RSS, reset by {@code clear_refs} 5. */
    private long hiwaterRss;
    private long pinnedVm;
    /** {@code mm->locked_vm}, in pages: the pages of this mm's VM_LOCKED VMAs (mlock, MAP_LOCKED). */
    private long lockedVm;
    /**
     * {@code RLIMIT_MEMLOCK} in bytes. The kernel keeps rlimits in the process's {@code signal_struct}; the model has
     * one mm per process, so it keeps the limit here, and fork copies it.
     */
    private long rlimitMemlock = 8L << 20;
    /**
     * {@code mm->def_flags}: flags every new VMA gets, here VM_LOCKED (and VM_LOCKONFAULT) after
     * {@code mlockall(MCL_FUTURE)}; fork does not pass them on ({@code mm_init} keeps only VM_NOHUGEPAGE).
     */
    private long defFlags;
    private long mmapBase = 0x7f00_0000_0000L;
    /**
     * Derived, not state (the maple tree's gap bookkeeping, in small): an address at or below which the VMAs cover
     * [it, mmapBase) without a hole, so the top-down search for a free range may start there; -1 when unknown.
     * Removing a VMA forgets it.
     */
    private long coveredFrom = -1;
    private int users = 1;
    private boolean dead;
    /** The CPUs' cached translations of this mm, or null: translations are not cached ({@link MmCore#tlbs}). */
    private Tlb tlb;

    Mm(MmCore core, int id) {
        this.core = core;
        this.trace = core.trace();
        this.id = id;
        this.pgd = new PageTable(id, core.footprint(), core.frames().ledger(), core.frames().nrFrames());
        this.mmapLock = new RwSemaphore("mmap_lock", id);
        this.ptl = new SpinLock("pte lock", id);
        this.writeProtectSeq = new SeqCount();
    }

    @Export
    public int id() {
        return id;
    }

    /** The CPUs' cached translations of this mm, or null when the machine does not model them. */
    public Tlb tlb() {
        return tlb;
    }

    /** Give this mm a TLB per CPU, if it has none ({@link MmCore#enableTlbs}). */
    void enableTlb() {
        if (tlb == null) {
            tlb = new Tlb();
        }
    }

    /**
     * A pte change that takes away something a TLB entry may hold: the translation, its frame, write permission, or
     * the dirty bit (an entry with D set writes without a walk): flushed from every CPU at once.
     */
    private void tlbChanged(long addr, long old, long pte) {
        if (Pte.hwAccessible(old) && (!Pte.hwAccessible(pte) || Pte.pfn(pte) != Pte.pfn(old)
                || Pte.write(old) && !Pte.write(pte) || Pte.dirty(old) && !Pte.dirty(pte))) {
            tlb.invalidate(addr & ~(Page.PAGE_SIZE - 1));
        }
    }

    /**
     * A pte change whose TLB flush the kernel left out: {@code clear_refs_write}'s soft-dirty write-protect between
     * 0758cd830494 (5.5: {@code tlb_finish_mmu} flushes only what {@code tlb_remove_*} gathered, and clear_refs
     * gathered nothing) and 912efa17e512 (5.12). Every CPU keeps what it cached for {@code addr}.
     */
    public void setPteUnflushed(long addr, long pte) {
        long old = pgd.set(addr, pte);
        if (old != pte && trace.on()) {
            trace.record(new Change.Pte(id, addr, old, pte));
        }
    }

    /**
     * {@code ptep_get_and_clear_full} in a zap under {@code tlb_gather_mmu}: the pte cleared, its TLB entries flushed
     * only with the gather's ({@link Tlb#flush}), when the zap drops the pte lock. Any other change of the mm's ptes
     * meanwhile flushes at once ({@link #setPte}).
     */
    public void clearPteGathered(long addr) {
        cleared(addr, pgd.set(addr, 0));
    }

    /**
     * The pte at {@code addr}, which was {@code old}, was cleared by a zap: under a TLB gather the translation's flush
     * waits for the gather's, else (TLBs modelled) it is flushed at once, as {@link #setPte} flushes; journalled.
     */
    private void cleared(long addr, long old) {
        if (tlb != null) {
            if (tlb.gathering()) {
                if (Pte.hwAccessible(old)) {
                    tlb.defer(addr & ~(Page.PAGE_SIZE - 1));
                }
            } else {
                tlbChanged(addr, old, 0);
            }
        }
        if (old != 0 && trace.on()) {
            trace.record(new Change.Pte(id, addr, old, 0));
        }
    }

    /** What the mm's mechanisms share (the profile, frames, tracer). */
    public MmCore core() {
        return core;
    }

    @Export
    public boolean test(int mmf) {
        return (flags & mmf) != 0;
    }

    /** Set an {@code MMF_*} flag ({@code set_bit(mmf, &mm->flags)}), journalled; {@code name} is how traces show it. */
    public void setFlag(int mmf, String name) {
        if ((flags & mmf) == 0) {
            flags |= mmf;
            if (trace.on()) {
                trace.record(new Change.MmFlag(id, name));
            }
        }
    }

    // ---- locks --------------------------------------------------------------------------------------------

    /** {@code mm->mmap_lock}. */
    public RwSemaphore mmapLock() {
        return mmapLock;
    }

    /** The page-table lock ({@code pte_lockptr}), one per mm in the model. */
    public SpinLock ptl() {
        return ptl;
    }

    /** {@code mmap_read_lock()}. */
    public void mmapReadLock() {
        trace.path("mmap_read_lock");
        mmapLock.downRead();
    }

    /** {@code mmap_read_unlock()}. */
    public void mmapReadUnlock() {
        mmapLock.upRead();
    }

    /** {@code mmap_write_lock()}. */
    public void mmapWriteLock() {
        trace.path("mmap_write_lock");
        mmapLock.downWrite();
    }

    /** {@code mmap_write_unlock()}. */
    public void mmapWriteUnlock() {
        mmapLock.upWrite();
    }

    /** {@code mm->write_protect_seq}. */
    public SeqCount writeProtectSeq() {
        return writeProtectSeq;
    }

    // ---- counters -----------------------------------------------------------------------------------------

    /** {@code get_mm_counter(mm, MM_ANONPAGES)}. */
    public long rssAnon() {
        return rssAnon;
    }

    /** {@code get_mm_counter(mm, MM_FILEPAGES)}. */
    public long rssFile() {
        return rssFile;
    }

    /** {@code get_mm_counter(mm, MM_SHMEMPAGES)}. */
    public long rssShmem() {
        return rssShmem;
    }

    /** {@code get_mm_rss()}: anon + file + shmem pages mapped. */
    public long rss() {
        return rssAnon + rssFile + rssShmem;
    }

    /** {@code mm->hiwater_rss}, as last updated ({@code update_hiwater_rss}). */
    public long hiwaterRss() {
        return Math.max(hiwaterRss, rss());
    }

    /** {@code reset_mm_hiwater_rss()}: the peak becomes the current RSS (clear_refs 5). */
    public void resetHiwaterRss() {
        long old = hiwaterRss;
        hiwaterRss = rss();
        counterChanged(Change.Counter.HIWATER_RSS, old, hiwaterRss);
    }

    /** {@code add_mm_counter(mm, MM_ANONPAGES, delta)}, journalled. */
    public void addRssAnon(int delta) {
        hiwaterRss = Math.max(hiwaterRss, rss());
        rssAnon += delta;
        counterChanged(Change.Counter.MM_ANONPAGES, rssAnon - delta, rssAnon);
    }

    /** {@code add_mm_counter(mm, mm_counter_file(folio), delta)}: MM_SHMEMPAGES for shmem, else MM_FILEPAGES. */
    public void addRssFile(boolean shmem, int delta) {
        hiwaterRss = Math.max(hiwaterRss, rss());
        if (shmem) {
            rssShmem += delta;
            counterChanged(Change.Counter.MM_SHMEMPAGES, rssShmem - delta, rssShmem);
        } else {
            rssFile += delta;
            counterChanged(Change.Counter.MM_FILEPAGES, rssFile - delta, rssFile);
        }
    }

    /** {@code mm->pinned_vm}, in pages. */
    @Export
    public long pinnedVm() {
        return pinnedVm;
    }

    /** {@code atomic64_add(pages, &mm->pinned_vm)} (negative to subtract), as drivers that pin long-term do. */
    @Export
    public void addPinnedVm(long pages) {
        pinnedVm += pages;
        counterChanged(Change.Counter.PINNED_VM, pinnedVm - pages, pinnedVm);
    }

    /** {@code mm->locked_vm}, in pages. */
    public long lockedVm() {
        return lockedVm;
    }

    /**
     * {@code mm->locked_vm += pages} (negative to subtract), as {@code mlock_fixup}, {@code mmap_region} (MAP_LOCKED)
     * and the munmap of a VM_LOCKED VMA do under {@code mmap_lock} held for write.
     */
    public void addLockedVm(long pages) {
        lockedVm += pages;
        counterChanged(Change.Counter.LOCKED_VM, lockedVm - pages, lockedVm);
    }

    private void counterChanged(Change.Counter counter, long old, long now) {
        if (trace.on()) {
            trace.record(new Change.MmCounter(id, counter, old, now));
        }
    }

    /** {@code rlimit(RLIMIT_MEMLOCK)} in bytes. */
    @Export
    public long rlimitMemlock() {
        return rlimitMemlock;
    }

    /** {@code mm->def_flags}. */
    public long defFlags() {
        return defFlags;
    }

    /** Set {@code mm->def_flags} ({@code apply_mlockall_flags}). */
    public void setDefFlags(long flags) {
        defFlags = flags;
    }

    /** {@code setrlimit(RLIMIT_MEMLOCK)}. */
    public void setRlimitMemlock(long bytes) {
        rlimitMemlock = bytes;
    }

    /** {@code mmget()}: one more task uses the mm. */
    public void mmget() {
        users++;
    }

    /** {@code mmput()}: one task fewer; true when it was the last (the caller runs {@code exit_mmap}). */
    public boolean mmput() {
        return --users == 0;
    }

    /** True once {@code exit_mmap} has torn this mm down. */
    @Export
    public boolean dead() {
        return dead;
    }

    /** {@code exit_mmap} is done. */
    public void markDead() {
        dead = true;
        if (trace.on()) {
            trace.record(new Change.MmExited(id));
        }
    }

    /** The top of the area {@code get_unmapped_area} hands out addresses from. */
    public long mmapBase() {
        return mmapBase;
    }

    /** Where [addr, mmapBase) is known to be covered by VMAs without a hole (-1: not known): see {@link #coveredFrom}. */
    public long coveredFrom() {
        return coveredFrom;
    }

    /** The top-down search found [addr, mmapBase) covered without a hole. */
    public void coveredFrom(long addr) {
        coveredFrom = addr;
    }

    // ---- page table ---------------------------------------------------------------------------------------

    /** The pte for {@code addr} ({@code 0} if none). */
    @Export
    public long pte(long addr) {
        return pgd.get(addr);
    }

    public PageTable pageTable() {
        return pgd;
    }

    /** {@code set_pte_at()} / {@code ptep_get_and_clear()}: write one pte, journalled. */
    public void setPte(long addr, long pte) {
        if (pte != 0 && zapMarkers != null) {
            takeZapMarker(addr);
        }
        long old = pgd.set(addr, pte);
        if (tlb != null && old != pte) {
            tlbChanged(addr, old, pte);
        }
        if (old != pte && trace.on()) {
            trace.record(new Change.Pte(id, addr, old, pte));
        }
    }

    /**
     * {@code ptep_get_and_clear_full()} for each pte of [start, end) (part of one PTE table) that is not none, for a
     * zap that runs to its end in one step ({@code Zap.zapRange}), each as {@link #clearPteGathered} clears it (or,
     * without a gather, flushed at once). {@code released} gets each pte's old value just after it is cleared.
     */
    public void clearPtes(long start, long end, PageTable.PteVisitor released) {
        pgd.clearEach(start, end, (addr, old) -> {
            cleared(addr, old);
            released.visit(addr, old);
        });
    }

    /**
     * {@code exit_mmap}'s zap of [start, end) (part of one PTE table) with no TLB modelled: each pte that is not none
     * handed to {@code released}, journalled as cleared, though the table is left as it is for
     * {@link PageTable#freeAll}, which frees it with the mm's other tables once every VMA is zapped. Nothing can walk
     * the tables meanwhile: the mm has no user left and its notifiers were released.
     */
    public void releasePtesForExit(long start, long end, PageTable.PteVisitor released) {
        pgd.readEach(start, end, (addr, old) -> {
            if (trace.on()) {
                trace.record(new Change.Pte(id, addr, old, 0));
            }
            released.visit(addr, old);
        });
    }

    /** pin_tracking=mapcount-v2: zap leaves its special entry at {@code addr}. */
    public void setZapMarker(long addr) {
        if (zapMarkers == null) {
            zapMarkers = new TreeSet<>();
        }
        zapMarkers.add(addr);
    }

    /** pin_tracking=mapcount-v2: whether a zap's special entry is at {@code addr}; it is cleared to 0 either way. */
    public boolean takeZapMarker(long addr) {
        if (zapMarkers == null || !zapMarkers.remove(addr)) {
            return false;
        }
        if (zapMarkers.isEmpty()) {
            zapMarkers = null;
        }
        return true;
    }

    /** {@code ptep_set_wrprotect()}: clear the write bit of the pte as it is now (one walk), journalled. */
    public void wrProtectPte(long addr) {
        long old = pgd.get(addr);
        if (old == 0) {
            return;
        }
        long pte = Pte.wrProtect(old);
        pgd.set(addr, pte);
        if (tlb != null && old != pte) {
            tlbChanged(addr, old, pte);
        }
        if (old != pte && trace.on()) {
            trace.record(new Change.Pte(id, addr, old, pte));
        }
    }

    // ---- VMAs ---------------------------------------------------------------------------------------------

    /** {@code find_vma()} narrowed to the VMA that contains {@code addr}, or null. */
    @Export
    public Vma vmaAt(long addr) {
        Vma vma = vmas.floor(addr);
        return vma != null && vma.contains(addr) ? vma : null;
    }

    /** The VMAs in address order. */
    public List<Vma> vmas() {
        return vmas.list();
    }

    /**
     * The last VMA that starts below {@code top}, or null: from {@code mmap_base} down, one after another, the VMAs
     * the top-down search of {@code get_unmapped_area} walks past.
     */
    public Vma vmaBelow(long top) {
        return vmas.lower(top);
    }

    /** Whether no VMA overlaps [start, end). */
    public boolean isFree(long start, long end) {
        Vma below = vmas.lower(end);
        return below == null || below.end() <= start;
    }

    /** Whether every address of [start, end) lies in some VMA. */
    public boolean fullyMapped(long start, long end) {
        long a = start;
        while (a < end) {
            Vma vma = vmaAt(a);
            if (vma == null) {
                return false;
            }
            a = vma.end();
        }
        return true;
    }

    /**
     * {@code vma_link()}: into the mm's tree and, for a file mapping, the file's {@code i_mmap}; the VMA already holds
     * its file reference ({@code get_file}, taken when the VMA was made).
     */
    public void insertVma(Vma vma) {
        vmas.put(vma);
        if (vma.mapping() != null) {
            vma.mapping().linkVma(vma);
        }
    }

    /** {@link #insertVma}, journalled as a new mapping. */
    public void linkNewVma(Vma vma) {
        insertVma(vma);
        if (trace.on()) {
            trace.record(new Change.Vma(id, Change.VmaEvent.CREATED, vma.start(), vma.end(), 0, vma.flags()));
        }
    }

    /**
     * {@code remove_vma()}: out of the tree, the anon_vma and {@code i_mmap}; {@code vm_ops->close}; drop the file
     * reference ({@code fput}).
     */
    public void removeVma(Vma vma) {
        vmas.remove(vma.start());
        coveredFrom = -1;
        if (zapMarkers != null) {
            zapMarkers.subSet(vma.start(), vma.end()).clear(); // free_pgtables: the special entries go with the VMA
            zapMarkers = zapMarkers.isEmpty() ? null : zapMarkers;
        }
        if (vma.anonVma() != null) {
            vma.anonVma().unlink(vma);
        }
        if (vma.vmOps() != null) {
            vma.vmOps().close(vma);
        }
        if (vma.mapping() != null) {
            vma.mapping().unlinkVma(vma);
        }
        if (vma.file() != null) {
            vma.file().put();
        }
    }

    /**
     * The VMA a merge joined to the one below it ({@link VmaMerge}) leaves the mm: out of the tree, the anon_vma and
     * {@code i_mmap}, its file reference dropped; unlike {@link #removeVma} its range stays mapped, with its ptes and
     * markers, and no {@code ->close} runs ({@code vma_complete}). What is mapped does not change, so
     * {@link #coveredFrom} stays true.
     */
    void unlinkMerged(Vma vma) {
        vmas.remove(vma.start());
        if (vma.anonVma() != null) {
            vma.anonVma().unlink(vma);
        }
        if (vma.mapping() != null) {
            vma.mapping().unlinkVma(vma);
        }
        if (vma.file() != null) {
            vma.file().put();
        }
    }

    /**
     * {@code split_vma()}: split the VMA containing {@code addr} so that a VMA starts at {@code addr}. Both halves
     * keep the anon_vma; the upper half's pgoff advances; the file gains a reference and {@code vm_ops->open} runs.
     */
    public void splitAt(long addr) {
        Vma vma = vmaAt(addr);
        if (vma == null || vma.start() == addr) {
            return;
        }
        Vma upper = vma.splitOff(addr);
        if (upper.anonVma() != null) {
            upper.anonVma().link(upper);
        }
        insertVma(upper);
    }

    /**
     * {@code sysctl_max_map_count}'s default, {@code DEFAULT_MAX_MAP_COUNT} (include/linux/mm.h: USHRT_MAX less
     * {@code MAPCOUNT_ELF_CORE_MARGIN}): do_mmap refuses a new VMA with -ENOMEM once {@code map_count} is above it,
     * and {@code split_vma} refuses to split once it is reached.
     */
    public static final int MAX_MAP_COUNT = 65530;

    /** {@code mm->map_count}: how many VMAs there are. */
    public int mapCount() {
        return vmas.size();
    }

    /**
     * The VMAs overlapping [start, end), after splitting those that straddle either end; null, with nothing split,
     * when a split would pass {@link #MAX_MAP_COUNT} ({@code split_vma}: {@code map_count >= sysctl_max_map_count},
     * -ENOMEM to the caller).
     */
    public List<Vma> vmasIn(long start, long end) {
        int splits = straddles(start) + (end != start ? straddles(end) : 0);
        if (splits > 0 && vmas.size() + splits - 1 >= MAX_MAP_COUNT) {
            return null;
        }
        splitAt(start);
        splitAt(end);
        return vmas.startingIn(start, end);
    }

    /**
     * The VMAs munmap removes from [start, end), after splitting at the edges; null, with nothing split, when the
     * range is a hole inside one VMA and {@link #MAX_MAP_COUNT} is reached ({@code vms_gather_munmap_vmas}: only a
     * split that leaves one VMA more is refused; cutting a head or a tail off is not).
     */
    public List<Vma> vmasToUnmap(long start, long end) {
        Vma vma = vmaAt(start);
        if (vma != null && vma.start() < start && end < vma.end() && vmas.size() >= MAX_MAP_COUNT) {
            return null;
        }
        splitAt(start);
        splitAt(end);
        return vmas.startingIn(start, end);
    }

    /** 1 if a VMA straddles {@code addr} (starts below it and ends above), else 0. */
    private int straddles(long addr) {
        Vma vma = vmaAt(addr);
        return vma == null || vma.start() == addr ? 0 : 1;
    }

    /** The VMAs overlapping [start, end), without splitting any. */
    public List<Vma> vmasOverlapping(long start, long end) {
        List<Vma> out = new ArrayList<>();
        for (int i = Math.max(0, vmas.floorIndex(start)); i < vmas.size(); i++) {
            Vma v = vmas.get(i);
            if (v.start() >= end) {
                break;
            }
            if (v.end() > start) {
                out.add(v);
            }
        }
        return out;
    }

    /**
     * Every field (flags, RSS counters, hiwater, pinned_vm, locked_vm, RLIMIT_MEMLOCK, def_flags, the locks,
     * mmap_base, users, dead), every VMA in address order, and every non-zero pte with its address (empty PTE tables
     * that are still allocated are not state: nothing can tell them from absent ones).
     */
    @Override
    public void hashInto(StateHasher h) {
        // the fields as one strong hash worked out in registers: every mm is hashed at every explored state
        long a = StateHasher.step(StateHasher.LANE, StateHasher.pack(id, users));
        a = StateHasher.step(a, flags);
        a = StateHasher.step(a, rssAnon);
        a = StateHasher.step(a, rssFile);
        a = StateHasher.step(a, rssShmem);
        a = StateHasher.step(a, hiwaterRss);
        a = StateHasher.step(a, dead ? 1 : 0);
        a = StateHasher.step(a, pgd.fingerprint());
        a = StateHasher.step(a, writeProtectSeq.word());
        long b = StateHasher.step(StateHasher.LANE + 1, pinnedVm);
        b = StateHasher.step(b, lockedVm);
        b = StateHasher.step(b, rlimitMemlock);
        b = StateHasher.step(b, defFlags);
        b = StateHasher.step(b, mmapBase);
        b = StateHasher.step(b, mmapLock.word());
        b = StateHasher.step(b, StateHasher.pack((int) ptl.word(), vmas.size()));
        // the lengths of what follows, so that the VMAs, the TLB and the markers after the record are delimited
        b = StateHasher.step(b, StateHasher.pack(zapMarkers == null ? 0 : zapMarkers.size(), tlb == null ? 0 : 1));
        h.add(a, b);
        for (int i = 0; i < vmas.size(); i++) {
            vmas.get(i).hashInto(h);
        }
        if (tlb != null) {
            tlb.hashInto(h);
        }
        if (zapMarkers != null) {
            for (long marker : zapMarkers) {
                h.add(marker);
            }
        }
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private Mm(Mm o, Copier c) {
        c.pair(o, this);
        this.core = c.copy(o.core);
        this.trace = core.trace();
        this.id = o.id;
        this.pgd = c.copy(o.pgd);
        this.mmapLock = c.copy(o.mmapLock);
        this.ptl = c.copy(o.ptl);
        this.writeProtectSeq = c.copy(o.writeProtectSeq);
        this.flags = o.flags;
        this.rssAnon = o.rssAnon;
        this.rssFile = o.rssFile;
        this.rssShmem = o.rssShmem;
        this.hiwaterRss = o.hiwaterRss;
        this.pinnedVm = o.pinnedVm;
        this.lockedVm = o.lockedVm;
        this.rlimitMemlock = o.rlimitMemlock;
        this.defFlags = o.defFlags;
        this.mmapBase = o.mmapBase;
        this.coveredFrom = o.coveredFrom;
        this.users = o.users;
        this.dead = o.dead;
        this.tlb = c.copy(o.tlb);
        vmas.copyFrom(o.vmas, c);
        if (o.zapMarkers != null) {
            this.zapMarkers = new TreeSet<>(o.zapMarkers);
        }
    }

    /** A copy for a copied machine: fields, locks, VMAs, and the page table sharing its PTE tables until written. */
    @Override
    public Mm copy(Copier c) {
        return new Mm(this, c);
    }

    @Override
    public String toString() {
        return "mm " + id;
    }

    /** The number of pages in [start, end). */
    public static int pages(long start, long end) {
        return (int) ((end - start) >>> Page.PAGE_SHIFT);
    }
}
