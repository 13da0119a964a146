package org.mmsim.kernel.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.testing.KernelAssertions.pfnAt;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.creat;
import static org.mmsim.kernel.testing.TestKernels.exit;
import static org.mmsim.kernel.testing.TestKernels.fork;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.mmapFile;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.mm.WordRead;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Mman;

/**
 * {@code process_vm_readv/writev} (mm/process_vm_access.c) of one word: the copy, the pin held only across it
 * (FOLL_PIN from 5.6, FOLL_GET in 4.8), the dirty page after a write, and -ESRCH / -EFAULT.
 */
class ProcessVmAccessTest {
    @ParameterizedTest
    @ValueSource(strings = {"4.8", "6.18"})
    void writevWritesTheTargetsPageAndReleasesItDirty(String kernel) {
        Kernel k = boot(kernel);
        Syscalls sys = k.syscalls();
        Task p = k.spawn("p");
        Task q = k.spawn("q");
        long addr = mmapAnon(k, q, 1, RW);
        write(k, q, addr, 1);
        int pfn = pfnAt(q, addr);
        int refs = k.frames().refcount(pfn);

        assertThat(sys.processVmWritev(p, q, addr, 0x42).run()).isEqualTo(8);

        assertThat(load(k, q, addr)).isEqualTo(0x42);
        assertThatPage(k, pfn).hasRefcount(refs).isDirty();
        assertThat(k.frames().test(pfn, PageFlags.PG_DMA_PINNED)).isFalse();
        WordRead r = sys.processVmReadv(p, q, addr).complete();
        assertThat(r).isEqualTo(new WordRead(0x42, 8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"4.8", "6.18"})
    void readvOfUntouchedAnonMemoryReadsZero(String kernel) {
        Kernel k = boot(kernel);
        Task p = k.spawn("p");
        Task q = k.spawn("q");
        long addr = mmapAnon(k, q, 1, RW);
        assertThat(k.syscalls().processVmReadv(p, q, addr).complete()).isEqualTo(new WordRead(0, 8));
    }

    /** No FOLL_FORCE: unlike ptrace, a write to a read-only mapping fails; an unmapped address does too. */
    @ParameterizedTest
    @ValueSource(strings = {"4.8", "6.18"})
    void efaultWhenThePageCannotBeTaken(String kernel) {
        Kernel k = boot(kernel);
        Syscalls sys = k.syscalls();
        Task p = k.spawn("p");
        Task q = k.spawn("q");
        long ro = mmapAnon(k, q, 1, Mman.PROT_READ);
        assertThat(sys.processVmWritev(p, q, ro, 1).run()).isEqualTo(-Errno.EFAULT);
        assertThat(load(k, q, ro)).isZero();
        assertThat(sys.processVmReadv(p, q, ro + 16 * PAGE).complete()).isEqualTo(new WordRead(0, -Errno.EFAULT));
    }

    @ParameterizedTest
    @ValueSource(strings = {"4.8", "6.18"})
    void esrchForAnExitedProcess(String kernel) {
        Kernel k = boot(kernel);
        Task p = k.spawn("p");
        Task c = fork(k, p, "c");
        long addr = mmapAnon(k, p, 1, RW);
        exit(k, c);
        assertThat(k.syscalls().processVmReadv(p, c, addr).run()).isEqualTo(-Errno.ESRCH);
    }

    /** A write into a shared ext4 mapping through a write pin: the page cache page gets the word and is dirty. */
    @ParameterizedTest
    @ValueSource(strings = {"4.8", "6.18"})
    void writevIntoASharedFileMappingDirtiesThePageCache(String kernel) {
        Kernel k = boot(kernel);
        Task p = k.spawn("p");
        Task q = k.spawn("q");
        int fd = creat(k, q, FsType.EXT4, "f", PAGE);
        long addr = mmapFile(k, q, fd, 1, RW, Mman.MAP_SHARED);
        assertThat(k.syscalls().processVmWritev(p, q, addr, 0x9).run()).isEqualTo(8);
        assertThatPage(k, pfnAt(q, addr)).isDirty();
        assertThat(load(k, q, addr)).isEqualTo(0x9);
    }
}
