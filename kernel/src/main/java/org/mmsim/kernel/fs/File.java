package org.mmsim.kernel.fs;

import org.mmsim.kernel.bug.KernelBug;
import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.VmFile;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;

/**
 * {@code struct file}: an open file description. It has the access mode it was opened with ({@code FMODE_READ},
 * {@code FMODE_WRITE}), its {@code file_operations}, the inode it is open on (none for a pipe end or an anonymous
 * inode such as an io_uring ring), the owner's {@code private_data}, and {@code f_count}: one reference per fd that
 * refers to it (in any process's table) and per VMA that maps it. When the last goes, {@code ->release} runs and the
 * inode loses its reference ({@code __fput}).
 */
public final class File extends StateObject implements VmFile, Hashable {
    public static final int FMODE_READ = 1;
    public static final int FMODE_WRITE = 2;

    private final int id;
    private final Vfs vfs;
    private final FileOperations fops;
    private final int mode;
    private final Inode inode;
    private Object privateData;
    /** {@code file->f_mapping} when the owner set it (a device's own address_space); else the inode's. */
    private AddressSpace mapping;
    private int count = 1;

    File(int id, Vfs vfs, FileOperations fops, int mode, Inode inode) {
        this.id = id;
        this.vfs = vfs;
        this.fops = fops;
        this.mode = mode;
        this.inode = inode;
    }

    /** The file's id: the order in which files were opened, from 1. */
    @Override
    @Export
    public int id() {
        return id;
    }

    @Export
    public FileOperations fops() {
        return fops;
    }

    /** {@code FMODE_READ}. */
    @Export
    public boolean readable() {
        return (mode & FMODE_READ) != 0;
    }

    /** {@code FMODE_WRITE}. */
    @Export
    public boolean writable() {
        return (mode & FMODE_WRITE) != 0;
    }

    /** The inode, or null (pipe ends, anonymous inodes). */
    public Inode inode() {
        return inode;
    }

    @Override
    public AddressSpace mapping() {
        return mapping != null ? mapping : inode == null ? null : inode.mapping();
    }

    /**
     * {@code file->f_mapping = mapping}: a device's {@code ->open} points the file at the device's own
     * {@code address_space}, so that its mappings join that {@code i_mmap} and {@code unmap_mapping_range} finds
     * them (DRM's {@code anon_inode->i_mapping}, spufs' per-context inodes).
     */
    @Export
    public void setMapping(AddressSpace mapping) {
        this.mapping = mapping;
    }

    /** {@code file->private_data}. */
    @Export
    public Object privateData() {
        return privateData;
    }

    @Export
    public void setPrivateData(Object data) {
        this.privateData = data;
    }

    /** {@code file_count()}: references from fds and VMAs. */
    public int count() {
        return count;
    }

    /** Whether the last reference went and the file was released. */
    public boolean released() {
        return count == 0;
    }

    @Override
    public void get() {
        if (count <= 0) {
            throw new KernelBug("file_ref", "get_file on released file " + id);
        }
        count++;
    }

    /**
     * {@code fput()} of a file whose {@code ->open} failed: it never was {@code FMODE_OPENED}, so it is freed without
     * {@code ->release} ({@code file_free}); the caller holds its only reference.
     */
    void dropUnopened() {
        count = 0;
    }

    @Override
    public void put() {
        if (count <= 0) {
            throw new KernelBug("file_ref", "fput of released file " + id);
        }
        if (--count == 0) {
            vfs.release(this);
        }
    }

    /** Id, mode, operations, f_count, the inode by number, and the owner's private data if it is state. */
    @Override
    public void hashInto(StateHasher h) {
        h.add(id).add(mode).add(fops.name()).add(count).add(inode == null ? 0 : inode.id())
                .add(mapping == null ? 0 : mapping.id());
        if (privateData instanceof Hashable state) {
            state.hashInto(h);
        }
    }

    @Override
    public String toString() {
        return (inode == null ? fops.name() : inode.toString())
                + (writable() ? (readable() ? " O_RDWR" : " O_WRONLY") : " O_RDONLY");
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private File(File o, Copier c) {
        c.pair(o, this);
        this.id = o.id;
        this.vfs = c.copy(o.vfs);
        this.fops = c.copy(o.fops);
        this.mode = o.mode;
        this.inode = c.copy(o.inode);
        this.privateData = c.copy(o.privateData);
        this.mapping = c.copy(o.mapping);
        this.count = o.count;
    }

    @Override
    public File copy(Copier c) {
        return new File(this, c);
    }
}
