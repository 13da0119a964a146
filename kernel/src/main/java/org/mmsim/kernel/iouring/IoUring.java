package org.mmsim.kernel.iouring;

import org.mmsim.kernel.api.Exports;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.fs.FileOperations;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.profile.IoUringFileCheck;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Fcntl;

/**
 * io_uring fixed buffers (io_uring/rsrc.c; fs/io_uring.c before 5.19) as a user of long-term pins:
 * {@code io_uring_setup}, {@code IORING_REGISTER_BUFFERS}, {@code IORING_OP_WRITE_FIXED} to a file,
 * {@code IORING_UNREGISTER_BUFFERS}, and the ring's release. Written, like a driver, against the kernel's exported
 * symbols only ({@link Exports}); the ring is an anonymous-inode file whose {@code private_data} is the
 * {@link IoRing}.
 *
 * <p>Design notes. Registration ({@code io_sqe_buffer_register} → {@code io_pin_pages}) pins the whole range of the
 * caller's mm with {@code pin_user_pages_fast(FOLL_WRITE | FOLL_LONGTERM)}, always writable because the buffer may be
 * read into. Before 5.6 (no FOLL_PIN) the same was done with FOLL_GET references; before 6.5 with the slow
 * {@code pin_user_pages()}, which also returned the VMAs for io_uring's own check: until 5.14 it refused every
 * file-backed VMA that is not hugetlbfs (-EOPNOTSUPP), memfd included, and until 6.5 every one that is not shmem
 * either. From 6.5 that check went and GUP refuses the shared writeback-file case (-EFAULT). The pages are then charged
 * to the user's {@code RLIMIT_MEMLOCK} ({@code io_account_mem}: {@code user->locked_vm}, and the ring mm's
 * {@code pinned_vm}); the model's processes do not have CAP_IPC_LOCK. WRITE_FIXED copies from the pinned pages, never
 * through the page tables: if the process's mapping and the pin have parted, the file gets what the pin holds.
 *
 * <p>Simplification: a ring has one fixed buffer.
 */
public final class IoUring {
    private final Exports kernel;
    private final FileOperations fops = new FileOperations() {
        @Override
        public String name() {
            return "io_uring_fops";
        }

        /** {@code io_uring_release()} → {@code io_ring_ctx_free()}: the buffers are unregistered. */
        @Override
        public void release(File file) {
            kernel.tracePath("io_ring_ctx_free");
            IoRing ring = (IoRing) file.privateData();
            if (ring.pages != null) {
                unregisterBuffers(ring);
            }
            ring.closed = true;
        }
    };

    public IoUring(Exports kernel) {
        this.kernel = kernel;
    }

    /**
     * {@code io_uring_setup()}: a new ring for a process of {@code mm}, as a file the caller installs; null where
     * io_uring does not exist (-ENOSYS).
     */
    public File setup(Mm mm) {
        kernel.tracePath("io_uring_setup");
        if (!kernel.profile().on(Switch.IO_URING)) {
            return null;
        }
        return kernel.anonInodeGetfile(fops, new IoRing(mm), Fcntl.O_RDWR);
    }

    /** The ring behind {@code file}, or null if it is not an io_uring ({@code io_is_uring_fops}). */
    public IoRing ring(File file) {
        return file.fops() == fops ? (IoRing) file.privateData() : null;
    }

    /**
     * {@code io_sqe_buffers_register()} for one iovec {@code [addr, addr+len)} of {@code caller}'s memory.
     *
     * @return 0, or -EBUSY (already registered), -EFAULT (a zero length at a non-NULL address, above 1 GiB, or GUP
     *     refused), -EOVERFLOW (the range wraps), -EOPNOTSUPP
     *     (file-backed VMA, before 6.5), -ENOMEM (over RLIMIT_MEMLOCK, or out of memory)
     */
    public long registerBuffers(Mm caller, IoRing ring, long addr, long len) {
        kernel.tracePath("io_sqe_buffers_register");
        if (ring.pages != null) {
            return -Errno.EBUSY;
        }
        // io_buffer_validate(): a NULL base with length 0 is an empty (sparse) slot, registered without pages;
        // otherwise a zero length, or one above SZ_1G, is -EFAULT, and a base + length that wraps -EOVERFLOW.
        if (addr == 0 ? len != 0 : len == 0 || Long.compareUnsigned(len, 1L << 30) > 0) {
            return -Errno.EFAULT;
        }
        if (Long.compareUnsigned(addr + Page.align(len), addr) < 0) {
            return -Errno.EOVERFLOW;
        }
        long first = addr >>> Page.PAGE_SHIFT;
        int nr = len == 0 ? 0 : (int) (((addr + len - 1) >>> Page.PAGE_SHIFT) - first + 1);
        long start = first << Page.PAGE_SHIFT;
        IoUringFileCheck check = kernel.profile().ioUringFileCheck();
        // __io_account_mem(): rlimit(RLIMIT_MEMLOCK) is the calling task's, the count the ring creator's user's
        long limit = caller.rlimitMemlock() >>> Page.PAGE_SHIFT;
        boolean chargeFirst = !kernel.profile().on(Switch.IO_URING_ACCOUNT_PINNED);
        if (chargeFirst) {
            // up to 5.9: io_account_mem(ctx->user, nr_pages) before pin_user_pages
            if (kernel.userLockedVm() + nr > limit) {
                return -Errno.ENOMEM;
            }
            kernel.addUserLockedVm(nr);
        }
        GupPages g = pin(caller, start, nr, check);
        if (g.ret() != nr) {
            if (g.nr() > 0) {
                release(g);
            }
            uncharge(chargeFirst, nr);
            return g.ret() < 0 ? g.ret() : -Errno.EFAULT;
        }
        if (check != IoUringFileCheck.OFF && fileBacked(caller, start, nr, check == IoUringFileCheck.EXCEPT_SHMEM)) {
            release(g);
            uncharge(chargeFirst, nr);
            return -Errno.EOPNOTSUPP;
        }
        if (!chargeFirst) {
            // io_buffer_account_pin() after the pin (5.10)
            if (kernel.userLockedVm() + nr > limit) {
                release(g);
                return -Errno.ENOMEM;
            }
            kernel.addUserLockedVm(nr);
        }
        ring.mm.addPinnedVm(nr);
        ring.ubuf = addr;
        ring.len = len;
        ring.pages = g;
        ring.accounted = nr;
        return 0;
    }

    /** {@code io_unaccount_mem()} of a charge taken before a pin that then failed. */
    private void uncharge(boolean charged, int nr) {
        if (charged) {
            kernel.addUserLockedVm(-nr);
        }
    }

    /**
     * {@code io_pin_pages()}: writable long-term pins where FOLL_PIN exists, references before; the fast variant once
     * io_uring stopped looking at the VMAs itself (6.5).
     */
    private GupPages pin(Mm mm, long start, int nr, IoUringFileCheck check) {
        int flags = Foll.FOLL_WRITE | Foll.FOLL_LONGTERM;
        boolean fast = check == IoUringFileCheck.OFF;
        if (kernel.profile().on(Switch.FOLL_PIN)) {
            return fast ? kernel.pinUserPagesFast(mm, start, nr, flags) : kernel.pinUserPages(mm, start, nr, flags);
        }
        return fast ? kernel.getUserPagesFast(mm, start, nr, flags) : kernel.getUserPages(mm, start, nr, flags);
    }

    private void release(GupPages g) {
        if (g.pinned()) {
            kernel.unpinUserPages(g);
        } else {
            kernel.putPages(g);
        }
    }

    /**
     * The pre-6.5 check in {@code io_sqe_buffer_register}: a VMA with a file that is not hugetlbfs (the model has none)
     * and, from 5.14, not shmem.
     */
    private static boolean fileBacked(Mm mm, long start, int nr, boolean shmemOk) {
        for (int i = 0; i < nr; i++) {
            Vma vma = mm.vmaAt(start + ((long) i << Page.PAGE_SHIFT));
            if (vma != null && vma.file() != null && !(shmemOk && vma.isShmem())) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code IORING_OP_WRITE_FIXED}: write {@code [addr, addr+len)} of the fixed buffer to {@code file} at {@code off},
     * copying from the pinned pages: each modelled word of the range to its place in the file ({@code i_size} grows to
     * the end of the last modelled word written; the model keeps no other bytes).
     *
     * @return bytes written, or -EFAULT (range outside the buffer, or none registered), -EBADF (not open for writing)
     */
    public long writeFixed(IoRing ring, File file, long off, long addr, long len) {
        kernel.tracePath("io_write_fixed");
        if (ring.pages == null || addr < ring.ubuf || len <= 0 || addr + len > ring.ubuf + ring.len) {
            return -Errno.EFAULT;
        }
        if (!file.writable()) {
            return -Errno.EBADF;
        }
        // io_import_fixed: the iterator starts at addr - ubuf in the buffer's bvecs and covers len bytes, so byte b of
        // the buffer goes to off + (b - addr); each modelled word wholly inside goes to the file, if its place there
        // is a modelled word too
        GupPages g = ring.pages;
        long base = g.address(0) & -Page.PAGE_SIZE;
        for (long page = addr & -Page.PAGE_SIZE; page < addr + len; page += Page.PAGE_SIZE) {
            for (int w = 0; w < Page.PAGE_WORDS; w++) {
                long b = page + 8L * w;
                long pos = off + (b - addr);
                if (b < addr || b + 8 > addr + len || !Page.modelled(pos)) {
                    continue;
                }
                long r = kernel.kernelWrite(file, pos, kernel.dmaRead(g, (int) ((page - base) >>> Page.PAGE_SHIFT), w));
                if (r < 0) {
                    return r;
                }
            }
        }
        return len;
    }

    /** {@code io_sqe_buffers_unregister()}: unpin and uncharge. 0, or -ENXIO if nothing is registered. */
    public long unregisterBuffers(IoRing ring) {
        kernel.tracePath("io_sqe_buffers_unregister");
        if (ring.pages == null) {
            return -Errno.ENXIO;
        }
        if (!ring.pages.released()) {
            release(ring.pages);
        }
        kernel.addUserLockedVm(-ring.accounted);
        ring.mm.addPinnedVm(-ring.accounted);
        ring.pages = null;
        ring.accounted = 0;
        return 0;
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    /** This io_uring, built by a copy of {@code o}'s machine, stands for {@code o}: rings' files use its fops. */
    public void pairWith(IoUring o, Copier c) {
        c.pair(o.fops, fops);
    }
}
