package org.mmsim.kernel.fs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mmsim.kernel.bug.KernelBug;
import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.WordRead;
import org.mmsim.kernel.mm.filemap.Filemap;
import org.mmsim.kernel.mm.gup.Gup;
import org.mmsim.kernel.mm.memory.Zap;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.vmscan.ReclaimCall;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.sched.Syscall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Fcntl;

/**
 * The VFS (fs/namei.c, fs/open.c, fs/read_write.c, fs/file_table.c, fs/char_dev.c, fs/anon_inodes.c): inodes and
 * their names, open files, pipes, character devices, and the file paths of {@code open}, {@code read},
 * {@code write}, {@code fsync}, {@code unlink} and {@code close} once the caller has found the file behind its fd.
 *
 * <p>Names: each filesystem is mounted at {@code /FS} ({@code /ext4}, {@code /tmpfs}) with one directory, so a file
 * {@code F} created on ext4 is {@code /ext4/F}; character devices appear as {@code /dev/NAME} once a driver registered
 * them. Every inode, open file and pipe is kept by id, for the fingerprint and the accounting invariant; a device's
 * registration is configuration made at boot, not state.
 */
public final class Vfs implements Hashable {
    private final MmCore core;
    private final Tracer trace;
    private final Filemap filemap;
    /**
     * The operation tables and splice's mechanism, each made when first used ({@link #splice()}, {@link #pipeOps()},
     * {@link #regularOps(FsType)}): most explored machines open no file, and a copy of one would otherwise build and
     * pair six objects it never uses. A copy makes those its original made, to pair them ({@link #copyFrom}).
     */
    private Splice splice;
    private PipeOps pipeOps;
    private static final FsType[] FS_TYPES = FsType.values();
    private final RegularFileOps[] regularOps = new RegularFileOps[FS_TYPES.length];
    private final List<Inode> inodes = new ArrayList<>();
    private final List<File> files = new ArrayList<>();
    private final List<Pipe> pipes = new ArrayList<>();
    private final Map<String, Inode> names = new TreeMap<>();
    private final Map<String, FileOperations> devices = new TreeMap<>();

    private final Zap zap;
    private final Gup gup;

    public Vfs(MmCore core, Filemap filemap, Gup gup, Zap zap) {
        this.core = core;
        this.zap = zap;
        this.gup = gup;
        this.trace = core.trace();
        this.filemap = filemap;
    }

    private Splice splice() {
        if (splice == null) {
            splice = new Splice(trace, gup);
        }
        return splice;
    }

    private PipeOps pipeOps() {
        if (pipeOps == null) {
            pipeOps = new PipeOps(core);
        }
        return pipeOps;
    }

    /** The {@code file_operations} of regular files of {@code fs}. */
    private RegularFileOps regularOps(FsType fs) {
        RegularFileOps ops = regularOps[fs.ordinal()];
        if (ops == null) {
            ops = new RegularFileOps(fs, filemap);
            regularOps[fs.ordinal()] = ops;
        }
        return ops;
    }

    /**
     * {@code ftruncate(fd, size)} → {@code do_truncate} → {@code truncate_setsize}: set {@code i_size}; when it
     * shrinks, {@code truncate_pagecache}: unmap the pages beyond it from every mapping, private COW copies included
     * ({@code unmap_mapping_range(mapping, holebegin, 0, 1)}, an MMU_NOTIFY_CLEAR invalidation per VMA), then drop
     * them from the cache ({@code truncate_inode_pages}).
     *
     * @return 0; -EINVAL for a negative size, a file not open for writing, or one that is not a regular file
     */
    public long truncate(File f, long size) {
        trace.path("do_sys_ftruncate");
        if (size < 0 || !f.writable() || f.mapping() == null) {
            return -Errno.EINVAL;
        }
        setSize(f.mapping(), size);
        return 0;
    }

    /**
     * {@code truncate_setsize()} and what the filesystem's {@code ->setattr} does after it: when the file shrinks,
     * {@code truncate_pagecache} (unmap, then drop the cached pages beyond {@code size} and zero the tail of the
     * page that straddles it), then the filesystem's own truncate of its blocks ({@code ext4_truncate}).
     */
    private void setSize(AddressSpace mapping, long size) {
        long old = mapping.size();
        mapping.setSize(size);
        if (size < old) {
            trace.path("truncate_pagecache");
            zap.unmapMappingRange(mapping, (size + Page.PAGE_SIZE - 1) >>> Page.PAGE_SHIFT, 0, true, "ftruncate")
                    .run();
            filemap.truncateInodePages(mapping, size);
            mapping.aops().truncateBlocks(size);
        }
    }

    /**
     * {@code unmap_mapping_folio()}: the cached page at {@code index} of {@code mapping} is unmapped from every
     * process that maps it ({@code even_cows} false: private COW copies stay); {@code cause} names the program's call.
     */
    void unmapMappingFolio(AddressSpace mapping, long index, String cause) {
        zap.unmapMappingRange(mapping, index, 1, false, cause).run();
    }

    // ---- files and inodes ---------------------------------------------------------------------------------

    private File newFile(FileOperations fops, int mode, Inode inode) {
        File f = new File(files.size() + 1, this, fops, mode, inode);
        files.add(f);
        if (inode != null) {
            inode.count++;
        }
        return f;
    }

    private Inode newInode(FsType fs, String name, long size, int nlink) {
        Inode inode = new Inode(core, fs, name, size, nlink);
        inodes.add(inode);
        return inode;
    }

    /** {@code iput()}: when nothing refers to an unlinked inode any more, evict it. */
    private void iput(Inode inode) {
        if (inode.count <= 0) {
            throw new KernelBug("iput", inode + " released more often than taken");
        }
        if (--inode.count == 0 && inode.nlink == 0) {
            filemap.truncateInodePagesFinal(inode.mapping());
        }
    }

    /** {@code __fput()}: the last reference to {@code f} went. */
    void release(File f) {
        trace.path("__fput");
        f.fops().release(f);
        if (f.inode() != null) {
            iput(f.inode());
        }
    }

    private static int fmode(int flags) {
        return switch (flags & Fcntl.O_ACCMODE) {
            case Fcntl.O_WRONLY -> File.FMODE_WRITE;
            case Fcntl.O_RDWR -> File.FMODE_READ | File.FMODE_WRITE;
            default -> File.FMODE_READ;
        };
    }

    /** The path of file {@code name} on filesystem {@code fs}: {@code /FS/NAME}. */
    public static String path(FsType fs, String name) {
        return "/" + fs.key() + "/" + name;
    }

    /**
     * {@code open(path, O_CREAT|O_RDWR)} then {@code ftruncate(size)}: the file {@code name} on {@code fs}, created
     * if it does not exist, with {@code i_size} set to {@code size}.
     *
     * @return the new open file, with the caller's reference
     */
    public File creat(FsType fs, String name, long size) {
        trace.path("do_sys_open");
        String path = path(fs, name);
        Inode inode = names.get(path);
        if (inode == null) {
            inode = newInode(fs, name, Math.max(size, 0), 1);
            names.put(path, inode);
            return newFile(regularOps(fs), File.FMODE_READ | File.FMODE_WRITE, inode);
        }
        File f = newFile(regularOps(fs), File.FMODE_READ | File.FMODE_WRITE, inode);
        if (size >= 0) {
            trace.path("do_sys_ftruncate");
            setSize(inode.mapping(), size);
        }
        return f;
    }

    /** {@code memfd_create(name)} then {@code ftruncate(size)}: an unlinked tmpfs file, open O_RDWR. */
    public File memfdCreate(String name, long size) {
        trace.path("memfd_create");
        Inode inode = newInode(FsType.TMPFS, "memfd:" + name, Math.max(size, 0), 0);
        return newFile(regularOps(FsType.TMPFS), File.FMODE_READ | File.FMODE_WRITE, inode);
    }

    /**
     * {@code shmem_kernel_file_setup()} for {@code shmem_zero_setup()}: the unlinked tmpfs object behind a
     * {@code MAP_SHARED|MAP_ANONYMOUS} mapping of {@code size} bytes, open O_RDWR, with {@code shmem_vm_ops}.
     */
    public File shmemZeroSetup(long size) {
        Inode inode = newInode(FsType.TMPFS, "dev/zero", size, 0);
        return newFile(regularOps(FsType.TMPFS), File.FMODE_READ | File.FMODE_WRITE, inode);
    }

    /** What opening {@code path} by a task of mm {@code current} waits for now: its device's, or null. */
    public Acquire openBlockedOn(String path, Mm current) {
        if (!path.startsWith("/dev/")) {
            return null;
        }
        FileOperations fops = devices.get(path.substring("/dev/".length()));
        return fops == null ? null : fops.openBlockedOn(current);
    }

    /**
     * {@code do_sys_open()} of a named file or a device ({@code /dev/NAME}, whose {@code ->open} may fail: then the
     * file never counts as opened, so {@code fput} frees it without {@code ->release}, and its errno is the result).
     * A device's {@code ->open} sees the opener's mm, {@code current}.
     *
     * @return the new open file, or the errno: -ENOENT (no such file or device) or the device's
     */
    public Opened open(String path, int flags, Mm current) {
        trace.path("do_sys_open");
        if (path.startsWith("/dev/")) {
            FileOperations fops = devices.get(path.substring("/dev/".length()));
            if (fops == null) {
                return new Opened(null, -Errno.ENOENT);
            }
            File f = newFile(fops, fmode(flags), null);
            int r = fops.open(f, current);
            if (r < 0) {
                f.dropUnopened();
                return new Opened(null, r);
            }
            return new Opened(f, 0);
        }
        Inode inode = names.get(path);
        return inode == null ? new Opened(null, -Errno.ENOENT)
                : new Opened(newFile(regularOps(inode.fs()), fmode(flags), inode), 0);
    }

    /** What {@link #open} gives: the file, or (with none) the errno. */
    public record Opened(File file, int err) {}

    /**
     * Open the inode {@code f} is open on once more, as through {@code /proc/self/fd/N} ({@code proc_fd_link}): works
     * for unlinked files too, as long as the inode lives. Null for a file without an inode ({@code -ENOENT}).
     */
    public File reopen(File f, int flags) {
        trace.path("do_sys_open");
        if (f.inode() == null || f.inode().evicted()) {
            return null;
        }
        return newFile(f.fops(), fmode(flags), f.inode());
    }

    /** {@code unlink(path)}: 0, or -ENOENT if there is no such name. */
    public long unlink(String path) {
        trace.path("vfs_unlink");
        Inode inode = names.remove(path);
        if (inode == null) {
            return -Errno.ENOENT;
        }
        inode.nlink = 0;
        if (inode.count == 0) {
            filemap.truncateInodePagesFinal(inode.mapping());
        }
        return 0;
    }

    /**
     * {@code anon_inode_getfile()}: a file on the anonymous inode, with {@code fops} and {@code priv} as its
     * {@code private_data}, as io_uring rings and other driver objects are; the caller has the reference.
     */
    @Export
    public File anonInodeGetfile(FileOperations fops, Object priv, int flags) {
        File f = newFile(fops, fmode(flags), null);
        f.setPrivateData(priv);
        return f;
    }

    /** {@code register_chrdev()} / {@code misc_register()}: {@code /dev/NAME} opens with {@code fops}. */
    @Export
    public void registerChrdev(String name, FileOperations fops) {
        if (devices.putIfAbsent(name, fops) != null) {
            throw new IllegalArgumentException("character device " + name + " is already registered");
        }
    }

    /**
     * {@code pipe()}: a new, empty pipe and its two ends (read, write), each with the caller's reference.
     */
    public File[] pipe() {
        Pipe p = new Pipe(pipes.size() + 1);
        pipes.add(p);
        File r = newFile(pipeOps(), File.FMODE_READ, null);
        File w = newFile(pipeOps(), File.FMODE_WRITE, null);
        r.setPrivateData(p);
        w.setPrivateData(p);
        p.readers = 1;
        p.writers = 1;
        return new File[] {r, w};
    }

    // ---- the read/write side of the VFS ----------------------------------------------------------------------

    /** {@code vfs_read()}: -EBADF if not open for reading, else the file's {@code ->read}. */
    public WordRead read(File f, long pos) {
        return f.readable() ? f.fops().read(f, pos) : new WordRead(0, -Errno.EBADF);
    }

    /** {@code vfs_write()}: -EBADF if not open for writing, else the file's {@code ->write}. */
    public long write(File f, long pos, long value) {
        return f.writable() ? f.fops().write(f, pos, value) : -Errno.EBADF;
    }

    /** {@code vfs_fsync_range()}: the file's {@code ->fsync}. */
    public long fsync(File f) {
        trace.path("vfs_fsync_range");
        return f.fops().fsync(f);
    }

    /** {@code vfs_fsync_range(file, start, end, datasync)}: the file's {@code ->fsync} over bytes [start, end]. */
    public long fsync(File f, long start, long end) {
        trace.path("vfs_fsync_range");
        return f.fops().fsync(f, start, end);
    }

    /**
     * Background writeback of {@code f}'s file ({@code writeback_single_inode}, WB_SYNC_NONE) as a call with points;
     * a file without a page cache (pipe, device) is -EINVAL, returned by the call.
     */
    public KernelCall<Void> writeback(File f) {
        if (f.mapping() == null || f.inode() == null) {
            return failed("writeback_single_inode", -Errno.EINVAL);
        }
        return filemap.writebackCall(f.mapping(), false);
    }

    /** {@code sync()}: writeback of every live file with a page cache, WB_SYNC_ALL, as a call with points. */
    public KernelCall<Void> sync() {
        return filemap.syncCall(liveMappings());
    }

    /**
     * Reclaim of page {@code foff / PAGE_SIZE} of {@code f}'s file, or of every cached page of it ({@code foff} -1),
     * as a call with points ({@link ReclaimCall}); -EINVAL for a file without a page cache or a bad offset.
     */
    public KernelCall<Void> reclaim(File f, long foff) {
        if (f.mapping() == null || f.inode() == null || (foff != -1 && (foff < 0 || (foff & (Page.PAGE_SIZE - 1)) != 0))) {
            return failed("shrink_folio_list", -Errno.EINVAL);
        }
        List<AddressSpace> ms = new ArrayList<>();
        List<Long> idx = new ArrayList<>();
        for (long index : f.mapping().pages().keySet()) {
            if (foff == -1 || index == foff >>> Page.PAGE_SHIFT) {
                ms.add(f.mapping());
                idx.add(index);
            }
        }
        return new ReclaimCall(core, filemap, zap, ms, idx.stream().mapToLong(Long::longValue).toArray(),
                "shrink_folio_list", false);
    }

    /**
     * {@code drop_caches} (1: {@code drop_pagecache_sb} → {@code invalidate_mapping_pages}): every clean cached page
     * of every live file that nobody else holds (not mapped, no GUP reference) is dropped; mapped pages stay.
     */
    public KernelCall<Void> dropCaches() {
        List<AddressSpace> ms = new ArrayList<>();
        List<Long> idx = new ArrayList<>();
        for (AddressSpace m : liveMappings()) {
            for (long index : m.pages().keySet()) {
                ms.add(m);
                idx.add(index);
            }
        }
        return new ReclaimCall(core, filemap, zap, ms, idx.stream().mapToLong(Long::longValue).toArray(),
                "drop_pagecache_sb", true);
    }

    /** The page caches of every inode not evicted, in inode order. */
    private List<AddressSpace> liveMappings() {
        List<AddressSpace> out = new ArrayList<>();
        for (Inode i : inodes) {
            AddressSpace m = i.mapping();
            if (m != null && !m.evicted()) {
                out.add(m);
            }
        }
        return out;
    }

    private KernelCall<Void> failed(String name, long errno) {
        return new Syscall<>(trace, core.footprint(), name, Syscall.NO_LOCKS, c -> errno);
    }

    /** {@code vmsplice()} on {@code f} by a task of {@code mm}; see {@link Splice#vmsplice}. */
    public long vmsplice(Mm mm, File f, long addr, long len) {
        return splice().vmsplice(mm, f, addr, len);
    }

    /**
     * An {@code O_DIRECT} read ({@code write} false) or write of {@code len} bytes at file offset {@code foff} of the
     * file {@code fd} of {@code files}, into or from {@code [addr, addr+len)} of {@code mm}: see {@link DirectIo}.
     */
    public KernelCall<Void> directIo(FdTable files, Mm mm, int fd, long foff, long addr, long len, boolean write) {
        return new DirectIo(core, gup, this, files, mm, fd, foff, addr, len, write);
    }

    /** The page cache, for {@link DirectIo}'s write-and-wait. */
    Filemap filemap() {
        return filemap;
    }

    // ---- what the checks and the fingerprint see ---------------------------------------------------------------

    /** Every inode ever created. */
    public List<Inode> inodes() {
        return Collections.unmodifiableList(inodes);
    }

    /** Every file ever opened, by id. */
    public List<File> files() {
        return Collections.unmodifiableList(files);
    }

    /** Every pipe ever created, by id. */
    public List<Pipe> pipes() {
        return pipes.isEmpty() ? List.of() : Collections.unmodifiableList(pipes); // asked after every explored step
    }

    /** Every inode, every open file, every pipe, and the names in path order. */
    @Override
    public void hashInto(StateHasher h) {
        // the lengths first, two to a value, so that what follows is delimited
        h.add(StateHasher.pack(inodes.size(), files.size())).add(StateHasher.pack(pipes.size(), names.size()));
        // indexed loops: fingerprinted at every explored state, where these iterators were not optimised away
        for (int i = 0; i < inodes.size(); i++) {
            inodes.get(i).hashInto(h);
        }
        for (int i = 0; i < files.size(); i++) {
            files.get(i).hashInto(h);
        }
        for (int i = 0; i < pipes.size(); i++) {
            pipes.get(i).hashInto(h);
        }
        if (names.isEmpty()) {
            return; // most explored machines name no file: spare the tree its iterator on every fingerprint
        }
        for (Map.Entry<String, Inode> e : names.entrySet()) {
            h.add(e.getKey()).add(e.getValue().id());
        }
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    /**
     * Fill this VFS, built by a copied machine and paired with {@code o}, with copies of {@code o}'s inodes, files,
     * pipes and names, after pairing its own operation tables with {@code o}'s so that copied files and VMAs use them.
     * Devices are registered again by the copied drivers.
     */
    public void copyFrom(Vfs o, Copier c) {
        if (o.splice != null) {
            c.pair(o.splice, splice());
        }
        if (o.pipeOps != null) {
            c.pair(o.pipeOps, pipeOps());
        }
        for (int t = 0; t < o.regularOps.length; t++) { // not FsType.values(), a new array at every copy
            RegularFileOps ops = o.regularOps[t];
            if (ops != null) {
                RegularFileOps mine = c.pair(ops, regularOps(FS_TYPES[t]));
                c.pair(ops.vmOps(), mine.vmOps());
            }
        }
        if (o.inodes.isEmpty() && o.files.isEmpty() && o.pipes.isEmpty() && o.names.isEmpty()) {
            return; // most explored machines have none: spare the copy four iterators
        }
        for (Inode i : o.inodes) {
            inodes.add(c.copy(i));
        }
        for (File f : o.files) {
            files.add(c.copy(f));
        }
        for (Pipe p : o.pipes) {
            pipes.add(c.copy(p));
        }
        for (Map.Entry<String, Inode> e : o.names.entrySet()) {
            names.put(e.getKey(), c.copy(e.getValue()));
        }
    }
}
