package org.mmsim.kernel.mm;

/**
 * The part of {@code struct address_space_operations} the model has: moving a page's words between the backing
 * store and the page cache. A filesystem with a disk implements it ({@code read_folio}, {@code writepages}); tmpfs
 * has no backing store here (no swap), so its pages start zeroed and are never written back.
 */
public interface AddressSpaceOperations {

    /** {@code ->read_folio}: the words of page {@code index} on disk, or null for a hole. */
    long[] readFolio(long index);

    /** {@code ->writepages} for one page: put {@code words} on disk as page {@code index}. */
    void writePage(long index, long[] words);

    /**
     * The filesystem's truncate of its blocks to {@code size} bytes, after the page cache was truncated
     * ({@code ext4_truncate()}: {@code ext4_block_truncate_page()} zeroes the rest of the block that straddles
     * {@code size}, {@code ext4_ext_remove_space()} frees every block past it), so that the file read back after it
     * grows again holds zeros there, not the old data. Nothing for a filesystem without a disk.
     */
    default void truncateBlocks(long size) {}

    /** The backing store of a filesystem without one: every page a hole, nothing is written. */
    AddressSpaceOperations NONE = new AddressSpaceOperations() {
        @Override
        public long[] readFolio(long index) {
            return null;
        }

        @Override
        public void writePage(long index, long[] words) {
            throw new IllegalStateException("page " + index + " written back on a filesystem without writeback");
        }
    };
}
