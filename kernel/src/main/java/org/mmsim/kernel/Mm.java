package org.mmsim.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code struct mm_struct}: the VMAs (kept sorted by start address, where the kernel uses a maple tree), the
 * page table, {@code MMF_*} flags, RSS and pinning counters, {@code write_protect_seq}, and the top-down
 * {@code mmap_base} from which {@code get_unmapped_area} hands out addresses.
 *
 * <p>All pte writes go through {@link #setPte} so the journal sees them.
 */
public final class Mm {
    /** {@code MMF_HAS_PINNED}: some FOLL_PIN GUP ran on this mm; never cleared, not inherited. */
    public static final int MMF_HAS_PINNED = 1;

    private final int id;
    final Kernel kernel;
    final PageTable pgd;
    final TreeMap<Long, Vma> vmas = new TreeMap<>();
    int flags;
    long rssAnon;
    long rssFile;
    long rssShmem;
    /** {@code mm->hiwater_rss}: the peak RSS, reset by {@code clear_refs} 5. */
    long hiwaterRss;
    long pinnedVm;
    /**
     * {@code RLIMIT_MEMLOCK} in bytes. The kernel keeps rlimits in the process's {@code signal_struct}; the model
     * has one mm per process, so it keeps the limit here, and fork copies it.
     */
    long rlimitMemlock = 8L << 20;
    /** {@code mm->write_protect_seq}: odd while fork write-protects this mm's ptes. */
    int writeProtectSeq;
    /**
     * {@code mm->mmap_lock}, an rw_semaphore: the number of readers holding it and whether a writer does. Only a
     * kernel call that the explorer suspends at a preemption point holds it across steps; see {@link KernelCall}.
     */
    int mmapLockReaders;
    boolean mmapLockWriter;
    /**
     * The page-table lock ({@code pte_lockptr}), one per mm in the model where the kernel has one per PTE table
     * (split PTE locks): held across steps only by a kernel call suspended inside a PTL section.
     */
    boolean ptlHeld;
    long mmapBase = 0x7f00_0000_0000L;
    int users = 1;
    boolean dead;

    Mm(Kernel kernel, int id) {
        this.kernel = kernel;
        this.id = id;
        this.pgd = new PageTable(id, kernel.footprint);
    }

    public int id() {
        return id;
    }

    public boolean test(int mmf) {
        return (flags & mmf) != 0;
    }

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

    /** {@code RLIMIT_MEMLOCK} in bytes. */
    public long rlimitMemlock() {
        return rlimitMemlock;
    }

    /** {@code mm->pinned_vm}, in pages. */
    public long pinnedVm() {
        return pinnedVm;
    }

    public int writeProtectSeq() {
        return writeProtectSeq;
    }

    /** True once {@code exit_mmap} has torn this mm down. */
    public boolean dead() {
        return dead;
    }

    /** The pte for {@code addr} ({@code 0} if none). */
    public long pte(long addr) {
        return pgd.get(addr);
    }

    public PageTable pageTable() {
        return pgd;
    }

    /** {@code find_vma()} narrowed to the VMA that contains {@code addr}, or null. */
    public Vma vmaAt(long addr) {
        Map.Entry<Long, Vma> e = vmas.floorEntry(addr);
        return e != null && e.getValue().contains(addr) ? e.getValue() : null;
    }

    /** The VMAs in address order. */
    public List<Vma> vmas() {
        return new ArrayList<>(vmas.values());
    }

    /** {@code set_pte_at()} / {@code ptep_get_and_clear()}: write one pte, journalled. */
    void setPte(long addr, long pte) {
        long[] t = pgd.table(addr, pte != 0);
        if (t == null) {
            return;
        }
        int i = PageTable.index(addr);
        long old = t[i];
        t[i] = pte;
        if (kernel.journal != null && old != pte) {
            kernel.journal.pte(id, addr, old, pte);
        }
    }

    /** {@code ptep_set_wrprotect()}: clear the write bit of the pte as it is now (one walk), journalled. */
    void wrProtectPte(long addr) {
        long[] t = pgd.table(addr, false);
        if (t == null) {
            return;
        }
        int i = PageTable.index(addr);
        long old = t[i];
        long pte = Pte.wrProtect(old);
        t[i] = pte;
        if (kernel.journal != null && old != pte) {
            kernel.journal.pte(id, addr, old, pte);
        }
    }

    /** {@code add_mm_counter(mm, MM_ANONPAGES, delta)}, journalled. */
    void addRssAnon(int delta) {
        hiwaterRss = Math.max(hiwaterRss, rss());
        rssAnon += delta;
        kernel.note("mm " + id + ": MM_ANONPAGES " + (rssAnon - delta) + " -> " + rssAnon);
    }

    /** {@code add_mm_counter(mm, mm_counter_file(folio), delta)}: MM_SHMEMPAGES for shmem, else MM_FILEPAGES. */
    void addRssFile(boolean shmem, int delta) {
        hiwaterRss = Math.max(hiwaterRss, rss());
        if (shmem) {
            rssShmem += delta;
            kernel.note("mm " + id + ": MM_SHMEMPAGES " + (rssShmem - delta) + " -> " + rssShmem);
        } else {
            rssFile += delta;
            kernel.note("mm " + id + ": MM_FILEPAGES " + (rssFile - delta) + " -> " + rssFile);
        }
    }

    void setFlag(int mmf, String name) {
        if ((flags & mmf) == 0) {
            flags |= mmf;
            kernel.note("mm " + id + ": " + name + " set");
        }
    }

    /** {@code vma_link()}: into the mm's tree and, for a file mapping, the file's {@code i_mmap} (taking a reference). */
    void insertVma(Vma vma) {
        vmas.put(vma.start, vma);
        if (vma.file != null) {
            kernel.iget(vma.file.inode());
            vma.file.inode().iMmap.add(vma);
        }
    }

    /** {@code remove_vma()}: out of the tree, the anon_vma and {@code i_mmap}; drop the file reference ({@code fput}). */
    void removeVma(Vma vma) {
        vmas.remove(vma.start);
        if (vma.anonVma != null) {
            vma.anonVma.unlink(vma);
        }
        if (vma.file != null) {
            vma.file.inode().iMmap.remove(vma);
            kernel.iput(vma.file.inode());
        }
    }

    /**
     * {@code split_vma()}: split the VMA containing {@code addr} so that a VMA starts at {@code addr}. Both halves
     * keep the anon_vma; the upper half's pgoff advances.
     */
    void splitAt(long addr) {
        Vma vma = vmaAt(addr);
        if (vma == null || vma.start == addr) {
            return;
        }
        Vma upper = new Vma(this, addr, vma.end, vma.flags,
                vma.pgoff + ((addr - vma.start) >>> PageTable.PAGE_SHIFT), vma.file);
        upper.anonVma = vma.anonVma;
        if (upper.anonVma != null) {
            upper.anonVma.link(upper);
        }
        vma.end = addr;
        insertVma(upper);
    }

    /** The VMAs overlapping [start, end), after splitting those that straddle either end. */
    List<Vma> vmasIn(long start, long end) {
        splitAt(start);
        splitAt(end);
        return new ArrayList<>(vmas.subMap(start, true, end, false).values());
    }

    @Override
    public String toString() {
        return "mm " + id;
    }
}
