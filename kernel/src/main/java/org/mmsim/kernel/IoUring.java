package org.mmsim.kernel;

import org.mmsim.kernel.profile.IoUringFileCheck;
import org.mmsim.kernel.profile.Switch;

/**
 * io_uring fixed buffers (io_uring/rsrc.c; fs/io_uring.c before 5.19) as a user of long-term pins:
 * {@code IORING_REGISTER_BUFFERS}, {@code IORING_OP_WRITE_FIXED} to a file, {@code IORING_UNREGISTER_BUFFERS}.
 *
 * <p>Design notes. Registration ({@code io_sqe_buffer_register} → {@code io_pin_pages}) pins the whole range with
 * {@code pin_user_pages_fast(FOLL_WRITE | FOLL_LONGTERM)}, always writable because the buffer may be read into.
 * Before 5.6 (no FOLL_PIN) the same was done with FOLL_GET references; before 6.5 with the slow
 * {@code pin_user_pages()}, which also returned the VMAs for io_uring's own check: until 5.14 it refused every
 * file-backed VMA that is not hugetlbfs (-EOPNOTSUPP), memfd included, and until 6.5 every one that is not shmem
 * either. From 6.5 that check went and GUP refuses the shared writeback-file case (-EFAULT). The pages are then charged to the user's {@code RLIMIT_MEMLOCK}
 * ({@code io_account_mem}: {@code user->locked_vm}, and {@code mm->pinned_vm}); the model's processes do not
 * have CAP_IPC_LOCK. WRITE_FIXED copies from the pinned pages, never through the page tables: if the process's
 * mapping and the pin have parted, the file gets what the pin holds.
 *
 * <p>Simplification: a ring has one fixed buffer, and lives until its process exits (the fd is not shared).
 */
final class IoUring {
    private final Kernel k;

    IoUring(Kernel k) {
        this.k = k;
    }

    /**
     * {@code io_sqe_buffers_register()} for one iovec {@code [addr, addr+len)}.
     *
     * @return 0, or -EBUSY (already registered), -EINVAL (empty range), -EFAULT (GUP refused), -EOPNOTSUPP
     *     (file-backed VMA, before 6.5), -ENOMEM (over RLIMIT_MEMLOCK, or out of memory)
     */
    long registerBuffers(IoRing ring, long addr, long len) {
        k.path("io_sqe_buffers_register");
        if (ring.pages != null) {
            return -Errno.EBUSY;
        }
        if (len <= 0 || addr < 0) {
            return -Errno.EINVAL;
        }
        long first = addr >>> PageTable.PAGE_SHIFT;
        int nr = (int) (((addr + len - 1) >>> PageTable.PAGE_SHIFT) - first + 1);
        boolean pin = k.profile.on(Switch.FOLL_PIN);
        long start = first << PageTable.PAGE_SHIFT;
        IoUringFileCheck check = k.profile.ioUringFileCheck();
        GupPages g = k.gupInternal(ring.mm, start, nr, Gup.FOLL_WRITE | Gup.FOLL_LONGTERM, pin,
                check == IoUringFileCheck.OFF);
        if (g.ret() != nr) {
            if (g.nr > 0) {
                k.release(g, false);
            }
            return g.ret() < 0 ? g.ret() : -Errno.EFAULT;
        }
        if (check != IoUringFileCheck.OFF && fileBacked(ring.mm, start, nr, check == IoUringFileCheck.EXCEPT_SHMEM)) {
            k.release(g, false);
            return -Errno.EOPNOTSUPP;
        }
        long limit = ring.mm.rlimitMemlock >>> PageTable.PAGE_SHIFT;
        if (k.userLockedVm + nr > limit) {
            k.release(g, false);
            return -Errno.ENOMEM;
        }
        k.userLockedVm += nr;
        ring.mm.pinnedVm += nr;
        k.note("user locked_vm " + (k.userLockedVm - nr) + " -> " + k.userLockedVm + ", mm " + ring.mm.id()
                + " pinned_vm " + (ring.mm.pinnedVm - nr) + " -> " + ring.mm.pinnedVm);
        ring.ubuf = addr;
        ring.len = len;
        ring.pages = g;
        ring.accounted = nr;
        return 0;
    }

    /**
     * The pre-6.5 check in {@code io_sqe_buffer_register}: a VMA with a file that is not hugetlbfs (the model has
     * none) and, from 5.14, not shmem.
     */
    private static boolean fileBacked(Mm mm, long start, int nr, boolean shmemOk) {
        for (int i = 0; i < nr; i++) {
            Vma vma = mm.vmaAt(start + ((long) i << PageTable.PAGE_SHIFT));
            if (vma != null && vma.file != null && !(shmemOk && vma.isShmem())) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code IORING_OP_WRITE_FIXED}: write {@code [addr, addr+len)} of the fixed buffer to {@code file} at
     * {@code off}, copying from the pinned pages (the modelled words of each page).
     *
     * @return bytes written, or -EFAULT (range outside the buffer, or none registered), -EBADF
     */
    long writeFixed(IoRing ring, OpenFile file, long off, long addr, long len) {
        k.path("io_write_fixed");
        if (ring.pages == null || addr < ring.ubuf || len <= 0 || addr + len > ring.ubuf + ring.len) {
            return -Errno.EFAULT;
        }
        if (file.closed || !file.writable()) {
            return -Errno.EBADF;
        }
        GupPages g = ring.pages;
        long firstPage = (addr >>> PageTable.PAGE_SHIFT) - (g.address(0) >>> PageTable.PAGE_SHIFT);
        long lastPage = ((addr + len - 1) >>> PageTable.PAGE_SHIFT) - (g.address(0) >>> PageTable.PAGE_SHIFT);
        for (long p = firstPage; p <= lastPage; p++) {
            long pos = off + ((p - firstPage) << PageTable.PAGE_SHIFT);
            for (int w = 0; w < PageFrames.PAGE_WORDS; w++) {
                long r = k.filemap.write(file, pos + 8L * w, k.frames.word(g.pfn((int) p), w));
                if (r < 0) {
                    return r;
                }
            }
        }
        return len;
    }

    /** {@code io_sqe_buffers_unregister()}: unpin and uncharge. 0, or -ENXIO if nothing is registered. */
    long unregisterBuffers(IoRing ring) {
        k.path("io_sqe_buffers_unregister");
        if (ring.pages == null) {
            return -Errno.ENXIO;
        }
        if (!ring.pages.released) {
            k.release(ring.pages, false);
        }
        k.userLockedVm -= ring.accounted;
        ring.mm.pinnedVm -= ring.accounted;
        ring.pages = null;
        ring.accounted = 0;
        return 0;
    }
}
