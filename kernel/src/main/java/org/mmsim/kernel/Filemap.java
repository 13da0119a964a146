package org.mmsim.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The page cache (mm/filemap.c, mm/shmem.c, mm/page-writeback.c): finding or creating a file's page, the
 * {@code read()} and {@code write()} paths, writeback with {@code folio_mkclean()}, the file reverse map and
 * truncation when an inode dies.
 *
 * <p>Design notes. A page-cache page holds one reference for the cache ({@code i_pages}) plus one per pte and per
 * GUP reference, and one mapcount per pte, like an anonymous page; {@code page->mapping} holds the inode number
 * and {@code page->index} the file offset in pages, and {@code PG_anon} is clear. Pages are allocated movable, as
 * {@code mapping_gfp_mask()} allows for ordinary files and shmem, so a long-term pin may have to migrate them.
 *
 * <p>Writeback for a filesystem that has it ({@link FsType#canWriteback()}): {@code write_cache_pages()} takes each
 * dirty page, {@code folio_clear_dirty_for_io()} write-protects and cleans every shared pte that maps it (so the
 * next CPU write faults into {@code page_mkwrite} again), clears PG_dirty, and the page's words go to disk under
 * PG_writeback. A device that writes through a pin never faults, so the filesystem never hears of its writes.
 */
final class Filemap {
    private final Kernel k;
    private final PageFrames frames;

    Filemap(Kernel k) {
        this.k = k;
        this.frames = k.frames;
    }

    /**
     * {@code filemap_get_folio(FGP_CREAT)} / {@code shmem_get_folio(SGP_CACHE)}: the page caching {@code index},
     * read from disk or zero-filled if it is not cached yet, with a reference taken for the caller.
     *
     * @return the PFN, or -ENOMEM
     */
    int findGetPage(Inode inode, long index) {
        Integer cached = inode.pages.get(index);
        if (cached != null) {
            k.alloc.getPage(cached);
            return cached;
        }
        k.path(inode.fs().isShmem() ? "shmem_get_folio" : "filemap_add_folio");
        int pfn = k.alloc.allocPage(PageAlloc.GFP_HIGHUSER_MOVABLE);
        if (pfn < 0) {
            return -Errno.ENOMEM;
        }
        int flags = PageFlags.PG_UPTODATE | PageFlags.PG_LRU;
        if (inode.fs().isShmem()) {
            flags |= PageFlags.PG_SWAPBACKED;
        }
        frames.set(pfn, flags);
        frames.setMapping(pfn, inode.id(), index);
        long[] block = inode.disk.get(index);
        if (block != null) {
            for (int w = 0; w < PageFrames.PAGE_WORDS; w++) {
                frames.setWord(pfn, w, block[w]);
            }
        }
        inode.pages.put(index, pfn);
        k.note(inode + ": page " + index + " cached in pfn " + pfn);
        k.alloc.getPage(pfn);
        return pfn;
    }

    /**
     * {@code filemap_read()} / {@code shmem_file_read_iter()} of the 64-bit word at byte {@code pos}. A hole in a
     * tmpfs file reads as zeros without allocating; an ext4 read brings the page into the cache.
     */
    FileRead read(OpenFile f, long pos) {
        k.path(f.inode().fs().isShmem() ? "shmem_file_read_iter" : "filemap_read");
        if (!f.readable()) {
            return new FileRead(0, -Errno.EBADF);
        }
        Inode inode = f.inode();
        if (pos >= inode.size) {
            return new FileRead(0, 0);
        }
        long index = pos >>> PageTable.PAGE_SHIFT;
        int word = wordOf(pos);
        if (inode.fs().isShmem() && !inode.pages.containsKey(index)) {
            return new FileRead(0, 8);
        }
        int pfn = findGetPage(inode, index);
        if (pfn < 0) {
            return new FileRead(0, pfn);
        }
        long v = frames.word(pfn, word);
        frames.set(pfn, PageFlags.PG_REFERENCED);
        k.alloc.putPage(pfn);
        return new FileRead(v, 8);
    }

    /**
     * {@code generic_perform_write()} of one 64-bit word at byte {@code pos}: {@code write_begin} finds or creates
     * the page, the data is copied in, {@code write_end} marks the page dirty and extends {@code i_size}.
     *
     * @return 8, or -EBADF (not open for writing), -ENOMEM
     */
    long write(OpenFile f, long pos, long value) {
        k.path(f.inode().fs().isShmem() ? "shmem_file_write_iter" : "generic_perform_write");
        if (!f.writable()) {
            return -Errno.EBADF;
        }
        Inode inode = f.inode();
        int pfn = findGetPage(inode, pos >>> PageTable.PAGE_SHIFT);
        if (pfn < 0) {
            return pfn;
        }
        frames.setWord(pfn, wordOf(pos), value);
        folioMarkDirty(pfn);
        k.alloc.putPage(pfn);
        if (pos + 8 > inode.size) {
            k.note(inode + ": i_size " + inode.size + " -> " + (pos + 8));
            inode.size = pos + 8;
        }
        return 8;
    }

    /** {@code folio_mark_dirty()}. */
    void folioMarkDirty(int pfn) {
        frames.set(pfn, PageFlags.PG_DIRTY);
    }

    /**
     * {@code filemap_write_and_wait()} → {@code write_cache_pages()}: write every dirty page to disk. A
     * filesystem without writeback (tmpfs) has nothing to do ({@code noop_fsync}).
     */
    void writeback(Inode inode) {
        if (!inode.fs().canWriteback()) {
            k.path("noop_fsync");
            return;
        }
        k.path("write_cache_pages");
        for (Map.Entry<Long, Integer> e : inode.pages.entrySet()) {
            int pfn = e.getValue();
            if (!folioClearDirtyForIo(pfn)) {
                continue;
            }
            frames.set(pfn, PageFlags.PG_WRITEBACK);
            long[] block = new long[PageFrames.PAGE_WORDS];
            for (int w = 0; w < block.length; w++) {
                block[w] = frames.word(pfn, w);
            }
            inode.disk.put(e.getKey(), block);
            k.note(inode + ": page " + e.getKey() + " written to disk");
            frames.clear(pfn, PageFlags.PG_WRITEBACK);
        }
    }

    /**
     * {@code folio_clear_dirty_for_io()}: clean the ptes first ({@link #folioMkclean}), moving a dirty pte's state
     * into PG_dirty, then test and clear PG_dirty.
     */
    private boolean folioClearDirtyForIo(int pfn) {
        if (folioMkclean(pfn) > 0) {
            folioMarkDirty(pfn);
        }
        if (!frames.test(pfn, PageFlags.PG_DIRTY)) {
            return false;
        }
        frames.clear(pfn, PageFlags.PG_DIRTY);
        return true;
    }

    /**
     * {@code folio_mkclean()} → {@code page_mkclean_one()} over the file rmap: write-protect and clean every pte of
     * a shared mapping that maps the page (inside an MMU_NOTIFY_PROTECTION_PAGE range, with a TLB flush).
     *
     * @return how many of those ptes were dirty
     */
    int folioMkclean(int pfn) {
        k.path("folio_mkclean");
        int dirty = 0;
        for (Rmap.Mapping m : rmapWalkFile(pfn)) {
            if (!m.vma().has(VmFlags.VM_SHARED)) {
                continue;
            }
            long pte = m.mm().pte(m.address());
            if (Pte.write(pte) || Pte.dirty(pte)) {
                if (Pte.dirty(pte)) {
                    dirty++;
                }
                m.mm().setPte(m.address(), Pte.wrProtect(Pte.mkClean(pte)));
            }
        }
        return dirty;
    }

    /**
     * {@code rmap_walk_file()}: every pte mapping page-cache page {@code pfn}, found from the inode's
     * {@code i_mmap} and the page's index, not by scanning page tables.
     */
    List<Rmap.Mapping> rmapWalkFile(int pfn) {
        List<Rmap.Mapping> out = new ArrayList<>();
        Inode inode = k.inode(frames.mapping(pfn));
        if (inode == null || inode.evicted) {
            return out;
        }
        for (Vma vma : inode.iMmap) {
            Rmap.Mapping m = Rmap.vmaMapping(vma, frames.index(pfn), pfn);
            if (m != null) {
                out.add(m);
            }
        }
        return out;
    }

    /**
     * {@code truncate_inode_pages_final()}: the inode is being evicted; every page leaves the cache and loses the
     * cache's reference. A page still held by a GUP reference lives on, orphaned, until it is released.
     */
    void truncateInodePages(Inode inode) {
        k.path("truncate_inode_pages_final");
        for (int pfn : List.copyOf(inode.pages.values())) {
            frames.setMapping(pfn, 0, 0);
            frames.clear(pfn, PageFlags.PG_DIRTY);
            k.alloc.putPage(pfn);
        }
        inode.pages.clear();
        inode.evicted = true;
        k.note(inode + " evicted");
    }

    private static int wordOf(long pos) {
        return PageFrames.wordOf(pos, "file offset");
    }
}
