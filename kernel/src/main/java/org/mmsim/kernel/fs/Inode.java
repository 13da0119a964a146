package org.mmsim.kernel.fs;

import java.util.Map;
import java.util.TreeMap;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.AddressSpaceOperations;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;

/**
 * {@code struct inode} of a regular file, with its {@code struct address_space} ({@link #mapping()}: page cache,
 * {@code i_mmap}, {@code i_size}) and, for a filesystem with a disk, the blocks on disk as last written back.
 *
 * <p>Lifetime: {@code i_count} counts the open files on the inode ({@code struct file}s; VMAs hold their file);
 * {@code i_nlink} is 1 for a named file and 0 for a memfd, an {@code O_TMPFILE}, the shmem object behind
 * {@code MAP_SHARED|MAP_ANONYMOUS}, or an unlinked file. When both reach zero the inode is evicted and its page cache
 * truncated ({@code truncate_inode_pages_final()}).
 */
public final class Inode extends StateObject implements Hashable {
    private final FsType fs;
    private final String name;
    private final AddressSpace mapping;
    private final TreeMap<Long, long[]> disk = new TreeMap<>();
    int count;
    int nlink;

    Inode(MmCore core, FsType fs, String name, long size, int nlink) {
        this.fs = fs;
        this.name = name;
        this.nlink = nlink;
        this.mapping = core.newMapping(fs.key(), name, fs.isShmem(), fs.canWriteback(), size,
                fs.canWriteback() ? new Disk() : AddressSpaceOperations.NONE);
    }

    /** The inode number; also what {@code page->mapping} holds for this file's page-cache pages. */
    public int id() {
        return mapping.id();
    }

    public FsType fs() {
        return fs;
    }

    public String name() {
        return name;
    }

    /** {@code inode->i_mapping}. */
    public AddressSpace mapping() {
        return mapping;
    }

    /** {@code i_size} in bytes. */
    public long size() {
        return mapping.size();
    }

    /** {@code i_count}. */
    public int count() {
        return count;
    }

    /** {@code i_nlink}. */
    public int nlink() {
        return nlink;
    }

    /** Whether the inode has been evicted (its page cache is gone). */
    public boolean evicted() {
        return mapping.evicted();
    }

    /** Word {@code word} of block {@code index} on disk (0 for a hole or a filesystem without a disk). */
    public long diskWord(long index, int word) {
        long[] b = disk.get(index);
        return b == null ? 0 : b[word];
    }

    /** The filesystem's {@code a_ops} for a file on a disk: blocks in, blocks out. */
    private final class Disk extends StateObject implements AddressSpaceOperations {
        /** The copied inode's disk: the inode is copied with it. */
        @Override
        public Object copy(Copier c) {
            return c.copy(Inode.this).mapping.aops();
        }

        @Override
        public long[] readFolio(long index) {
            return disk.get(index);
        }

        @Override
        public void writePage(long index, long[] words) {
            disk.put(index, words.clone());
        }

        /**
         * {@code ext4_truncate()}. ext4 zeroes the straddling block's tail through the page cache (the page is read
         * in, zeroed and dirtied, and written back later); here the block on disk is zeroed at once, which differs
         * only in when the zeros reach the disk: the cached page's tail was zeroed by the truncation of the cache.
         */
        @Override
        public void truncateBlocks(long size) {
            disk.tailMap((size + Page.PAGE_SIZE - 1) >>> Page.PAGE_SHIFT).clear();
            long tail = size & (Page.PAGE_SIZE - 1);
            long[] b = tail == 0 ? null : disk.get(size >>> Page.PAGE_SHIFT);
            if (b != null) {
                long[] zeroed = b.clone(); // blocks are shared with copies of the machine: replaced, never changed
                for (int w = 0; w < zeroed.length; w++) {
                    zeroed[w] = Page.zeroedFrom(b[w], w, tail);
                }
                disk.put(size >>> Page.PAGE_SHIFT, zeroed);
            }
        }
    }

    /** Number, filesystem, name, i_count, i_nlink, and the disk blocks in index order (the cache is the mapping's). */
    @Override
    public void hashInto(StateHasher h) {
        h.add(id()).add(fs.ordinal()).add(name).add(count).add(nlink).add(disk.size());
        for (Map.Entry<Long, long[]> e : disk.entrySet()) {
            h.add(e.getKey()).add(e.getValue().length);
            for (long word : e.getValue()) {
                h.add(word);
            }
        }
    }

    /** The number of pages {@code i_size} covers. */
    public long sizePages() {
        return (size() + Page.PAGE_SIZE - 1) >>> Page.PAGE_SHIFT;
    }

    @Override
    public String toString() {
        return fs.key() + " inode " + id() + (name == null ? "" : " (" + name + ")");
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    /** The disk's blocks are shared with the original: a write-back replaces a block, never changes one in place. */
    private Inode(Inode o, Copier c) {
        c.pair(o, this);
        if (o.mapping.aops() instanceof Disk d) {
            c.pair(d, new Disk());
        }
        this.fs = o.fs;
        this.name = o.name;
        this.disk.putAll(o.disk);
        this.count = o.count;
        this.nlink = o.nlink;
        this.mapping = c.copy(o.mapping);
    }

    @Override
    public Inode copy(Copier c) {
        return new Inode(this, c);
    }
}
