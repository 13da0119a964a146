package org.mmsim.kernel.mm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.trace.Change;
import org.mmsim.kernel.trace.Tracer;

/**
 * {@code struct address_space}: a file's page cache ({@code i_pages}, index to frame) and the VMAs that map it
 * ({@code i_mmap}, the file reverse map), with what mm asks of its filesystem: whether it is shmem, whether it writes
 * back ({@code mapping_can_writeback()}), and its backing store ({@code a_ops}). The model keeps the host inode's
 * {@code i_size} here, with the pages it bounds, so that faults need not know the VFS.
 *
 * <p>{@code page->mapping} of a page-cache page holds this object's id and {@code page->index} the page's index.
 */
public final class AddressSpace extends StateObject implements Hashable {
    private final int id;
    private final Tracer trace;
    private final Change.InodeRef host;
    private final boolean shmem;
    private final boolean canWriteback;
    private final AddressSpaceOperations aops;
    private long size;
    private boolean evicted;
    /**
     * {@code mapping->truncate_count} (up to 2.6.27): bumped by every {@code unmap_mapping_range}, so that
     * {@code do_no_page} can tell that an unmap ran while {@code ->nopage} was looking the page up.
     */
    private long truncateCount;
    private final TreeMap<Long, Integer> pages = new TreeMap<>();
    /**
     * The pages under writeback whose bio is in flight, with the words {@code folio_start_writeback} saw: what a
     * stable-pages disk may rely on not changing until the I/O completes (the stable-pages invariant holds the page to
     * them).
     */
    private final TreeMap<Long, long[]> inFlight = new TreeMap<>();
    private final List<Vma> iMmap = new ArrayList<>();
    /**
     * The first time writeback of a page of this file decided "not pinned" (pin_tracking) while pins held it: the
     * page's index, and the pins; -1 and 0 if never. Read by the pin-tracking-sound invariant.
     */
    private long pinMissIndex = -1;
    private int pinMissPins;

    AddressSpace(MmCore core, int id, Change.InodeRef host, boolean shmem, boolean canWriteback, long size,
            AddressSpaceOperations aops) {
        this.id = id;
        this.trace = core.trace();
        this.host = host;
        this.shmem = shmem;
        this.canWriteback = canWriteback;
        this.size = size;
        this.aops = aops;
    }

    /** What {@code page->mapping} holds for this file's pages; the same as the host inode's number. */
    @Export
    public int id() {
        return id;
    }

    /** The host inode, as traces name it. */
    public Change.InodeRef host() {
        return host;
    }

    /** {@code shmem_mapping()}. */
    public boolean isShmem() {
        return shmem;
    }

    /** {@code mapping_can_writeback()}: dirty pages are written to a backing device. */
    public boolean canWriteback() {
        return canWriteback;
    }

    /** {@code mapping->a_ops}. */
    public AddressSpaceOperations aops() {
        return aops;
    }

    /** {@code i_size_read(mapping->host)} in bytes. */
    public long size() {
        return size;
    }

    /** {@code i_size_write()}, journalled. */
    public void setSize(long newSize) {
        long old = size;
        size = newSize;
        if (trace.on()) {
            trace.record(new Change.InodeSize(host, old, newSize));
        }
    }

    /** The number of pages {@code i_size} covers: faults at or beyond it raise SIGBUS. */
    public long sizePages() {
        return (size + Page.PAGE_SIZE - 1) >>> Page.PAGE_SHIFT;
    }

    /** Whether the host was evicted and the page cache truncated for good. */
    public boolean evicted() {
        return evicted;
    }

    /** The page cache: file page index to PFN, in index order. */
    public Map<Long, Integer> pages() {
        return Collections.unmodifiableMap(pages);
    }

    /** The number of pages in the page cache ({@code mapping->nrpages}). */
    public int nrPages() {
        return pages.size();
    }

    /** The page cache from page {@code index} on, in index order. */
    public Map<Long, Integer> pagesFrom(long index) {
        return Collections.unmodifiableMap(pages.tailMap(index, true));
    }

    /** The PFN caching page {@code index}, or -1. */
    public int pageAt(long index) {
        Integer pfn = pages.get(index);
        return pfn == null ? -1 : pfn;
    }

    /** {@code filemap_add_folio()}: {@code pfn} caches page {@code index} from now on, journalled. */
    public void addPage(long index, int pfn) {
        pages.put(index, pfn);
        if (trace.on()) {
            trace.record(new Change.PageCached(host, index, pfn));
        }
    }

    /** {@code filemap_remove_folio()}: page {@code index} leaves the cache (truncation). */
    public void removePage(long index) {
        pages.remove(index);
    }

    /** Migration moved page {@code index} to {@code pfn} ({@code folio_migrate_mapping}). */
    public void replacePage(long index, int pfn) {
        pages.put(index, pfn);
    }

    /** {@code folio_start_writeback()} of page {@code index} with these words: its bio is in flight. */
    public void startIo(long index, long[] words) {
        inFlight.put(index, words.clone());
    }

    /** The bio of page {@code index} completed ({@code folio_end_writeback()}). */
    public void endIo(long index) {
        inFlight.remove(index);
    }

    /** Writeback believed page {@code index} not pinned while {@code pins} pins held it (the first time is kept). */
    public void pinTrackingMissed(long index, int pins) {
        if (pinMissIndex < 0) {
            pinMissIndex = index;
            pinMissPins = pins;
        }
    }

    /** The index of the first page writeback wrongly believed not pinned, or -1. */
    public long pinMissIndex() {
        return pinMissIndex;
    }

    /** The pins that held it then. */
    public int pinMissPins() {
        return pinMissPins;
    }

    /** The pages whose writeback I/O is in flight, with the words at its start. */
    public Map<Long, long[]> inFlight() {
        return Collections.unmodifiableMap(inFlight);
    }

    /** {@code truncate_inode_pages_final()} is done: the cache is empty and stays so. */
    public void evict() {
        pages.clear();
        inFlight.clear();
        evicted = true;
        if (trace.on()) {
            trace.record(new Change.InodeEvicted(host));
        }
    }

    /** The VMAs mapping this file, in the order they were linked ({@code i_mmap}). */
    public List<Vma> iMmap() {
        return Collections.unmodifiableList(iMmap);
    }

    /** {@code vma_interval_tree_insert()}. */
    void linkVma(Vma vma) {
        iMmap.add(vma);
    }

    /** {@code vma_interval_tree_remove()}. */
    /** {@code mapping->truncate_count}. */
    public long truncateCount() {
        return truncateCount;
    }

    /** {@code unmap_mapping_range} has begun: {@code mapping->truncate_count++}. */
    public void bumpTruncateCount() {
        truncateCount++;
    }

    void unlinkVma(Vma vma) {
        iMmap.remove(vma);
    }

    /** The id, i_size, eviction, the page cache in index order, the bios in flight, and i_mmap in list order as (mm, start, end). */
    @Override
    public void hashInto(StateHasher h) {
        h.add(id).add(size).add(evicted).add(truncateCount).add(pages.size());
        for (Map.Entry<Long, Integer> e : pages.entrySet()) {
            h.add(e.getKey()).add(e.getValue());
        }
        h.add(inFlight.size());
        for (Map.Entry<Long, long[]> e : inFlight.entrySet()) {
            h.add(e.getKey());
            for (long w : e.getValue()) {
                h.add(w);
            }
        }
        h.add(iMmap.size());
        for (Vma vma : iMmap) {
            vma.hashRef(h);
        }
        h.add(pinMissIndex).add(pinMissPins);
    }

    @Override
    public String toString() {
        return host.fs() + " inode " + host.id() + (host.name() == null ? "" : " (" + host.name() + ")");
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private AddressSpace(AddressSpace o, Copier c) {
        c.pair(o, this);
        this.id = o.id;
        this.trace = c.copy(o.trace);
        this.host = o.host;
        this.shmem = o.shmem;
        this.canWriteback = o.canWriteback;
        this.aops = o.aops == AddressSpaceOperations.NONE ? o.aops : c.copy(o.aops);
        this.size = o.size;
        this.evicted = o.evicted;
        this.truncateCount = o.truncateCount;
        this.pages.putAll(o.pages);
        this.inFlight.putAll(o.inFlight);
        this.pinMissIndex = o.pinMissIndex;
        this.pinMissPins = o.pinMissPins;
        for (Vma vma : o.iMmap) {
            iMmap.add(c.copy(vma));
        }
    }

    @Override
    public AddressSpace copy(Copier c) {
        return new AddressSpace(this, c);
    }
}
