package org.mmsim.kernel.mm.filemap;

import java.util.List;
import java.util.Map;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.WordRead;
import org.mmsim.kernel.mm.notifier.MmuNotifiers;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.page.PageFrames;
import org.mmsim.kernel.mm.rmap.Rmap;
import org.mmsim.kernel.trace.Change;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.uapi.Errno;

/**
 * The page cache (mm/filemap.c, mm/shmem.c, mm/page-writeback.c): finding or creating a file's page, the
 * {@code read()} and {@code write()} paths, writeback with {@code folio_mkclean()}, and truncation when an inode dies.
 *
 * <p>Design notes. A page-cache page holds one reference for the cache ({@code i_pages}) plus one per pte and per GUP
 * reference, and one mapcount per pte, like an anonymous page; {@code page->mapping} holds the address_space id and
 * {@code page->index} the file offset in pages, and {@code PG_anon} is clear. Pages are allocated movable, as
 * {@code mapping_gfp_mask()} allows for ordinary files and shmem, so a long-term pin may have to migrate them.
 *
 * <p>Writeback for a filesystem that has it ({@link AddressSpace#canWriteback()}) is {@link WritebackCall}:
 * {@code write_cache_pages()} locks each dirty page, {@code folio_clear_dirty_for_io()} write-protects and cleans
 * every shared pte that maps it (so the next CPU write faults into {@code page_mkwrite} again), clears PG_dirty, and
 * the page's words go to disk under PG_writeback. ext4 attaches buffers (PG_private, one reference) in
 * {@code write_begin} and {@code page_mkwrite}; reclaim and truncation release them. A device that writes through a
 * pin never faults, so the filesystem never hears of its writes (docs/writeback.md).
 */
public final class Filemap {
    private final MmCore core;
    private final Tracer trace;
    private final PageFrames frames;
    private final PageAlloc alloc;
    private final Rmap rmap;

    private final MmuNotifiers notifiers;

    public Filemap(MmCore core, Rmap rmap, MmuNotifiers notifiers) {
        this.core = core;
        this.notifiers = notifiers;
        this.trace = core.trace();
        this.frames = core.frames();
        this.alloc = core.alloc();
        this.rmap = rmap;
    }

    /**
     * {@code filemap_get_folio(FGP_CREAT)} / {@code shmem_get_folio(SGP_CACHE)}: the page caching {@code index}, read
     * from the backing store or zero-filled if it is not cached yet, with a reference taken for the caller.
     *
     * @return the PFN, or -ENOMEM
     */
    public int findGetPage(AddressSpace mapping, long index) {
        int cached = mapping.pageAt(index);
        if (cached >= 0) {
            alloc.getPage(cached);
            return cached;
        }
        trace.path(mapping.isShmem() ? "shmem_get_folio" : "filemap_add_folio");
        int pfn = alloc.allocPage(PageAlloc.GFP_HIGHUSER_MOVABLE);
        if (pfn < 0) {
            return -Errno.ENOMEM;
        }
        int flags = PageFlags.PG_UPTODATE | PageFlags.PG_LRU;
        if (mapping.isShmem()) {
            flags |= PageFlags.PG_SWAPBACKED;
        }
        frames.set(pfn, flags);
        frames.setMapping(pfn, mapping.id(), index);
        long[] block = mapping.aops().readFolio(index);
        if (block != null) {
            for (int w = 0; w < Page.PAGE_WORDS; w++) {
                frames.setWord(pfn, w, block[w]);
            }
        }
        mapping.addPage(index, pfn);
        alloc.getPage(pfn);
        return pfn;
    }

    /**
     * {@code filemap_read()} / {@code shmem_file_read_iter()} of the 64-bit word at byte {@code pos}. A hole in a
     * tmpfs file reads as zeros without allocating; an ext4 read brings the page into the cache. The caller checked
     * that the file is open for reading.
     */
    public WordRead read(AddressSpace mapping, long pos) {
        trace.path(mapping.isShmem() ? "shmem_file_read_iter" : "filemap_read");
        if (pos >= mapping.size()) {
            return new WordRead(0, 0);
        }
        long index = pos >>> Page.PAGE_SHIFT;
        int word = Page.wordOf(pos, "file offset");
        if (mapping.isShmem() && mapping.pageAt(index) < 0) {
            return new WordRead(0, 8);
        }
        int pfn = findGetPage(mapping, index);
        if (pfn < 0) {
            return new WordRead(0, pfn);
        }
        long v = frames.word(pfn, word);
        frames.set(pfn, PageFlags.PG_REFERENCED);
        alloc.putPage(pfn);
        return new WordRead(v, 8);
    }

    /**
     * {@code generic_perform_write()} of one 64-bit word at byte {@code pos}: {@code write_begin} finds or creates the
     * page, the data is copied in, {@code write_end} marks the page dirty and extends {@code i_size}. The caller
     * checked that the file is open for writing.
     *
     * @return 8, or -ENOMEM
     */
    public long write(AddressSpace mapping, long pos, long value) {
        trace.path(mapping.isShmem() ? "shmem_file_write_iter" : "generic_perform_write");
        int pfn = findGetPage(mapping, pos >>> Page.PAGE_SHIFT);
        if (pfn < 0) {
            return pfn;
        }
        if (mapping.canWriteback()) {
            trace.path("ext4_write_begin");
            createEmptyBuffers(pfn);
        }
        frames.setWord(pfn, Page.wordOf(pos, "file offset"), value);
        folioMarkDirty(pfn);
        alloc.putPage(pfn);
        if (pos + 8 > mapping.size()) {
            mapping.setSize(pos + 8);
        }
        return 8;
    }

    /** {@code folio_mark_dirty()}. */
    public void folioMarkDirty(int pfn) {
        frames.set(pfn, PageFlags.PG_DIRTY);
    }

    /**
     * {@code filemap_write_and_wait()} → {@code write_cache_pages()}: write every dirty page to disk, to its end, as
     * {@code fsync} does (WB_SYNC_ALL). A filesystem without writeback (tmpfs) has nothing to do ({@code noop_fsync}).
     */
    public void writeback(AddressSpace mapping) {
        writebackCall(mapping, true).run();
    }

    /**
     * {@code filemap_write_and_wait_range(mapping, start, end)}: {@link #writeback} of the pages that hold bytes
     * [start, end] only, in one step.
     */
    public void writebackRange(AddressSpace mapping, long start, long end) {
        new WritebackCall(this, List.of(mapping), true, "file_write_and_wait_range", start >>> Page.PAGE_SHIFT,
                end >>> Page.PAGE_SHIFT).run();
    }

    /**
     * Writeback of {@code mapping} as a call with its preemption points ({@link WritebackCall}); {@code sync}:
     * WB_SYNC_ALL (wait for pages already under writeback), else WB_SYNC_NONE (skip them: background writeback).
     */
    public WritebackCall writebackCall(AddressSpace mapping, boolean sync) {
        return new WritebackCall(this, List.of(mapping), sync,
                sync ? "file_write_and_wait_range" : "writeback_single_inode");
    }

    /** {@code ksys_sync()} → {@code sync_inodes_sb()}: writeback of every file in {@code mappings}, WB_SYNC_ALL. */
    public WritebackCall syncCall(List<AddressSpace> mappings) {
        return new WritebackCall(this, mappings, true, "ksys_sync");
    }

    /**
     * {@code create_empty_buffers()} → {@code folio_attach_private()} (fs/buffer.c), from ext4's {@code write_begin}
     * ({@code block_write_begin}) and {@code page_mkwrite} ({@code block_page_mkwrite}) when the page has no buffers:
     * PG_private and a page reference for {@code folio->private}.
     */
    public void createEmptyBuffers(int pfn) {
        if (frames.test(pfn, PageFlags.PG_PRIVATE)) {
            return;
        }
        trace.path("create_empty_buffers");
        frames.set(pfn, PageFlags.PG_PRIVATE);
        alloc.getPage(pfn);
    }

    /**
     * {@code filemap_release_folio()} → {@code try_to_free_buffers()} / {@code block_invalidate_folio()}: the buffers
     * go ({@code folio_detach_private()}: PG_private clear, its reference dropped). True if it had buffers.
     */
    public boolean releaseBuffers(int pfn) {
        if (!frames.test(pfn, PageFlags.PG_PRIVATE)) {
            return false;
        }
        trace.path("try_to_free_buffers");
        frames.clear(pfn, PageFlags.PG_PRIVATE);
        alloc.putPage(pfn);
        return true;
    }

    /**
     * {@code folio_zero_segment(folio, len, folio_size(folio))} in {@code ext4_bio_write_folio()}, which
     * {@code mpage_submit_folio()} calls with {@code len} cut to {@code i_size}: the page that straddles the end of the
     * file is zeroed past it each time it is written back, since a store through a mapping may have put data there,
     * so that neither the disk nor a later load sees it.
     */
    void zeroPastEof(AddressSpace mapping, long index, int pfn) {
        long len = mapping.size() - (index << Page.PAGE_SHIFT);
        if (len > 0 && len < Page.PAGE_SIZE) {
            zeroFrom(pfn, len);
        }
    }

    /** The bytes of page {@code pfn} from offset {@code from} on zeroed, word by modelled word. */
    private void zeroFrom(int pfn, long from) {
        for (int w = (int) Math.min(from / 8, Page.PAGE_WORDS); w < Page.PAGE_WORDS; w++) {
            long old = frames.word(pfn, w);
            long v = Page.zeroedFrom(old, w, from);
            if (v != old) {
                frames.setWord(pfn, w, v);
            }
        }
    }

    /** {@code folio_start_writeback()} was called on page {@code index}: its bio is in flight with these words. */
    void startedWriteback(AddressSpace mapping, long index, int pfn) {
        trace.path("folio_start_writeback");
        mapping.startIo(index, frames.words(pfn));
    }

    /**
     * The bio of page {@code index} completes: the disk gets the page's words as they are now, then
     * {@code folio_end_writeback()} clears PG_writeback.
     */
    void completeWriteback(AddressSpace mapping, long index, int pfn) {
        mapping.aops().writePage(index, frames.words(pfn));
        if (trace.on()) {
            trace.record(new Change.PageWritten(mapping.host(), index));
        }
        trace.path("folio_end_writeback");
        mapping.endIo(index);
        frames.clear(pfn, PageFlags.PG_WRITEBACK);
    }

    /**
     * pinned_writeback=bounce: a stable copy of page {@code index} (a bounce page) is written; its bio completes within
     * the step, and the page itself stays dirty and is never under writeback.
     */
    void writeBounce(AddressSpace mapping, long index, int pfn) {
        trace.path("bounce_page_write");
        mapping.aops().writePage(index, frames.words(pfn));
        if (trace.on()) {
            trace.record(new Change.PageWritten(mapping.host(), index));
        }
    }

    MmCore core() {
        return core;
    }

    /** {@code rmap_walk_file()}: every pte that maps {@code pfn}, through {@code i_mmap}. */
    public List<Rmap.Mapping> rmapWalkFile(int pfn) {
        return rmap.rmapWalkFile(pfn);
    }

    Tracer trace() {
        return trace;
    }

    PageFrames frames() {
        return frames;
    }

    Rmap rmap() {
        return rmap;
    }

    MmuNotifiers notifiers() {
        return notifiers;
    }

    /**
     * {@code truncate_inode_pages(mapping, lstart)} (mm/truncate.c): every cached page wholly beyond {@code size}
     * leaves the cache and loses the cache's reference (a page still held by GUP lives on, orphaned), and the part of
     * the page that straddles {@code size} is zeroed. The caller has unmapped them ({@code unmap_mapping_range}).
     */
    public void truncateInodePages(AddressSpace mapping, long size) {
        trace.path("truncate_inode_pages_range");
        long first = (size + Page.PAGE_SIZE - 1) >>> Page.PAGE_SHIFT;
        for (Map.Entry<Long, Integer> e : List.copyOf(mapping.pages().entrySet())) {
            int pfn = e.getValue();
            if (e.getKey() >= first) {
                mapping.removePage(e.getKey());
                releaseBuffers(pfn);
                frames.setMapping(pfn, 0, 0);
                frames.clear(pfn, PageFlags.PG_DIRTY);
                alloc.putPage(pfn);
            } else if (e.getKey() == first - 1 && (size & (Page.PAGE_SIZE - 1)) != 0) {
                zeroFrom(pfn, size & (Page.PAGE_SIZE - 1));
            }
        }
    }

    /**
     * {@code truncate_inode_pages_final()}: the inode is being evicted; every page leaves the cache and loses the
     * cache's reference. A page still held by a GUP reference lives on, orphaned, until it is released.
     */
    public void truncateInodePagesFinal(AddressSpace mapping) {
        trace.path("truncate_inode_pages_final");
        for (int pfn : List.copyOf(mapping.pages().values())) {
            releaseBuffers(pfn);
            frames.setMapping(pfn, 0, 0);
            frames.clear(pfn, PageFlags.PG_DIRTY);
            alloc.putPage(pfn);
        }
        mapping.evict();
    }
}
