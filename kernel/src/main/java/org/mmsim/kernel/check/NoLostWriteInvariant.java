package org.mmsim.kernel.check;

import java.util.List;
import java.util.Map;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.fs.Inode;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.page.PageFrames;

/**
 * No lost write: a cached page of a file with a disk whose words (up to {@code i_size}) differ from the disk's must
 * be known to be dirty: PG_dirty, or a dirty pte that {@code folio_mkclean} will move into it. Exempt are the
 * moments writeback itself holds the page (PG_locked between the dirty test-and-clear and PG_writeback; PG_writeback
 * until the bio completes) and pages a GUP array still holds (the device may have written them; it dirties them when
 * it lets go, {@code unpin_user_pages_dirty_lock}). Every word a CPU store, {@code pwrite} or a device DMA put into a
 * page is thus either on disk or still to be written; a page writeback cleaned without writing ({@code
 * ext4_dirty_nobuffers=warn}), or one dirtied behind the page cache's back and released clean, breaks it. The check
 * is stateless: the disk is the shadow. Reclaim removes only clean pages, so a page that leaves the cache has
 * been checked while it was still cached.
 */
final class NoLostWriteInvariant implements Invariant {

    @Override
    public String name() {
        return "no-lost-write";
    }

    @Override
    public String doc() {
        return "a cached page of an ext4 file that differs from the disk is dirty (PG_dirty or a dirty pte), locked or "
                + "under writeback, or held by GUP";
    }

    @Override
    public List<Violation> check(Kernel kernel) {
        List<Violation> out = null;
        PageFrames frames = kernel.frames();
        for (Inode inode : kernel.vfs().inodes()) {
            AddressSpace mapping = inode.mapping();
            if (mapping == null || mapping.evicted() || !mapping.canWriteback()) {
                continue;
            }
            for (Map.Entry<Long, Integer> e : mapping.pages().entrySet()) {
                long index = e.getKey();
                int pfn = e.getValue();
                if (frames.test(pfn, PageFlags.PG_DIRTY) || frames.test(pfn, PageFlags.PG_LOCKED)
                        || frames.test(pfn, PageFlags.PG_WRITEBACK)) {
                    continue;
                }
                int word = differs(inode, mapping, frames, index, pfn);
                if (word < 0 || FileCaches.dirtyPte(mapping, index, pfn) || FileCaches.gupHeld(kernel, pfn)) {
                    continue;
                }
                out = Invariants.add(out, new Violation(name(), String.format(
                        "page %d (pfn %d) of %s is clean but word %d holds %#x "
                        + "where the disk has %#x: the write will never reach the disk", index, pfn, mapping, word,
                        frames.word(pfn, word), inode.diskWord(index, word))));
            }
        }
        return out == null ? List.of() : out;
    }

    /** The first word below i_size where the page and the disk differ, or -1. */
    private static int differs(Inode inode, AddressSpace mapping, PageFrames frames, long index, int pfn) {
        long base = index * Page.PAGE_SIZE;
        for (int w = 0; w < Page.PAGE_WORDS; w++) {
            if (base + 8L * w >= mapping.size()) {
                return -1;
            }
            if (frames.word(pfn, w) != inode.diskWord(index, w)) {
                return w;
            }
        }
        return -1;
    }
}
