package org.mmsim.kernel.mm.mmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.PRIVATE_ANON;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.creat;
import static org.mmsim.kernel.testing.TestKernels.fork;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.write;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Mman;

/**
 * {@code vma_merge} ({@code VmaMerge}): where a new mapping, a change of flags or an mremap leaves two VMAs that the
 * kernel keeps as one, and where it keeps them apart.
 */
class VmaMergeTest {
    private static final int RO = Mman.PROT_READ;

    /** [start, end) of each VMA of {@code t} in [from, to). */
    private static List<String> vmas(Task t, long from, long to) {
        return t.mm().vmasOverlapping(from, to).stream()
                .map(v -> Long.toHexString(v.start() - from) + "-" + Long.toHexString(v.end() - from)).toList();
    }

    @Test
    void aNewAnonymousMappingMergesWithTheOneItTouches() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 2, RW);
        write(k, t, a, 7);
        t.mm().vmaAt(a).setFlags(t.mm().vmaAt(a).flags() & ~VmFlags.VM_SOFTDIRTY); // as clear_refs 4 leaves it
        long b = k.syscalls().mmap(t, a + 2 * PAGE, PAGE, RW, PRIVATE_ANON | Mman.MAP_FIXED).run();

        assertThat(b).isEqualTo(a + 2 * PAGE);
        Vma merged = t.mm().vmaAt(a);
        assertThat(t.mm().vmaAt(b)).isSameAs(merged);
        assertThat(merged.end()).isEqualTo(a + 3 * PAGE);
        assertThat(merged.has(VmFlags.VM_SOFTDIRTY)).as("mmap marks the merged VMA soft-dirty as a whole").isTrue();
        assertThat(merged.anonVma().vmas()).containsExactly(merged);
        assertThat(load(k, t, a)).isEqualTo(7);
    }

    @Test
    void differentProtectionsStayApartAndMergeWhenMadeEqualAgain() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        Syscalls sys = k.syscalls();
        long a = mmapAnon(k, t, 3, RW);
        assertThat(sys.mprotect(t, a + PAGE, PAGE, RO).run()).isZero();
        assertThat(vmas(t, a, a + 3 * PAGE)).containsExactly("0-1000", "1000-2000", "2000-3000");

        assertThat(sys.mprotect(t, a + PAGE, PAGE, RW).run()).isZero();
        assertThat(vmas(t, a, a + 3 * PAGE)).containsExactly("0-3000");
        assertThat(t.mm().mapCount()).isEqualTo(1);
    }

    /** mlock2_tests.c test_vma_management: lock, unlock the middle (three VMAs), lock it again (one). */
    @Test
    void munlockOfTheMiddleSplitsAndMlockMergesBack() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        Syscalls sys = k.syscalls();
        long a = mmapAnon(k, t, 3, RW);
        assertThat(sys.mlock(t, a, 3 * PAGE).run()).isZero();
        assertThat(sys.munlock(t, a + PAGE, PAGE).run()).isZero();
        assertThat(vmas(t, a, a + 3 * PAGE)).hasSize(3);
        assertThat(sys.mlock(t, a + PAGE, PAGE).run()).isZero();
        assertThat(vmas(t, a, a + 3 * PAGE)).containsExactly("0-3000");
        assertThat(t.mm().vmaAt(a).has(VmFlags.VM_LOCKED)).isTrue();
        assertThat(t.mm().lockedVm()).isEqualTo(3);
    }

    @Test
    void madviseThatUndoesItsChangeMergesBack() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        Syscalls sys = k.syscalls();
        long a = mmapAnon(k, t, 3, RW);
        assertThat(sys.madvise(t, a + PAGE, PAGE, Mman.MADV_DONTFORK).run()).isZero();
        assertThat(vmas(t, a, a + 3 * PAGE)).hasSize(3);
        assertThat(sys.madvise(t, a + PAGE, PAGE, Mman.MADV_DOFORK).run()).isZero();
        assertThat(vmas(t, a, a + 3 * PAGE)).containsExactly("0-3000");
    }

    /**
     * A faulted VMA (it has an anon_vma) made equal to an unfaulted neighbour: merged up to 2.6.39, refused from 3.0
     * (965f55dea0e3), where {@code is_mergeable_anon_vma} asked the neighbour's empty anon_vma_chain to be singular,
     * merged again from 6.16 (879bca0a2c4f). The other way round (the neighbour is the faulted one) always merges.
     */
    @ParameterizedTest(name = "{0}: {1} VMAs")
    @CsvSource({"2.6.27, 1", "4.8, 2", "5.19, 2", "6.18, 1"})
    void aFaultedVmaMergesIntoAnUnfaultedOneFrom616(String profile, int count) {
        Kernel k = boot(profile);
        Task t = k.spawn("p");
        Syscalls sys = k.syscalls();
        long a = sys.mmap(t, 0, 2 * PAGE, RW, PRIVATE_ANON | Mman.MAP_NORESERVE).run(); // no VM_ACCOUNT to differ
        sys.mprotect(t, a, PAGE, RO).run();
        write(k, t, a + PAGE, 5); // only the upper VMA gets an anon_vma
        assertThat(t.mm().vmaAt(a).anonVma()).isNull();

        assertThat(sys.mprotect(t, a + PAGE, PAGE, RO).run()).isZero();

        assertThat(vmas(t, a, a + 2 * PAGE)).hasSize(count);
        assertThat(t.mm().vmaAt(a + PAGE).anonVma()).isNotNull();
        assertThat(load(k, t, a + PAGE)).isEqualTo(5);

        Kernel k2 = boot(profile);
        Task t2 = k2.spawn("q");
        long b = mmapAnon(k2, t2, 2, RW);
        k2.syscalls().mprotect(t2, b + PAGE, PAGE, RO).run();
        write(k2, t2, b, 6); // the lower VMA, the neighbour, is the faulted one
        assertThat(k2.syscalls().mprotect(t2, b + PAGE, PAGE, RW).run()).isZero();
        assertThat(vmas(t2, b, b + 2 * PAGE)).containsExactly("0-2000");
    }

    /**
     * From 3.0 a forked child's VMA chains its parent's anon_vma: a new mapping beside it stays apart
     * ({@code list_is_singular(&vma->anon_vma_chain)} fails), where the parent's own VMA takes it in. Before, the
     * child's took it in too.
     */
    @ParameterizedTest(name = "{0}: the child merges: {1}")
    @CsvSource({"2.6.27, true", "4.8, false", "6.18, false"})
    void aForkedChildsFaultedVmaDoesNotTakeInANewNeighbour(String profile, boolean childMerges) {
        Kernel k = boot(profile);
        Task p = k.spawn("p");
        long a = mmapAnon(k, p, 1, RW);
        write(k, p, a, 1);
        Task c = fork(k, p, "c");
        int flags = PRIVATE_ANON | Mman.MAP_FIXED;

        assertThat(k.syscalls().mmap(c, a + PAGE, PAGE, RW, flags).run()).isEqualTo(a + PAGE);
        assertThat(k.syscalls().mmap(p, a + PAGE, PAGE, RW, flags).run()).isEqualTo(a + PAGE);

        assertThat(vmas(c, a, a + 2 * PAGE)).hasSize(childMerges ? 1 : 2);
        assertThat(vmas(p, a, a + 2 * PAGE)).containsExactly("0-2000");
    }

    /**
     * mremap_test.c "mremap expand merge": the first of three pages grows over the unmapped middle one; from 6.1
     * (ca3d76b0aa80) it merges with the third, before it the two stay apart and a remap of all three is -EFAULT.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"5.19, false", "6.18, true"})
    void mremapThatGrowsAVmaUpToAnotherMergesFrom61(String profile, boolean merges) {
        Kernel k = boot(profile);
        Task t = k.spawn("p");
        Syscalls sys = k.syscalls();
        long a = mmapAnon(k, t, 3, RW);
        sys.munmap(t, a + PAGE, PAGE).run();

        assertThat(sys.mremap(t, a, PAGE, 2 * PAGE, 0, 0).run()).isEqualTo(a);

        assertThat(vmas(t, a, a + 3 * PAGE)).hasSize(merges ? 1 : 2);
        long r = sys.mremap(t, a, 3 * PAGE, 4 * PAGE, Mremap.MREMAP_MAYMOVE, 0).run();
        if (merges) {
            assertThat(r).isPositive();
        } else {
            assertThat(r).isEqualTo(-Errno.EFAULT);
        }
    }

    /** copy_vma: a never-faulted anonymous VMA takes its new address as pgoff, so it merges where it lands. */
    @Test
    void anUnfaultedVmaMovedNextToAnotherMergesWithIt() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        Syscalls sys = k.syscalls();
        long dst = mmapAnon(k, t, 2, RW);
        sys.munmap(t, dst + PAGE, PAGE).run();
        long src = dst - 16 * PAGE;
        assertThat(sys.mmap(t, src, PAGE, RW, PRIVATE_ANON | Mman.MAP_FIXED).run()).isEqualTo(src);
        assertThat(t.mm().vmaAt(src).pgoff()).isEqualTo(src >>> 12);

        long r = sys.mremap(t, src, PAGE, PAGE, Mremap.MREMAP_MAYMOVE | Mremap.MREMAP_FIXED, dst + PAGE).run();

        assertThat(r).isEqualTo(dst + PAGE);
        assertThat(vmas(t, dst, dst + 2 * PAGE)).containsExactly("0-2000");
        assertThat(t.mm().vmaAt(dst).pgoff()).isEqualTo(dst >>> 12);
    }

    /**
     * Two mappings of one file merge only where their file offsets run on: the second page of the file mapped after
     * the first merges, the same page mapped twice does not.
     */
    @Test
    void fileMappingsMergeOnlyWithConsecutiveOffsets() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        Syscalls sys = k.syscalls();
        int fd = creat(k, t, FsType.EXT4, "f", 4 * PAGE);
        int shared = Mman.MAP_SHARED | Mman.MAP_FIXED;
        long a = sys.mmap(t, 0, 4 * PAGE, RW, Mman.MAP_SHARED, fd, 0).run();
        sys.munmap(t, a, 4 * PAGE).run();

        assertThat(sys.mmap(t, a, PAGE, RW, shared, fd, 0).run()).isEqualTo(a);
        assertThat(sys.mmap(t, a + PAGE, PAGE, RW, shared, fd, PAGE).run()).isEqualTo(a + PAGE);
        assertThat(sys.mmap(t, a + 2 * PAGE, PAGE, RW, shared, fd, PAGE).run()).isEqualTo(a + 2 * PAGE);

        assertThat(vmas(t, a, a + 3 * PAGE)).containsExactly("0-2000", "2000-3000");
        assertThat(t.mm().vmaAt(a).mapping().iMmap()).hasSize(2);
    }

    /**
     * From 6.7 mprotect takes VM_ACCOUNT off a never-faulted anonymous VMA it makes read-only; a faulted one keeps
     * it, so the two read-only halves of one mapping no longer have equal flags and stay apart.
     */
    @ParameterizedTest(name = "{0}: VM_ACCOUNT dropped {1}")
    @CsvSource({"5.19, false", "6.18, true"})
    void mprotectUnaccountsAnUnfaultedVmaFrom67(String profile, boolean dropped) {
        Kernel k = boot(profile);
        Task t = k.spawn("p");
        Syscalls sys = k.syscalls();
        long a = mmapAnon(k, t, 2, RW);
        assertThat(t.mm().vmaAt(a).has(VmFlags.VM_ACCOUNT)).isTrue();
        sys.mprotect(t, a, PAGE, RO).run();
        write(k, t, a + PAGE, 5);
        sys.mprotect(t, a + PAGE, PAGE, RO).run();

        assertThat(t.mm().vmaAt(a).has(VmFlags.VM_ACCOUNT)).isEqualTo(!dropped);
        assertThat(t.mm().vmaAt(a + PAGE).has(VmFlags.VM_ACCOUNT)).isTrue();
        // 5.19: equal flags, but a faulted VMA does not merge into an unfaulted one; 6.18: the flags differ
        assertThat(vmas(t, a, a + 2 * PAGE)).hasSize(2);
    }

    /**
     * From 2.6.34 fork gives each of the child's VMAs an anon_vma of its own: two VMAs that were two in the parent
     * when it forked do not merge in the child, where up to 2.6.33 they shared the parent's and did.
     */
    @ParameterizedTest(name = "{0}: the child's two VMAs merge: {1}")
    @CsvSource({"2.6.27, true", "4.8, false", "6.18, false"})
    void aChildsVmasForkedApartStayApart(String profile, boolean merges) {
        Kernel k = boot(profile);
        Task p = k.spawn("p");
        long a = mmapAnon(k, p, 2, RW);
        write(k, p, a, 1);
        k.syscalls().mprotect(p, a + PAGE, PAGE, RO).run();
        Task c = fork(k, p, "c");

        assertThat(k.syscalls().mprotect(c, a + PAGE, PAGE, RW).run()).isZero();
        assertThat(k.syscalls().mprotect(p, a + PAGE, PAGE, RW).run()).isZero();

        assertThat(vmas(c, a, a + 2 * PAGE)).hasSize(merges ? 1 : 2);
        assertThat(vmas(p, a, a + 2 * PAGE)).containsExactly("0-2000");
    }

    /**
     * mremap's growth makes the grown VMA the merge's target ({@code vma_merge_extend}): a forked child's faulted VMA
     * grown up to an unfaulted neighbour merges from 6.16, where 3.0 to 6.15 refused any faulted VMA beside an
     * unfaulted one.
     */
    @ParameterizedTest(name = "{0}: merges {1}")
    @CsvSource({"5.19, false", "6.18, true"})
    void aForkedChildsVmaGrownByMremapMergesFrom616(String profile, boolean merges) {
        Kernel k = boot(profile);
        Task p = k.spawn("p");
        long a = mmapAnon(k, p, 3, RW);
        write(k, p, a, 1);
        Task c = fork(k, p, "c");
        Syscalls sys = k.syscalls();
        sys.munmap(c, a + PAGE, 2 * PAGE).run();
        assertThat(sys.mmap(c, a + 2 * PAGE, PAGE, RW, PRIVATE_ANON | Mman.MAP_FIXED).run()).isEqualTo(a + 2 * PAGE);

        assertThat(sys.mremap(c, a, PAGE, 2 * PAGE, 0, 0).run()).isEqualTo(a);

        assertThat(vmas(c, a, a + 3 * PAGE)).hasSize(merges ? 1 : 2);
    }

    /**
     * copy_vma's merge keeps the neighbour's flags: a VMA moved next to one whose VM_SOFTDIRTY clear_refs took off
     * does not make it soft-dirty again, where a new mapping there does (mmap_region sets it on the merged VMA).
     */
    @Test
    void aVmaMovedIntoANeighbourTakesTheNeighboursFlags() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        Syscalls sys = k.syscalls();
        long dst = mmapAnon(k, t, 2, RW);
        sys.munmap(t, dst + PAGE, PAGE).run();
        Vma target = t.mm().vmaAt(dst);
        target.setFlags(target.flags() & ~VmFlags.VM_SOFTDIRTY);
        long src = dst - 16 * PAGE;
        sys.mmap(t, src, PAGE, RW, PRIVATE_ANON | Mman.MAP_FIXED).run();

        sys.mremap(t, src, PAGE, PAGE, Mremap.MREMAP_MAYMOVE | Mremap.MREMAP_FIXED, dst + PAGE).run();

        assertThat(t.mm().vmaAt(dst).end()).isEqualTo(dst + 2 * PAGE);
        assertThat(t.mm().vmaAt(dst).has(VmFlags.VM_SOFTDIRTY)).isFalse();

        sys.munmap(t, dst + PAGE, PAGE).run();
        sys.mmap(t, dst + PAGE, PAGE, RW, PRIVATE_ANON | Mman.MAP_FIXED).run();
        assertThat(t.mm().vmaAt(dst).end()).isEqualTo(dst + 2 * PAGE);
        assertThat(t.mm().vmaAt(dst).has(VmFlags.VM_SOFTDIRTY)).isTrue();
    }
}
