package org.mmsim.kernel.fs;

import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.gup.Gup;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.pgtable.PageTable;
import org.mmsim.kernel.trace.Change;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.uapi.Errno;

/**
 * vmsplice (fs/splice.c).
 *
 * <p>{@code vmsplice_to_pipe} → {@code iter_to_pipe} takes read-only FOLL_GET references with GUP-fast
 * ({@code iov_iter_get_pages2}): a plain reference, not a pin, so none of the FOLL_PIN protections apply. Whether the
 * parent's later write can leak into the child's pipe depends only on the COW reuse rule (CVE-2020-29374). The pipe
 * buffers own those references from then on.
 *
 * <p>Not modelled: {@code vmsplice} on a pipe's read end ({@code vmsplice_to_user}, a copy into user memory); it is
 * refused with -EINVAL.
 */
final class Splice {
    /** {@code MAX_RW_COUNT}: {@code INT_MAX & PAGE_MASK}, the most one read or write (or iovec) moves. */
    static final long MAX_RW_COUNT = Integer.MAX_VALUE & -Page.PAGE_SIZE;
    /** The pages {@code iter_to_pipe} takes a round ({@code struct page *pages[16]}). */
    static final int ROUND = 16;

    private final Tracer trace;
    private final Gup gup;

    Splice(Tracer trace, Gup gup) {
        this.trace = trace;
        this.gup = gup;
    }

    /**
     * {@code vmsplice(fd, iov={addr, len}, 1, 0)} on file {@code f} by a task of {@code mm}, in the kernel's order
     * (fs/splice.c): {@code vmsplice_type} (-EBADF for a file open neither for writing nor reading; the caller's
     * {@code fdget} gave -EBADF for a closed fd); {@code import_iovec} (-EINVAL for a negative length; a length above
     * MAX_RW_COUNT is cut to it; {@code access_ok}: -EFAULT for a range beyond TASK_SIZE); an empty iovec returns 0
     * before anything else is looked at ({@code !iov_iter_count}); then
     * {@code vmsplice_to_pipe}: {@code get_pipe_info} (-EBADF, not a pipe), {@code wait_for_space} (-EPIPE without a
     * reader; -EAGAIN for a full pipe, where the kernel would block without SPLICE_F_NONBLOCK), {@code iter_to_pipe}.
     *
     * <p>An address inside a page is what the kernel accepts: {@code iov_iter_get_pages2} pins from the page holding
     * it and the first buffer gets {@code offset = start}, {@code len = PAGE_SIZE - start}. The model's pipe buffers
     * are whole pages (a {@code read} names its word by its offset in the page), so the GUP is rounded down to the
     * page; the bytes returned are the kernel's: {@code len}, or what the pages queued cover from {@code addr} when the
     * pipe fills or GUP stops early ({@code total ? total : ret}). GUP takes up to 16 pages a round, whatever room the
     * pipe has: the pages of a round that no longer fit are faulted in, then put ({@code add_to_pipe} fails with
     * -EAGAIN), so a vmsplice larger than the room still touches them.
     *
     * @return bytes spliced; 0 for a zero length; -EBADF; -EINVAL (negative length); -EFAULT; -EPIPE; -EAGAIN; a
     *     GUP error if the first page fails; -EINVAL on the read end ({@code vmsplice_to_user}, not modelled)
     */
    long vmsplice(Mm mm, File f, long addr, long len) {
        if (!f.writable() && !f.readable()) {
            return -Errno.EBADF; // vmsplice_type
        }
        if (len < 0) {
            return -Errno.EINVAL; // copy_iovec_from_user: (ssize_t)len < 0
        }
        len = Math.min(len, MAX_RW_COUNT); // import_ubuf
        if (Long.compareUnsigned(addr, PageTable.TASK_SIZE) > 0 || len > PageTable.TASK_SIZE - addr) {
            return -Errno.EFAULT; // import_ubuf: access_ok
        }
        if (len == 0) {
            return 0;
        }
        if (!(f.fops() instanceof PipeOps)) {
            return -Errno.EBADF; // get_pipe_info (vmsplice_to_pipe and vmsplice_to_user alike)
        }
        if (!f.writable()) {
            return -Errno.EINVAL;
        }
        trace.path("vmsplice_to_pipe");
        Pipe pipe = PipeOps.pipe(f);
        if (pipe.readers == 0) {
            return -Errno.EPIPE;
        }
        if (pipe.bufs.size() == Pipe.PIPE_DEF_BUFFERS) {
            return -Errno.EAGAIN; // wait_for_space
        }
        trace.path("iter_to_pipe");
        long total = 0;
        long cur = addr;
        long left = len;
        while (left > 0) {
            // iov_iter_get_pages2(from, pages, ~0UL, 16, &start): up to 16 pages a round, all faulted in by GUP
            // whatever room the pipe has left
            long inPage = cur & (Page.PAGE_SIZE - 1);
            int n = (int) Math.min(ROUND, Page.align(inPage + left) >>> Page.PAGE_SHIFT);
            GupPages pages = gup.getUserPagesFastUnheld(mm, cur - inPage, n, 0).complete();
            if (pages.ret() <= 0) {
                return total > 0 ? total : pages.ret();
            }
            int queued = 0;
            for (int i = 0; i < pages.nr(); i++) {
                if (pipe.bufs.size() == Pipe.PIPE_DEF_BUFFERS) {
                    // add_to_pipe: -EAGAIN, and it drops the page; iter_to_pipe puts the rest of the round's
                    trace.path("add_to_pipe: pipe full, put_page");
                    for (int j = i; j < pages.nr(); j++) {
                        gup.putPage(pages.pfn(j));
                    }
                    record(pipe, queued);
                    return total > 0 ? total : -Errno.EAGAIN;
                }
                pipe.bufs.addLast(new Pipe.Buffer(pages.pfn(i), mm.id(), false));
                queued++;
                long size = Math.min(left, Page.PAGE_SIZE - inPage);
                total += size;
                left -= size;
                cur += size;
                inPage = 0;
            }
            record(pipe, queued);
        }
        return total;
    }

    private void record(Pipe pipe, int queued) {
        if (queued > 0 && trace.on()) {
            trace.record(new Change.PipeQueued(pipe.id(), queued, pipe.bufs.size()));
        }
    }
}
