package org.mmsim.kernel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code struct inode} with its {@code struct address_space}: the file's size, its page cache ({@code i_pages},
 * index to frame), the VMAs that map it ({@code i_mmap}, the file reverse map) and, for a filesystem with
 * writeback, the blocks on disk.
 *
 * <p>Lifetime: {@code i_count} counts open files and VMAs ({@code vm_file}); {@code i_nlink} is 1 for a named
 * file and 0 for a memfd, an {@code O_TMPFILE}, a shmem object behind {@code MAP_SHARED|MAP_ANONYMOUS}, or an
 * unlinked file. When both reach zero the inode is evicted and its page cache truncated
 * ({@code truncate_inode_pages_final()}).
 */
public final class Inode {
    private final int id;
    private final FsType fs;
    private final String name;
    long size;
    int count;
    int nlink;
    boolean evicted;
    final TreeMap<Long, Integer> pages = new TreeMap<>();
    final List<Vma> iMmap = new ArrayList<>();
    final Map<Long, long[]> disk = new TreeMap<>();

    Inode(int id, FsType fs, String name, long size, int nlink) {
        this.id = id;
        this.fs = fs;
        this.name = name;
        this.size = size;
        this.nlink = nlink;
    }

    /** The inode number; also what {@code page->mapping} holds for this file's page-cache pages. */
    public int id() {
        return id;
    }

    public FsType fs() {
        return fs;
    }

    public String name() {
        return name;
    }

    /** {@code i_size} in bytes. */
    public long size() {
        return size;
    }

    /** The number of pages {@code i_size} covers: faults at or beyond it raise SIGBUS. */
    public long sizePages() {
        return (size + PageTable.PAGE_SIZE - 1) >>> PageTable.PAGE_SHIFT;
    }

    /** Whether the inode has been evicted (its page cache is gone). */
    public boolean evicted() {
        return evicted;
    }

    /** The page cache: file page index to PFN, in index order. */
    public Map<Long, Integer> pageCache() {
        return Collections.unmodifiableMap(pages);
    }

    /** The PFN caching page {@code index}, or -1. */
    public int pageAt(long index) {
        Integer pfn = pages.get(index);
        return pfn == null ? -1 : pfn;
    }

    /** The VMAs mapping this file, in the order they were linked ({@code i_mmap}). */
    public List<Vma> iMmap() {
        return Collections.unmodifiableList(iMmap);
    }

    /** Word {@code word} of block {@code index} on disk (0 for a hole or a filesystem without a disk). */
    public long diskWord(long index, int word) {
        long[] b = disk.get(index);
        return b == null ? 0 : b[word];
    }

    @Override
    public String toString() {
        return fs.key() + " inode " + id + (name == null ? "" : " (" + name + ")");
    }
}
