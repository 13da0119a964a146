package org.mmsim.kernel.mm.mmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.testing.KernelAssertions.pfnAt;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.PRIVATE_ANON;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.creat;
import static org.mmsim.kernel.testing.TestKernels.fork;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.loadSignal;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.mmapFile;
import static org.mmsim.kernel.testing.TestKernels.pread;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Mman;
import org.mmsim.kernel.uapi.Signal;

/** {@code mremap()} (mm/mremap.c): shrink, grow in place, move (MAYMOVE, FIXED) with the ptes, and each errno. */
class MremapTest {
    private static final int MAYMOVE = Mremap.MREMAP_MAYMOVE;
    private static final int FIXED = Mremap.MREMAP_FIXED;

    private final Kernel k = boot("6.18");
    private final Syscalls sys = k.syscalls();
    private final Task t = k.spawn("p");

    @Test
    void shrinkUnmapsTheTail() {
        long addr = mmapAnon(k, t, 2, RW);
        write(k, t, addr + PAGE, 5);
        assertThat(sys.mremap(t, addr, 2 * PAGE, PAGE, 0, 0).run()).isEqualTo(addr);
        assertThat(t.mm().vmaAt(addr + PAGE)).isNull();
        assertThat(loadSignal(k, t, addr + PAGE)).isEqualTo(Signal.SIGSEGV);
    }

    @Test
    void moveCarriesThePagesAndTheirPtes() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 7);
        int pfn = pfnAt(t, addr);
        sys.mmap(t, addr + PAGE, PAGE, RW, PRIVATE_ANON | Mman.MAP_FIXED).run(); // no room to grow in place

        long to = sys.mremap(t, addr, PAGE, 2 * PAGE, MAYMOVE, 0).run();

        assertThat(to).isPositive().isNotEqualTo(addr);
        assertThat(pfnAt(t, to)).isEqualTo(pfn);
        assertThatPage(k, pfn).hasMapcount(1);
        assertThat(load(k, t, to)).isEqualTo(7);
        assertThat(load(k, t, to + PAGE)).isZero();
        assertThat(t.mm().vmaAt(addr)).isNull();
        assertThat(t.mm().vmaAt(to).end()).isEqualTo(to + 2 * PAGE);
    }

    @Test
    void growsInPlaceWhenTheSpaceAfterIsFree() {
        long addr = mmapAnon(k, t, 1, RW);
        sys.munmap(t, addr + PAGE, PAGE).run();
        if (t.mm().isFree(addr + PAGE, addr + 2 * PAGE)) {
            assertThat(sys.mremap(t, addr, PAGE, 2 * PAGE, 0, 0).run()).isEqualTo(addr);
            assertThat(t.mm().vmaAt(addr).end()).isEqualTo(addr + 2 * PAGE);
        }
    }

    /**
     * Growing in place extends the whole VMA ({@code vma_merge_extend}): a range that starts inside it splits nothing.
     */
    @Test
    void growingInPlaceFromInsideAVmaKeepsItOneVma() {
        long addr = mmapAnon(k, t, 4, RW);
        assertThat(sys.munmap(t, addr + 2 * PAGE, 2 * PAGE).run()).isZero();
        write(k, t, addr, 7);

        assertThat(sys.mremap(t, addr + PAGE, PAGE, 3 * PAGE, 0, 0).run()).isEqualTo(addr + PAGE);

        assertThat(t.mm().vmaAt(addr).start()).isEqualTo(addr);
        assertThat(t.mm().vmaAt(addr).end()).isEqualTo(addr + 4 * PAGE);
        assertThat(load(k, t, addr)).isEqualTo(7);
        assertThat(sys.mremap(t, addr, 4 * PAGE, 8 * PAGE, MAYMOVE, 0).run()).as("one VMA to move").isPositive();
    }

    @Test
    void enomemWhenItCannotGrowInPlaceAndMayNotMove() {
        long addr = mmapAnon(k, t, 1, RW);
        sys.mmap(t, addr + PAGE, PAGE, RW, PRIVATE_ANON | Mman.MAP_FIXED).run();
        assertThat(sys.mremap(t, addr, PAGE, 2 * PAGE, 0, 0).run()).isEqualTo(-Errno.ENOMEM);
    }

    @Test
    void fixedMovesToTheAddressReplacingWhatIsThere() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 7);
        long dst = mmapAnon(k, t, 1, RW);
        write(k, t, dst, 9);

        assertThat(sys.mremap(t, addr, PAGE, PAGE, MAYMOVE | FIXED, dst).run()).isEqualTo(dst);

        assertThat(load(k, t, dst)).isEqualTo(7);
        assertThat(t.mm().vmaAt(addr)).isNull();
    }

    /** remap_move (6.17): a fixed same-length move spanning VMAs moves them all, the gap between them kept. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"5.19, false", "6.18, true"})
    void aFixedMoveOfSeveralVmasMovesThemAllFrom617(String profile, boolean moves) {
        Kernel kk = boot(profile);
        Task p = kk.spawn("p");
        long a = mmapAnon(kk, p, 3, RW);
        write(kk, p, a, 1);
        write(kk, p, a + 2 * PAGE, 3);
        assertThat(kk.syscalls().munmap(p, a + PAGE, PAGE).run()).isZero(); // two VMAs, a gap between
        long dst = mmapAnon(kk, p, 3, Mman.PROT_READ);
        assertThat(kk.syscalls().munmap(p, dst, 3 * PAGE).run()).isZero(); // a free target

        long r = kk.syscalls().mremap(p, a, 3 * PAGE, 3 * PAGE, MAYMOVE | FIXED, dst).run();

        if (!moves) {
            assertThat(r).as("vma_to_resize: past the first VMA").isEqualTo(-Errno.EFAULT);
            return;
        }
        assertThat(r).isEqualTo(dst);
        assertThat(load(kk, p, dst)).isEqualTo(1);
        assertThat(loadSignal(kk, p, dst + PAGE)).as("the gap stays a gap (each part unmaps only its own target)")
                .isEqualTo(Signal.SIGSEGV);
        assertThat(load(kk, p, dst + 2 * PAGE)).isEqualTo(3);
        assertThat(p.mm().vmaAt(a)).isNull();
        assertThat(kk.syscalls().mremap(p, dst + PAGE, 2 * PAGE, 2 * PAGE, MAYMOVE | FIXED, a).run())
                .as("no gap permitted at the start of the range").isEqualTo(-Errno.EFAULT);
    }

    @Test
    void einvalForBadArguments() {
        long addr = mmapAnon(k, t, 2, RW);
        assertThat(sys.mremap(t, addr, PAGE, PAGE, 4, 0).run()).as("unknown flag").isEqualTo(-Errno.EINVAL);
        assertThat(sys.mremap(t, addr, PAGE, PAGE, FIXED, addr + PAGE).run()).as("FIXED without MAYMOVE")
                .isEqualTo(-Errno.EINVAL);
        assertThat(sys.mremap(t, addr + 8, PAGE, PAGE, 0, 0).run()).isEqualTo(-Errno.EINVAL);
        assertThat(sys.mremap(t, addr, PAGE, 0, 0, 0).run()).isEqualTo(-Errno.EINVAL);
        assertThat(sys.mremap(t, addr, PAGE, PAGE, MAYMOVE | FIXED, addr + 8).run()).isEqualTo(-Errno.EINVAL);
        assertThat(sys.mremap(t, addr, 2 * PAGE, PAGE, MAYMOVE | FIXED, addr + PAGE).run()).as("overlap")
                .isEqualTo(-Errno.EINVAL);
    }

    @Test
    void efaultForNoVmaOrARangePastIt() {
        long addr = mmapAnon(k, t, 1, RW);
        sys.munmap(t, addr, PAGE).run();
        assertThat(sys.mremap(t, addr, PAGE, 2 * PAGE, MAYMOVE, 0).run()).isEqualTo(-Errno.EFAULT);
        long b = mmapAnon(k, t, 1, RW);
        assertThat(sys.mremap(t, b, 2 * PAGE, 3 * PAGE, MAYMOVE, 0).run()).isEqualTo(-Errno.EFAULT);
    }

    @Test
    void aLockedVmaMovesItsCountAndIsRefusedBeyondTheLimit() {
        long addr = mmapAnon(k, t, 1, RW);
        sys.mlock(t, addr, PAGE).run();
        sys.mmap(t, addr + PAGE, PAGE, RW, PRIVATE_ANON | Mman.MAP_FIXED).run();

        long to = sys.mremap(t, addr, PAGE, 2 * PAGE, MAYMOVE, 0).run();
        assertThat(to).isPositive();
        assertThat(t.mm().lockedVm()).isEqualTo(2);
        assertThat(t.mm().vmaAt(to).has(VmFlags.VM_LOCKED)).isTrue();
        assertThatPte(t, to + PAGE).as("the new part is faulted in").isPresent();

        sys.setrlimitMemlock(t, 2 * PAGE).run();
        assertThat(sys.mremap(t, to, 2 * PAGE, 3 * PAGE, MAYMOVE, 0).run()).isEqualTo(-Errno.EAGAIN);
    }

    /** Moving a COW-shared page keeps it shared: the child still sees its own copy after the parent writes. */
    @Test
    void aMovedCowPageStaysCow() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 7);
        Task child = fork(k, t, "c");
        long dst = mmapAnon(k, t, 1, RW);

        assertThat(sys.mremap(t, addr, PAGE, PAGE, MAYMOVE | FIXED, dst).run()).isEqualTo(dst);
        write(k, t, dst, 8);

        assertThat(load(k, child, addr)).isEqualTo(7);
        assertThat(load(k, t, dst)).isEqualTo(8);
    }

    @Test
    void aSharedFileMappingMovesWithItsPageCachePage() {
        int fd = creat(k, t, FsType.EXT4, "f", PAGE);
        long addr = mmapFile(k, t, fd, 1, RW, Mman.MAP_SHARED);
        write(k, t, addr, 0x33);
        long dst = mmapAnon(k, t, 1, RW);

        assertThat(sys.mremap(t, addr, PAGE, PAGE, MAYMOVE | FIXED, dst).run()).isEqualTo(dst);
        write(k, t, dst + 8, 0x44);

        assertThat(pread(k, t, fd, 0)).isEqualTo(0x33);
        assertThat(pread(k, t, fd, 8)).isEqualTo(0x44);
    }
}
