package org.mmsim.kernel.trace;

/**
 * One change the model made, as data: the report layer renders it as text or JSON, and an HTML report can rebuild
 * page tables and counters before and after a step from it. Objects are named by their ids (mm, pfn, inode, pipe),
 * never by Java references, so a change can be kept after the machine is gone.
 */
public sealed interface Change {

    /** The {@code struct page} fields a {@link PageField} change may name. */
    enum Field { REFCOUNT, MAPCOUNT, FLAGS, MAPPING, DATA }

    /** The mm counters a {@link MmCounter} change may name, as the kernel calls them. */
    enum Counter { MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES, HIWATER_RSS, PINNED_VM, LOCKED_VM }

    /** How a VMA changed. */
    enum VmaEvent { CREATED, REMOVED, FLAGS }

    /** An inode named as traces show it: its number, filesystem and name (null for none). */
    record InodeRef(int id, String fs, String name) {}

    /** The pte that maps {@code address} in mm {@code mm} went from {@code oldPte} to {@code newPte}. */
    record Pte(int mm, long address, long oldPte, long newPte) implements Change {}

    /** A field of {@code struct page} of {@code pfn} changed; {@code word} is the data word for {@link Field#DATA}. */
    record PageField(int pfn, Field field, int word, long oldValue, long newValue) implements Change {}

    /** Frame {@code pfn} went back to the allocator. */
    record PageFreed(int pfn) implements Change {}

    /** The contents and mappings of {@code from} moved to {@code to} (migrate_pages). */
    record PageMigrated(int from, int to) implements Change {}

    /** An mm counter changed. */
    record MmCounter(int mm, Counter counter, long oldValue, long newValue) implements Change {}

    /** An {@code MMF_*} flag of mm {@code mm} was set. */
    record MmFlag(int mm, String flag) implements Change {}

    /** Fork created mm {@code child} as a copy of mm {@code parent}. */
    record MmForked(int child, int parent) implements Change {}

    /** {@code exit_mmap} tore mm {@code mm} down. */
    record MmExited(int mm) implements Change {}

    /** A VMA [start, end) of mm {@code mm} was created, removed, or had its flags changed. */
    record Vma(int mm, VmaEvent event, long start, long end, long oldFlags, long newFlags) implements Change {}

    /** An inode was created with {@code i_size} {@code size}. */
    record InodeCreated(InodeRef inode, long size) implements Change {}

    /** {@code i_size} changed. */
    record InodeSize(InodeRef inode, long oldSize, long newSize) implements Change {}

    /** Page {@code index} of the file came into the page cache in frame {@code pfn}. */
    record PageCached(InodeRef inode, long index, int pfn) implements Change {}

    /** Page {@code index} of the file was written to disk. */
    record PageWritten(InodeRef inode, long index) implements Change {}

    /** Page {@code index} of the file left the page cache (reclaim: {@code __remove_mapping}); it was in {@code pfn}. */
    record PageUncached(InodeRef inode, long index, int pfn) implements Change {}

    /** The inode was evicted and its page cache truncated. */
    record InodeEvicted(InodeRef inode) implements Change {}

    /** {@code added} buffers were queued on pipe {@code pipe}, {@code total} now. */
    record PipeQueued(int pipe, int added, int total) implements Change {}

    /** {@code user->locked_vm} of the one user every process runs as changed (pages). */
    record UserLockedVm(long oldPages, long newPages) implements Change {}

    /**
     * The program's {@code cause} (munmap, mmap, mremap, madvise, ftruncate) took the pte that mapped {@code pfn} at
     * {@code address} of mm {@code mm} while {@code holder} (a long-term pin, a device) keeps the frame: from here the
     * two may part, by the program's doing.
     */
    record Detached(int mm, long address, int pfn, String cause, String holder) implements Change {}

    /** Not a change of the model: the journal kept no more of this step's changes, and left {@code count} out. */
    record Omitted(long count) implements Change {}
}
