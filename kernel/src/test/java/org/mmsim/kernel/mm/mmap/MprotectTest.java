package org.mmsim.kernel.mm.mmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.testing.KernelAssertions.pfnAt;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.creat;
import static org.mmsim.kernel.testing.TestKernels.fork;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.loadSignal;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.openReadOnly;
import static org.mmsim.kernel.testing.TestKernels.store;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Mman;
import org.mmsim.kernel.uapi.Signal;

/**
 * {@code mprotect()}: errnos, pte rewriting, and the 6.0 shortcut that keeps exclusive anon pages writable. The
 * -EACCES of a VMA whose VM_MAY* bits forbid the protection is shown on a device mapping in the drivers module's
 * {@code MmioDriverTest}, and here on a shared mapping of a file opened read-only ({@code InodeLifetimeTest}).
 */
class MprotectTest {
    private final Kernel k = boot("6.18");
    private final Syscalls sys = k.syscalls();
    private final Task t = k.spawn("p");

    /** do_mprotect_pkey: {@code vma_find(start, end)} finds nothing, or a VMA above start: -ENOMEM, nothing changed. */
    /**
     * 4.5's {@code populate_vma_page_range} in {@code mprotect_fixup}: a private VM_LOCKED VMA made writable is faulted
     * in for writing at once, so the zero page mlock mapped is replaced by a writable private page; before, the pte
     * keeps the zero page until the first write.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"2.6.27", "4.8", "6.18"})
    void mprotectWritableOfAnMlockedPrivateVmaBreaksCowAtOnceSince45(String profile) {
        Kernel kk = boot(profile);
        Task p = kk.spawn("p");
        long a = mmapAnon(kk, p, 1, Mman.PROT_READ);
        assertThat(kk.syscalls().mlock(p, a, PAGE).run()).isZero();
        assertThat(pfnAt(p, a)).as("mlock's read fault maps the zero page").isEqualTo(PageAlloc.ZERO_PFN);

        assertThat(kk.syscalls().mprotect(p, a, PAGE, RW).run()).isZero();

        if (profile.equals("2.6.27")) {
            assertThat(pfnAt(p, a)).isEqualTo(PageAlloc.ZERO_PFN);
        } else {
            assertThat(pfnAt(p, a)).isNotEqualTo(PageAlloc.ZERO_PFN);
            assertThatPte(p, a).isWritable();
        }
        assertThat(load(kk, p, a)).isZero();
    }

    @Test
    void doMprotectPkeyEnomemWithNothingChangedWhenTheStartIsNotMapped() {
        long addr = mmapAnon(k, t, 1, RW);
        long above = mmapAnon(k, t, 1, RW); // top-down: directly below addr

        assertThat(above).isEqualTo(addr - PAGE);
        assertThat(sys.mprotect(t, addr + PAGE, PAGE, Mman.PROT_READ).run()).isEqualTo(-Errno.ENOMEM);
        assertThat(sys.mprotect(t, above - PAGE, 2 * PAGE, Mman.PROT_READ).run()).as("a VMA above start")
                .isEqualTo(-Errno.ENOMEM);
        assertThat(t.mm().vmaAt(addr).has(VmFlags.VM_WRITE)).as("nothing changed").isTrue();
        assertThat(t.mm().vmaAt(above).has(VmFlags.VM_WRITE)).as("nothing changed").isTrue();
    }

    /**
     * do_mprotect_pkey: the VMAs are fixed up one by one; a range that runs past the last VMA is -ENOMEM after
     * ({@code tmp < end}), with every VMA in it changed.
     */
    @Test
    void doMprotectPkeyChangesTheMappedPartThenReturnsEnomemForTheTail() {
        long addr = mmapAnon(k, t, 2, RW);
        write(k, t, addr + PAGE, 7);

        assertThat(sys.mprotect(t, addr + PAGE, 2 * PAGE, Mman.PROT_READ).run()).isEqualTo(-Errno.ENOMEM);

        assertThat(t.mm().vmas()).as("split at start").hasSize(2);
        assertThat(t.mm().vmaAt(addr).has(VmFlags.VM_WRITE)).isTrue();
        assertThat(t.mm().vmaAt(addr + PAGE).has(VmFlags.VM_WRITE)).isFalse();
        assertThatPte(t, addr + PAGE).isReadOnly();
    }

    /**
     * do_mprotect_pkey: a gap between two VMAs ({@code vma->vm_start != tmp}) is -ENOMEM after the VMAs before it
     * were changed (the first split at start); the VMA after the gap is untouched.
     */
    @Test
    void doMprotectPkeyChangesTheVmasBeforeAGapThenReturnsEnomem() {
        long high = mmapAnon(k, t, 2, RW);
        long low = high - 2 * PAGE; // a one-page gap at high - PAGE
        assertThat(sys.mmap(t, low, PAGE, RW, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS).run()).isEqualTo(low);

        assertThat(sys.mprotect(t, low, 4 * PAGE, Mman.PROT_READ).run()).isEqualTo(-Errno.ENOMEM);

        assertThat(t.mm().vmaAt(low).has(VmFlags.VM_WRITE)).as("before the gap").isFalse();
        assertThat(t.mm().vmaAt(high).has(VmFlags.VM_WRITE)).as("after the gap").isTrue();
        assertThat(t.mm().vmas()).as("the VMA after the gap is not split").hasSize(2);
    }

    /**
     * do_mprotect_pkey: {@code newflags & ~(newflags >> 4)} on the second VMA is -EACCES after the first was
     * changed; the second keeps its protection.
     */
    @Test
    void doMprotectPkeyChangesTheVmasBeforeOneThatMayNotGetItThenReturnsEacces() {
        int fd = creat(k, t, FsType.TMPFS, "f", PAGE);
        int ro = openReadOnly(k, t, fd);
        long shared = sys.mmap(t, 0, PAGE, Mman.PROT_READ, Mman.MAP_SHARED, ro, 0).run();
        long below = shared - PAGE;
        assertThat(sys.mmap(t, below, PAGE, RW, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS).run()).isEqualTo(below);
        assertThat(sys.mprotect(t, below, PAGE, Mman.PROT_READ).run()).isZero();

        assertThat(sys.mprotect(t, below, 2 * PAGE, RW).run()).isEqualTo(-Errno.EACCES);

        assertThat(t.mm().vmaAt(below).has(VmFlags.VM_WRITE)).as("changed before the failure").isTrue();
        assertThat(t.mm().vmaAt(shared).has(VmFlags.VM_WRITE)).isFalse();
    }

    /**
     * accountable_mapping(): only a private writable mapping is charged to the commit (VM_ACCOUNT); mprotect_fixup
     * charges a private one when it becomes writable, and never a shared one.
     */
    @Test
    void vmAccountMarksPrivateMappingsOnceTheyAreWritable() {
        long ro = mmapAnon(k, t, 1, Mman.PROT_READ);
        long rw = mmapAnon(k, t, 1, RW);
        long shared = k.syscalls().mmap(t, 0, PAGE, RW, Mman.MAP_SHARED | Mman.MAP_ANONYMOUS, -1, 0).run();
        assertThat(t.mm().vmaAt(ro).has(VmFlags.VM_ACCOUNT)).isFalse();
        assertThat(t.mm().vmaAt(rw).has(VmFlags.VM_ACCOUNT)).isTrue();
        assertThat(t.mm().vmaAt(shared).has(VmFlags.VM_ACCOUNT)).isFalse();

        assertThat(sys.mprotect(t, ro, PAGE, RW).run()).isZero();
        assertThat(sys.mprotect(t, shared, PAGE, Mman.PROT_READ).run()).isZero();
        assertThat(sys.mprotect(t, shared, PAGE, RW).run()).isZero();

        assertThat(t.mm().vmaAt(ro).has(VmFlags.VM_ACCOUNT)).as("charged when made writable").isTrue();
        assertThat(t.mm().vmaAt(shared).has(VmFlags.VM_ACCOUNT)).isFalse();
    }

    /** mprotect_fixup: {@code newflags == oldflags} returns before {@code vma_modify_flags}: no split. */
    @Test
    void mprotectFixupDoesNotSplitWhenNothingChanges() {
        long addr = mmapAnon(k, t, 3, RW);

        assertThat(sys.mprotect(t, addr + PAGE, PAGE, RW).run()).isZero();

        assertThat(t.mm().vmas()).hasSize(1);
    }

    /** do_mprotect_pkey: PROT_GROWSDOWN with PROT_GROWSUP, and {@code arch_validate_prot} of unknown bits: -EINVAL. */
    @Test
    void doMprotectPkeyEinvalForBothGrowsBitsOrAnUnknownProtBit() {
        long addr = mmapAnon(k, t, 1, RW);

        assertThat(sys.mprotect(t, addr, PAGE, Mman.PROT_GROWSDOWN | Mman.PROT_GROWSUP).run())
                .isEqualTo(-Errno.EINVAL);
        assertThat(sys.mprotect(t, addr, PAGE, Mman.PROT_READ | 0x10).run()).isEqualTo(-Errno.EINVAL);
        assertThat(sys.mprotect(t, addr, PAGE, Mman.PROT_READ | Mman.PROT_SEM).run()).as("PROT_SEM is accepted")
                .isZero();
        assertThat(sys.mprotect(t, addr, PAGE, Mman.PROT_READ | Mman.PROT_GROWSDOWN).run())
                .as("no VM_GROWSDOWN VMA").isEqualTo(-Errno.EINVAL);
    }

    @Test
    void einvalForAnUnalignedStart() {
        long addr = mmapAnon(k, t, 1, RW);
        assertThat(sys.mprotect(t, addr + 8, PAGE, Mman.PROT_READ).run()).isEqualTo(-Errno.EINVAL);
    }

    @Test
    void aZeroLengthIsANoOp() {
        long addr = mmapAnon(k, t, 1, RW);
        assertThat(sys.mprotect(t, addr, 0, Mman.PROT_NONE).run()).isZero();
        assertThat(t.mm().vmaAt(addr).has(VmFlags.VM_WRITE)).isTrue();
    }

    /** Expected per mm/mprotect.c do_mprotect_pkey: {@code end <= start} returns -ENOMEM. */
    @Test
    void aLengthThatWrapsIsEnomem() {
        long addr = mmapAnon(k, t, 4, RW);
        assertThat(sys.mprotect(t, addr + 2 * PAGE, -PAGE, Mman.PROT_READ).run()).isEqualTo(-Errno.ENOMEM);
        assertThat(t.mm().vmas()).hasSize(1);
    }

    @Test
    void mprotectOfTheMiddlePageSplitsTheVma() {
        long addr = mmapAnon(k, t, 3, RW);

        assertThat(sys.mprotect(t, addr + PAGE, PAGE, Mman.PROT_READ).run()).isZero();

        assertThat(t.mm().vmas()).hasSize(3);
        assertThat(t.mm().vmaAt(addr + PAGE).has(VmFlags.VM_WRITE)).isFalse();
        assertThat(t.mm().vmaAt(addr).has(VmFlags.VM_WRITE)).isTrue();
        assertThat(t.mm().vmaAt(addr + 2 * PAGE).has(VmFlags.VM_WRITE)).isTrue();
    }

    @Test
    void readOnlyWriteProtectsMappedPagesAndProtNoneHidesThem() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 3);
        int pfn = pfnAt(t, addr);

        assertThat(sys.mprotect(t, addr, PAGE, Mman.PROT_READ).run()).isZero();
        assertThatPte(t, addr).isReadOnly().mapsPfn(pfn);
        assertThat(store(k, t, addr, 4)).isEqualTo(Signal.SIGSEGV);
        assertThat(load(k, t, addr)).isEqualTo(3L);

        assertThat(sys.mprotect(t, addr, PAGE, Mman.PROT_NONE).run()).isZero();
        assertThatPte(t, addr).as("PROT_NONE still maps the page").isPresent().mapsPfn(pfn);
        assertThat(loadSignal(k, t, addr)).isEqualTo(Signal.SIGSEGV);
        assertThatPage(k, pfn).hasRefcount(1).hasMapcount(1);

        assertThat(sys.mprotect(t, addr, PAGE, Mman.PROT_READ).run()).isZero();
        assertThat(load(k, t, addr)).isEqualTo(3L);
    }

    @Test
    void under618AnExclusiveAnonPageBecomesWritableAgainWithoutAFault() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 1);
        int pfn = pfnAt(t, addr);
        assertThat(sys.mprotect(t, addr, PAGE, Mman.PROT_READ).run()).isZero();
        assertThatPte(t, addr).isReadOnly();

        assertThat(sys.mprotect(t, addr, PAGE, RW).run()).isZero();

        assertThatPte(t, addr).isWritable().mapsPfn(pfn);
    }

    @Test
    void under618ACowSharedPageStaysReadOnlySoItsWriteFaultCopies() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 1);
        int pfn = pfnAt(t, addr);
        Task child = fork(k, t, "child");
        assertThat(sys.mprotect(t, addr, PAGE, Mman.PROT_READ).run()).isZero();

        assertThat(sys.mprotect(t, addr, PAGE, RW).run()).isZero();

        assertThatPte(t, addr).isReadOnly().mapsPfn(pfn);
        write(k, t, addr, 2);
        assertThatPte(t, addr).isWritable().doesNotMapPfn(pfn);
        assertThat(load(k, child, addr)).isEqualTo(1L);
    }

    @ParameterizedTest(name = "forked={0}")
    @ValueSource(booleans = {false, true})
    void under59MprotectNeverMakesAPrivateAnonPteWritable(boolean forked) {
        Kernel old = boot("5.9");
        Task p = old.spawn("p");
        long addr = mmapAnon(old, p, 1, RW);
        write(old, p, addr, 1);
        if (forked) {
            fork(old, p, "child");
        }
        assertThat(old.syscalls().mprotect(p, addr, PAGE, Mman.PROT_READ).run()).isZero();

        assertThat(old.syscalls().mprotect(p, addr, PAGE, RW).run()).isZero();

        assertThatPte(p, addr).isReadOnly();
    }

    @Test
    void theShortcutNeverMakesTheZeroPageWritable() {
        long addr = mmapAnon(k, t, 1, RW);
        load(k, t, addr);
        assertThat(sys.mprotect(t, addr, PAGE, Mman.PROT_READ).run()).isZero();

        assertThat(sys.mprotect(t, addr, PAGE, RW).run()).isZero();

        assertThatPte(t, addr).mapsZeroPage();
    }
}
