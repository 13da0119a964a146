package org.mmsim.kernel.fs;

import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.WordRead;
import org.mmsim.kernel.mm.filemap.Filemap;
import org.mmsim.kernel.mm.filemap.FileVmOps;
import org.mmsim.kernel.mm.VmFault;

/**
 * The {@code file_operations} of a regular file on one filesystem ({@code ext4_file_operations},
 * {@code shmem_file_operations}): reads and writes through the page cache, {@code ->mmap} that sets the filesystem's
 * {@code vm_ops}, and {@code ->fsync} that writes dirty pages back.
 */
final class RegularFileOps implements FileOperations {
    private final FsType fs;
    private final Filemap filemap;
    private final FileVmOps vmOps;

    RegularFileOps(FsType fs, Filemap filemap) {
        this.fs = fs;
        this.filemap = filemap;
        this.vmOps = fs.hasPageMkwrite() ? new Ext4VmOps(filemap) : new FileVmOps("shmem_vm_ops", filemap);
    }

    @Override
    public String name() {
        return fs.isShmem() ? "shmem_file_operations" : "ext4_file_operations";
    }

    /** The filesystem's {@code vm_ops}. */
    FileVmOps vmOps() {
        return vmOps;
    }

    @Override
    public WordRead read(File file, long pos) {
        return filemap.read(file.mapping(), pos);
    }

    @Override
    public long write(File file, long pos, long value) {
        return filemap.write(file.mapping(), pos, value);
    }

    /** {@code ext4_file_mmap()} / {@code shmem_mmap()}: the VMA gets the filesystem's {@code vm_ops}. */
    @Override
    public int mmap(File file, Vma vma) {
        vma.setVmOps(vmOps);
        return 0;
    }

    /**
     * {@code ext4_sync_file()} → {@code file_write_and_wait_range(file, start, end)} / {@code noop_fsync()}: write
     * the dirty pages of bytes [start, end] back.
     */
    @Override
    public long fsync(File file, long start, long end) {
        filemap.writebackRange(file.mapping(), start, end);
        return 0;
    }

    /** {@code ext4_sync_file()} / {@code noop_fsync()}: write the file's dirty pages back. */
    @Override
    public long fsync(File file) {
        filemap.writeback(file.mapping());
        return 0;
    }

    /**
     * {@code ext4_file_vm_ops}: {@code filemap_fault}, and {@code ext4_page_mkwrite}, which reserves blocks, attaches
     * buffers ({@code block_page_mkwrite} → {@code create_empty_buffers}), waits for writeback on stable-page devices
     * and marks the page dirty before a shared mapping may write it.
     */
    private static final class Ext4VmOps extends FileVmOps {
        Ext4VmOps(Filemap filemap) {
            super("ext4_file_vm_ops", filemap);
        }

        @Override
        public boolean hasPageMkwrite() {
            return true;
        }

        @Override
        public int pageMkwrite(VmFault vmf) {
            // block_page_mkwrite(): buffers if the page has none, then dirty (folio_lock and folio_wait_stable
            // are waited for before the fault starts: Memory#pageMkwriteWait)
            filemap.createEmptyBuffers(vmf.page());
            filemap.folioMarkDirty(vmf.page());
            return VmFault.VM_FAULT_LOCKED;
        }
    }
}
