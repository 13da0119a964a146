package org.mmsim.kernel.mm;

import org.mmsim.kernel.export.Export;

/**
 * What memory management needs of {@code vma->vm_file}: the page cache it maps ({@code f_mapping}) and a reference
 * ({@code get_file()} / {@code fput()}) for as long as a VMA maps it. {@code struct file} itself lives in the VFS
 * ({@code org.mmsim.kernel.fs.File}), which knows VMAs; this interface keeps the mm core from knowing the VFS.
 */
@Export
public interface VmFile {

    /** The file's id, how fingerprints and traces name it. */
    int id();

    /** {@code file->f_mapping}, or null for a file without a page cache (a device). */
    AddressSpace mapping();

    /** {@code get_file()}. */
    void get();

    /** {@code fput()}: the last reference releases the file. */
    void put();
}
