package org.mmsim.kernel.fs;

import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.gup.Gup;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.page.Page;
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
    private final Tracer trace;
    private final Gup gup;

    Splice(Tracer trace, Gup gup) {
        this.trace = trace;
        this.gup = gup;
    }

    /**
     * {@code vmsplice(fd, iov={addr, len}, 1, 0)} on file {@code f} by a task of {@code mm}.
     *
     * @return bytes spliced; -EBADF if {@code f} is not a pipe ({@code get_pipe_info}); -EPIPE without a reader;
     *     -EAGAIN if the pipe is full; -EFAULT (or another GUP error) if the first page fails; -EINVAL for an unaligned
     *     address, an empty range, or the read end
     */
    long vmsplice(Mm mm, File f, long addr, long len) {
        if (!(f.fops() instanceof PipeOps)) {
            return -Errno.EBADF;
        }
        if (!f.writable()) {
            return -Errno.EINVAL;
        }
        trace.path("vmsplice_to_pipe");
        Pipe pipe = PipeOps.pipe(f);
        if (pipe.readers == 0) {
            return -Errno.EPIPE;
        }
        if (!Page.aligned(addr) || len <= 0) {
            return -Errno.EINVAL;
        }
        int room = Pipe.PIPE_DEF_BUFFERS - pipe.bufs.size();
        if (room == 0) {
            return -Errno.EAGAIN;
        }
        int nr = (int) Math.min(room, Page.align(len) >>> Page.PAGE_SHIFT);
        trace.path("iter_to_pipe");
        GupPages pages = gup.getUserPagesFastUnheld(mm, addr, nr, 0).complete();
        if (pages.ret() <= 0) {
            return pages.ret();
        }
        for (int i = 0; i < pages.nr(); i++) {
            pipe.bufs.addLast(new Pipe.Buffer(pages.pfn(i), mm.id(), false));
        }
        if (trace.on()) {
            trace.record(new Change.PipeQueued(pipe.id(), pages.nr(), pipe.bufs.size()));
        }
        return (long) pages.nr() << Page.PAGE_SHIFT;
    }
}
