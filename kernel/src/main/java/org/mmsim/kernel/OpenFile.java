package org.mmsim.kernel;

/**
 * {@code struct file}: an open file description on an inode, with the access mode it was opened with
 * ({@code FMODE_READ}, {@code FMODE_WRITE}). {@code mmap()} checks the mode: a shared writable mapping needs
 * FMODE_WRITE, and a shared mapping of a file opened read-only never gets VM_MAYWRITE.
 */
public final class OpenFile {
    private final Inode inode;
    private final boolean readable;
    private final boolean writable;
    boolean closed;

    OpenFile(Inode inode, boolean readable, boolean writable) {
        this.inode = inode;
        this.readable = readable;
        this.writable = writable;
    }

    public Inode inode() {
        return inode;
    }

    /** {@code FMODE_READ}. */
    public boolean readable() {
        return readable;
    }

    /** {@code FMODE_WRITE}. */
    public boolean writable() {
        return writable;
    }

    public boolean closed() {
        return closed;
    }

    @Override
    public String toString() {
        return inode + (writable ? (readable ? " O_RDWR" : " O_WRONLY") : " O_RDONLY");
    }
}
