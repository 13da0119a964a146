package org.mmsim.kernel.mm.mmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.testing.KernelAssertions.pfnAt;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.mmapSharedAnon;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Errno;

/** {@code mremap(MREMAP_DONTUNMAP)} (5.7): the ptes move, the old VMA stays, empty; each errno and profile. */
class MremapDontunmapTest {
    private static final int MAYMOVE = Mremap.MREMAP_MAYMOVE;
    private static final int DONTUNMAP = Mremap.MREMAP_DONTUNMAP;

    private final Kernel k = boot("6.18");
    private final Syscalls sys = k.syscalls();
    private final Task t = k.spawn("p");

    @Test
    void thePagesMoveAndTheOldVmaStaysWithoutItsAnonVma() {
        long a = mmapAnon(k, t, 2, RW);
        write(k, t, a, 7);
        int pfn = pfnAt(t, a);

        long d = sys.mremap(t, a, 2 * PAGE, 2 * PAGE, MAYMOVE | DONTUNMAP, 0).run();

        assertThat(d).isPositive().isNotEqualTo(a);
        assertThat(pfnAt(t, d)).isEqualTo(pfn);
        Vma old = t.mm().vmaAt(a);
        assertThat(old).isNotNull();
        assertThat(old.end()).isEqualTo(a + 2 * PAGE);
        assertThat(old.anonVma()).isNull();
        assertThatPte(t, a).isNone();
        assertThat(load(k, t, a)).isZero();
        assertThat(load(k, t, d)).isEqualTo(7);
    }

    /** The old VMA loses VM_LOCKED, the new one keeps it, and (up to 6.15) locked_vm is not touched. */
    @Test
    void aLockedVmaKeepsItsCountAndTheOldOneIsUnlocked() {
        Kernel kk = boot("5.19");
        Task p = kk.spawn("p");
        long a = mmapAnon(kk, p, 2, RW);
        kk.syscalls().mlock(p, a, 2 * PAGE).run();

        long d = kk.syscalls().mremap(p, a, 2 * PAGE, 2 * PAGE, MAYMOVE | DONTUNMAP, 0).run();

        assertThat(p.mm().vmaAt(d).has(VmFlags.VM_LOCKED)).isTrue();
        assertThat(p.mm().vmaAt(a).has(VmFlags.VM_LOCKED)).isFalse();
        assertThat(p.mm().lockedVm()).isEqualTo(2);
    }

    /** Up to 5.11 the empty old VMA kept its anon_vma; from 5.12 (1583aa278f5f) it leaves it. */
    @ParameterizedTest(name = "{0}: keeps it {1}")
    @CsvSource({"5.11, true", "5.19, false"})
    void theOldVmaLeavesItsAnonVmaFrom512(String profile, boolean keeps) {
        Kernel kk = boot(profile);
        Task p = kk.spawn("p");
        long a = mmapAnon(kk, p, 1, RW);
        write(kk, p, a, 3);
        kk.syscalls().mremap(p, a, PAGE, PAGE, MAYMOVE | DONTUNMAP, 0).run();
        assertThat(p.mm().vmaAt(a).anonVma() != null).isEqualTo(keeps);
    }

    /** An unsupported VMA is -EINVAL before the range is checked against it (vma_to_resize's order). */
    @Test
    void anUnsupportedVmaIsEinvalBeforeARangePastIt() {
        Kernel kk = boot("5.11");
        Task p = kk.spawn("p");
        long s = mmapSharedAnon(kk, p, 1, RW);
        assertThat(kk.syscalls().mremap(p, s, 4 * PAGE, 4 * PAGE, MAYMOVE | DONTUNMAP, 0).run())
                .isEqualTo(-Errno.EINVAL);
        long a = mmapAnon(kk, p, 1, RW);
        assertThat(kk.syscalls().mremap(p, a, 4 * PAGE, 4 * PAGE, MAYMOVE | DONTUNMAP, 0).run())
                .isEqualTo(-Errno.EFAULT);
    }

    /** From 6.17 a fixed DONTUNMAP move may span several VMAs, each left in place, empty. */
    @Test
    void aFixedMoveSpansSeveralVmasFrom617() {
        long a = mmapAnon(k, t, 2, RW);
        sys.mprotect(t, a + PAGE, PAGE, org.mmsim.kernel.uapi.Mman.PROT_READ).run();
        write(k, t, a, 4);
        long to = a - 16 * PAGE;

        assertThat(sys.mremap(t, a, 2 * PAGE, 2 * PAGE, MAYMOVE | DONTUNMAP | Mremap.MREMAP_FIXED, to).run())
                .isEqualTo(to);

        assertThat(load(k, t, to)).isEqualTo(4);
        assertThat(t.mm().vmaAt(a)).isNotNull();
        assertThat(t.mm().vmaAt(a + PAGE)).isNotNull();
        assertThat(load(k, t, a)).isZero();
    }

    /** Part of a VMA: the VMA is not split, and keeps its anon_vma for the pages left in it. */
    @Test
    void partOfAVmaLeavesItWholeWithItsAnonVma() {
        long a = mmapAnon(k, t, 2, RW);
        write(k, t, a, 1);
        write(k, t, a + PAGE, 2);

        long d = sys.mremap(t, a, PAGE, PAGE, MAYMOVE | DONTUNMAP, 0).run();

        assertThat(load(k, t, d)).isEqualTo(1);
        assertThat(t.mm().vmaAt(a).end()).isEqualTo(a + 2 * PAGE);
        assertThat(t.mm().vmaAt(a).anonVma()).isNotNull();
        assertThat(load(k, t, a + PAGE)).isEqualTo(2);
        assertThat(load(k, t, a)).isZero();
    }

    @ParameterizedTest(name = "flags {0}, new length {1}")
    @CsvSource({"4, 4096", "5, 8192"})
    void needsMayMoveAndEqualLengths(int flags, long newLen) {
        long a = mmapAnon(k, t, 1, RW);
        assertThat(sys.mremap(t, a, PAGE, newLen, flags, 0).run()).isEqualTo(-Errno.EINVAL);
    }

    /** 5.7 to 5.12: private anonymous memory only; 5.13: any VMA but VM_DONTEXPAND/VM_PFNMAP; before 5.7: no flag. */
    @ParameterizedTest(name = "{0}: shared {1}, private {2}")
    @CsvSource({"4.9, -22, -22", "5.11, -22, 0", "6.18, 0, 0"})
    void whichVmasEachKernelTakes(String profile, long shared, long priv) {
        Kernel kk = boot(profile);
        Task p = kk.spawn("p");
        long s = mmapSharedAnon(kk, p, 1, RW);
        long a = mmapAnon(kk, p, 1, RW);
        long rs = kk.syscalls().mremap(p, s, PAGE, PAGE, MAYMOVE | DONTUNMAP, 0).run();
        long ra = kk.syscalls().mremap(p, a, PAGE, PAGE, MAYMOVE | DONTUNMAP, 0).run();
        assertThat(rs < 0 ? rs : 0).isEqualTo(shared);
        assertThat(ra < 0 ? ra : 0).isEqualTo(priv);
    }

    /** A fixed DONTUNMAP move replaces what is at NEWADDR. */
    @Test
    void fixedMovesOntoTheTarget() {
        long a = mmapAnon(k, t, 1, RW);
        long b = mmapAnon(k, t, 1, RW);
        write(k, t, a, 5);
        write(k, t, b, 9);

        assertThat(sys.mremap(t, a, PAGE, PAGE, MAYMOVE | DONTUNMAP | Mremap.MREMAP_FIXED, b).run()).isEqualTo(b);

        assertThat(load(k, t, b)).isEqualTo(5);
        assertThat(load(k, t, a)).isZero();
    }
}
