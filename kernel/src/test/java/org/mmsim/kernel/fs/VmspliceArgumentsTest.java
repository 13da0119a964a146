package org.mmsim.kernel.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.testing.KernelAssertions.pfnAt;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.creat;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.pipe;
import static org.mmsim.kernel.testing.TestKernels.pipeOf;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.syscall.FileSyscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Errno;

/**
 * The argument checks of {@code vmsplice()} (fs/splice.c) in the kernel's order: {@code fdget} and
 * {@code vmsplice_type} (-EBADF), {@code import_iovec} (-EFAULT), an empty iovec (0), {@code get_pipe_info} (-EBADF),
 * {@code wait_for_space} (-EPIPE, -EAGAIN), then {@code iter_to_pipe}, which accepts an address inside a page.
 */
class VmspliceArgumentsTest {
    private final Kernel k = boot("6.18");
    private final FileSyscalls fs = k.fileSyscalls();
    private final Task t = k.spawn("p");

    /** SYSCALL_DEFINE4(vmsplice): {@code if (!iov_iter_count(&iter)) error = 0;} before the pipe is looked at. */
    @Test
    void vmspliceOfZeroBytesReturnsZeroBeforeLookingAtThePipe() {
        long a = mmapAnon(k, t, 1, RW);
        int[] p = pipe(k, t);
        int file = creat(k, t, FsType.TMPFS, "f", PAGE);

        assertThat(fs.vmsplice(t, p[1], a, 0).run()).isZero();
        assertThat(fs.vmsplice(t, p[1], a + 8, 0).run()).isZero();
        assertThat(fs.vmsplice(t, file, a, 0).run()).as("not a pipe, but nothing to splice").isZero();
        assertThat(pipeOf(t, p[1]).pfns()).isEmpty();
    }

    /** vmsplice_to_pipe: {@code get_pipe_info()} fails for a file that is not a pipe: -EBADF; fdget: -EBADF. */
    @Test
    void vmspliceToPipeEbadfForANonPipeOrAClosedFd() {
        long a = mmapAnon(k, t, 1, RW);
        int file = creat(k, t, FsType.TMPFS, "f", PAGE);

        assertThat(fs.vmsplice(t, file, a, PAGE).run()).isEqualTo(-Errno.EBADF);
        assertThat(fs.vmsplice(t, 99, a, PAGE).run()).isEqualTo(-Errno.EBADF);
        assertThat(fs.vmsplice(t, 99, a, 0).run()).as("fdget comes first").isEqualTo(-Errno.EBADF);
    }

    /** import_iovec: {@code access_ok()} of a range beyond TASK_SIZE is -EFAULT, before the zero-length check. */
    @Test
    void importIovecEfaultBeyondTaskSize() {
        int[] p = pipe(k, t);

        assertThat(fs.vmsplice(t, p[1], -PAGE, PAGE).run()).isEqualTo(-Errno.EFAULT);
        assertThat(fs.vmsplice(t, p[1], -PAGE, 0).run()).isEqualTo(-Errno.EFAULT);
    }

    /**
     * import_iovec: {@code copy_iovec_from_user} refuses a negative length (-EINVAL); {@code import_ubuf} cuts a
     * length above MAX_RW_COUNT to it before {@code access_ok}, so a huge length at a valid address is no -EFAULT.
     */
    @Test
    void importIovecEinvalForANegativeLengthAndCutsAHugeOne() {
        long a = mmapAnon(k, t, 1, RW);
        int[] p = pipe(k, t);

        assertThat(fs.vmsplice(t, p[1], a, -1).run()).isEqualTo(-Errno.EINVAL);
        assertThat(fs.vmsplice(t, p[1], a, 1L << 46).run()).as("one page mapped").isEqualTo(PAGE);
    }

    /**
     * iter_to_pipe: {@code iov_iter_get_pages2} takes the page holding an in-page address; the buffer starts at that
     * offset and the bytes returned are those asked for. The model rounds the GUP down to the page.
     */
    @Test
    void iterToPipeSplicesFromAnOffsetInsideThePage() {
        long a = mmapAnon(k, t, 2, RW);
        write(k, t, a, 5);
        write(k, t, a + PAGE, 6);
        int[] p = pipe(k, t);

        assertThat(fs.vmsplice(t, p[1], a + 8, 8).run()).isEqualTo(8);
        assertThat(pipeOf(t, p[1]).pfns()).containsExactly(pfnAt(t, a));
        assertThatPage(k, pfnAt(t, a)).hasRefcount(2);

        assertThat(fs.vmsplice(t, p[1], a + 8, PAGE).run()).as("crosses into the next page").isEqualTo(PAGE);
        assertThat(pipeOf(t, p[1]).pfns()).containsExactly(pfnAt(t, a), pfnAt(t, a), pfnAt(t, a + PAGE));
    }

    /** iter_to_pipe: {@code total ? total : ret}: when the pipe fills, the bytes of the pages that went in. */
    @Test
    void iterToPipeReturnsTheBytesOfThePagesThatFitFromTheOffset() {
        long a = mmapAnon(k, t, 17, RW);
        int[] p = pipe(k, t);

        assertThat(fs.vmsplice(t, p[1], a + 8, 17 * PAGE).run()).isEqualTo(16 * PAGE - 8);
        assertThat(fs.vmsplice(t, p[1], a, PAGE).run()).isEqualTo(-Errno.EAGAIN);
    }
}
