package org.mmsim.kernel.mm.mmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.testing.KernelAssertions.pfnAt;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.fork;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.mmapSharedAnon;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Mman;

/**
 * The madvise advices beyond DONTNEED/DONTFORK/DOFORK (mm/madvise.c): MADV_WIPEONFORK/KEEPONFORK, MADV_FREE,
 * MADV_POPULATE_READ/WRITE, each effect and errno.
 */
class MadviseAdvicesTest {
    private final Kernel k = boot("6.18");
    private final Syscalls sys = k.syscalls();
    private final Task t = k.spawn("p");

    @Test
    void anUnknownAdviceIsStillEinval() {
        long addr = mmapAnon(k, t, 1, RW);
        assertThat(sys.madvise(t, addr, PAGE, 12345).run()).isEqualTo(-Errno.EINVAL);
        assertThat(sys.madvise(t, addr, PAGE, 9).run()).as("MADV_REMOVE is not modelled").isEqualTo(-Errno.EINVAL);
    }

    // ---- MADV_WIPEONFORK / MADV_KEEPONFORK ---------------------------------------------------------------------

    @Test
    void wipeonforkGivesTheChildAnEmptyVmaAndSplitsAtTheEdges() {
        long addr = mmapAnon(k, t, 2, RW);
        write(k, t, addr, 7);
        write(k, t, addr + PAGE, 8);

        assertThat(sys.madvise(t, addr, PAGE, Mman.MADV_WIPEONFORK).run()).isZero();
        assertThat(t.mm().vmaAt(addr).has(VmFlags.VM_WIPEONFORK)).isTrue();
        assertThat(t.mm().vmaAt(addr + PAGE).has(VmFlags.VM_WIPEONFORK)).isFalse();

        Task child = fork(k, t, "c");
        assertThat(load(k, child, addr)).as("wiped").isZero();
        assertThat(load(k, child, addr + PAGE)).isEqualTo(8);
        assertThat(load(k, t, addr)).isEqualTo(7);
    }

    /**
     * {@code madvise_update_vma} leaves a VMA whose flags would not change whole: DOFORK on a page that never had
     * DONTFORK splits nothing, so the mapping still moves as one VMA.
     */
    @Test
    void anAdviceThatChangesNothingSplitsNothing() {
        long addr = mmapAnon(k, t, 4, RW);

        assertThat(sys.madvise(t, addr + PAGE, PAGE, Mman.MADV_DOFORK).run()).isZero();
        assertThat(sys.madvise(t, addr + PAGE, PAGE, Mman.MADV_KEEPONFORK).run()).isZero();

        assertThat(t.mm().mapCount()).isEqualTo(1);
        assertThat(sys.mremap(t, addr, 4 * PAGE, 8 * PAGE, Mremap.MREMAP_MAYMOVE, 0).run()).isPositive();
    }

    @Test
    void keeponforkUndoesIt() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 7);
        sys.madvise(t, addr, PAGE, Mman.MADV_WIPEONFORK).run();

        assertThat(sys.madvise(t, addr, PAGE, Mman.MADV_KEEPONFORK).run()).isZero();

        assertThat(t.mm().vmaAt(addr).has(VmFlags.VM_WIPEONFORK)).isFalse();
        assertThat(load(k, fork(k, t, "c"), addr)).isEqualTo(7);
    }

    /** "MADV_WIPEONFORK is only supported on anonymous memory": not a file, not shared (shmem included). */
    @Test
    void wipeonforkOfSharedMemoryIsEinval() {
        long shared = mmapSharedAnon(k, t, 1, RW);
        assertThat(sys.madvise(t, shared, PAGE, Mman.MADV_WIPEONFORK).run()).isEqualTo(-Errno.EINVAL);
        assertThat(t.mm().vmaAt(shared).has(VmFlags.VM_WIPEONFORK)).isFalse();
    }

    @Test
    void wipeonforkWithAHoleIsEnomemButAdvisesTheRest() {
        long addr = mmapAnon(k, t, 2, RW);
        sys.munmap(t, addr + PAGE, PAGE).run();
        assertThat(sys.madvise(t, addr, 2 * PAGE, Mman.MADV_WIPEONFORK).run()).isEqualTo(-Errno.ENOMEM);
        assertThat(t.mm().vmaAt(addr).has(VmFlags.VM_WIPEONFORK)).isTrue();
    }

    // ---- MADV_FREE ------------------------------------------------------------------------------------------------

    @Test
    void freeCleansAnExclusiveAnonPageAndMarksItLazy() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 7);
        int pfn = pfnAt(t, addr);
        assertThatPte(t, addr).isDirty();

        assertThat(sys.madvise(t, addr, PAGE, Mman.MADV_FREE).run()).isZero();

        assertThatPte(t, addr).isClean();
        assertThatPage(k, pfn).isClean();
        assertThat(k.frames().test(pfn, PageFlags.PG_SWAPBACKED)).as("folio_mark_lazyfree").isFalse();
        assertThat(load(k, t, addr)).as("no anon reclaim in the model: the data stays").isEqualTo(7);
        write(k, t, addr, 9);
        assertThatPte(t, addr).isDirty();
    }

    /**
     * A clean page fork left shared is freed like an exclusive one ({@code madvise_free_pte_range} looks at the
     * mapcount only for a dirty page): this process's pte is cleaned, the child's stays dirty.
     */
    @Test
    void freeOfACleanSharedPageCleansOnlyThisProcesssPte() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 7);
        int pfn = pfnAt(t, addr);
        Task child = fork(k, t, "c");
        assertThatPage(k, pfn).isClean();

        assertThat(sys.madvise(t, addr, PAGE, Mman.MADV_FREE).run()).isZero();

        assertThatPte(t, addr).isClean().isOld();
        assertThatPte(child, addr).isDirty();
        assertThat(k.frames().test(pfn, PageFlags.PG_SWAPBACKED)).as("folio_mark_lazyfree").isFalse();
        assertThat(load(k, child, addr)).isEqualTo(7);
    }

    /** A dirty page mapped elsewhere too keeps its dirty flag, its pte and PG_swapbacked. */
    @Test
    void freeSkipsADirtyPageMappedElsewhere() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 7);
        int pfn = pfnAt(t, addr);
        fork(k, t, "c");
        k.frames().set(pfn, PageFlags.PG_DIRTY); // as set_page_dirty after a FOLL_WRITE pin would

        assertThat(sys.madvise(t, addr, PAGE, Mman.MADV_FREE).run()).isZero();

        assertThatPage(k, pfn).isSwapBacked().isDirty();
        assertThatPte(t, addr).isDirty();
    }

    /**
     * Before 4.12 (93e06c7a6453) a machine without swap, as the model's are, ran MADV_FREE as MADV_DONTNEED: the page is
     * gone at once and the next load reads zero; a private file mapping is zapped instead of refused.
     */
    @Test
    void before412WithoutSwapFreeIsDontneed() {
        Kernel old = boot("4.9");
        Task p = old.spawn("p");
        long addr = mmapAnon(old, p, 1, RW);
        write(old, p, addr, 7);
        int pfn = pfnAt(p, addr);

        assertThat(old.syscalls().madvise(p, addr, PAGE, Mman.MADV_FREE).run()).isZero();

        assertThatPte(p, addr).isNone();
        assertThatPage(old, pfn).isFree();
        assertThat(load(old, p, addr)).isZero();
    }

    @Test
    void freeOfALockedOrSharedOrFileVmaIsEinval() {
        long locked = mmapAnon(k, t, 1, RW);
        sys.mlock(t, locked, PAGE).run();
        assertThat(sys.madvise(t, locked, PAGE, Mman.MADV_FREE).run()).isEqualTo(-Errno.EINVAL);
        long shared = mmapSharedAnon(k, t, 1, RW);
        assertThat(sys.madvise(t, shared, PAGE, Mman.MADV_FREE).run()).isEqualTo(-Errno.EINVAL);
    }

    @Test
    void freeWithAHoleIsEnomem() {
        long addr = mmapAnon(k, t, 2, RW);
        sys.munmap(t, addr + PAGE, PAGE).run();
        assertThat(sys.madvise(t, addr, 2 * PAGE, Mman.MADV_FREE).run()).isEqualTo(-Errno.ENOMEM);
    }

    // ---- MADV_POPULATE_READ / MADV_POPULATE_WRITE -----------------------------------------------------------------

    @Test
    void populateReadMapsTheZeroPageAndPopulateWriteAPrivateCopy() {
        long addr = mmapAnon(k, t, 2, RW);

        assertThat(sys.madvise(t, addr, PAGE, Mman.MADV_POPULATE_READ).run()).isZero();
        assertThatPte(t, addr).isReadOnly();
        assertThatPte(t, addr + PAGE).isNone();

        assertThat(sys.madvise(t, addr, 2 * PAGE, Mman.MADV_POPULATE_WRITE).run()).isZero();
        assertThatPte(t, addr).isWritable();
        assertThatPte(t, addr + PAGE).isWritable();
    }

    @Test
    void populateWithoutThePermissionIsEinval() {
        long addr = mmapAnon(k, t, 1, Mman.PROT_READ);
        assertThat(sys.madvise(t, addr, PAGE, Mman.MADV_POPULATE_WRITE).run()).isEqualTo(-Errno.EINVAL);
        assertThatPte(t, addr).isNone();
        long none = mmapAnon(k, t, 1, Mman.PROT_NONE);
        assertThat(sys.madvise(t, none, PAGE, Mman.MADV_POPULATE_READ).run()).isEqualTo(-Errno.EINVAL);
    }

    @Test
    void populateStopsAtAHoleWithEnomem() {
        long addr = mmapAnon(k, t, 3, RW);
        sys.munmap(t, addr + PAGE, PAGE).run();

        assertThat(sys.madvise(t, addr, 3 * PAGE, Mman.MADV_POPULATE_WRITE).run()).isEqualTo(-Errno.ENOMEM);

        assertThatPte(t, addr).as("before the hole").isWritable();
        assertThatPte(t, addr + 2 * PAGE).as("after the hole").isNone();
    }
}
