package org.mmsim.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.KernelAssertions.pfnAt;
import static org.mmsim.kernel.TestKernels.PAGE;
import static org.mmsim.kernel.TestKernels.RW;
import static org.mmsim.kernel.TestKernels.boot;
import static org.mmsim.kernel.TestKernels.mmapAnon;
import static org.mmsim.kernel.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code mprotect()}: errnos, pte rewriting, and the 6.0 shortcut that keeps exclusive anon pages writable. */
class MprotectTest {
    private final Kernel k = boot("6.18");
    private final Task t = k.spawn("p");

    @Test
    void eaccesWhenTheVmaMayNotGetThePermission() {
        long addr = k.mmapDevice(t, PAGE, Mman.PROT_READ);
        long before = t.mm().vmaAt(addr).flags();

        assertThat(k.mprotect(t, addr, PAGE, Mman.PROT_READ | Mman.PROT_EXEC)).isEqualTo(-Errno.EACCES);
        assertThat(t.mm().vmaAt(addr).flags()).isEqualTo(before);
        assertThat(k.mprotect(t, addr, PAGE, RW)).as("VM_MAYWRITE is set").isZero();
    }

    @Test
    void enomemWhenPartOfTheRangeIsNotMapped() {
        long addr = mmapAnon(k, t, 1, RW);

        assertThat(k.mprotect(t, addr, 2 * PAGE, Mman.PROT_READ)).isEqualTo(-Errno.ENOMEM);
        assertThat(k.mprotect(t, addr + PAGE, PAGE, Mman.PROT_READ)).isEqualTo(-Errno.ENOMEM);
        assertThat(t.mm().vmaAt(addr).has(VmFlags.VM_WRITE)).as("nothing changed").isTrue();
    }

    @Test
    void einvalForAnUnalignedStart() {
        long addr = mmapAnon(k, t, 1, RW);
        assertThat(k.mprotect(t, addr + 8, PAGE, Mman.PROT_READ)).isEqualTo(-Errno.EINVAL);
    }

    @Test
    void aZeroLengthIsANoOp() {
        long addr = mmapAnon(k, t, 1, RW);
        assertThat(k.mprotect(t, addr, 0, Mman.PROT_NONE)).isZero();
        assertThat(t.mm().vmaAt(addr).has(VmFlags.VM_WRITE)).isTrue();
    }

    /** Expected per mm/mprotect.c do_mprotect_pkey: {@code end <= start} returns -ENOMEM. */
    @Test
    void aLengthThatWrapsIsEnomem() {
        long addr = mmapAnon(k, t, 4, RW);
        assertThat(k.mprotect(t, addr + 2 * PAGE, -PAGE, Mman.PROT_READ)).isEqualTo(-Errno.ENOMEM);
        assertThat(t.mm().vmas()).hasSize(1);
    }

    @Test
    void mprotectOfTheMiddlePageSplitsTheVma() {
        long addr = mmapAnon(k, t, 3, RW);

        assertThat(k.mprotect(t, addr + PAGE, PAGE, Mman.PROT_READ)).isZero();

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

        assertThat(k.mprotect(t, addr, PAGE, Mman.PROT_READ)).isZero();
        assertThatPte(t, addr).isReadOnly().mapsPfn(pfn);
        assertThat(k.store(t, addr, 4)).isEqualTo(11);
        assertThat(k.load(t, addr)).isEqualTo(3L);

        assertThat(k.mprotect(t, addr, PAGE, Mman.PROT_NONE)).isZero();
        assertThatPte(t, addr).as("PROT_NONE still maps the page").isPresent().mapsPfn(pfn);
        assertThat(k.load(t, addr)).isNull();
        assertThat(k.lastSignal()).isEqualTo(11);
        assertThatPage(k, pfn).hasRefcount(1).hasMapcount(1);

        assertThat(k.mprotect(t, addr, PAGE, Mman.PROT_READ)).isZero();
        assertThat(k.load(t, addr)).isEqualTo(3L);
    }

    @Test
    void under618AnExclusiveAnonPageBecomesWritableAgainWithoutAFault() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 1);
        int pfn = pfnAt(t, addr);
        assertThat(k.mprotect(t, addr, PAGE, Mman.PROT_READ)).isZero();
        assertThatPte(t, addr).isReadOnly();

        assertThat(k.mprotect(t, addr, PAGE, RW)).isZero();

        assertThatPte(t, addr).isWritable().mapsPfn(pfn);
    }

    @Test
    void under618ACowSharedPageStaysReadOnlySoItsWriteFaultCopies() {
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 1);
        int pfn = pfnAt(t, addr);
        Task child = k.fork(t, "child");
        assertThat(k.mprotect(t, addr, PAGE, Mman.PROT_READ)).isZero();

        assertThat(k.mprotect(t, addr, PAGE, RW)).isZero();

        assertThatPte(t, addr).isReadOnly().mapsPfn(pfn);
        write(k, t, addr, 2);
        assertThatPte(t, addr).isWritable().doesNotMapPfn(pfn);
        assertThat(k.load(child, addr)).isEqualTo(1L);
    }

    @ParameterizedTest(name = "forked={0}")
    @ValueSource(booleans = {false, true})
    void under59MprotectNeverMakesAPrivateAnonPteWritable(boolean forked) {
        Kernel old = boot("5.9");
        Task p = old.spawn("p");
        long addr = mmapAnon(old, p, 1, RW);
        write(old, p, addr, 1);
        if (forked) {
            old.fork(p, "child");
        }
        assertThat(old.mprotect(p, addr, PAGE, Mman.PROT_READ)).isZero();

        assertThat(old.mprotect(p, addr, PAGE, RW)).isZero();

        assertThatPte(p, addr).isReadOnly();
    }

    @Test
    void theShortcutNeverMakesTheZeroPageWritable() {
        long addr = mmapAnon(k, t, 1, RW);
        k.load(t, addr);
        assertThat(k.mprotect(t, addr, PAGE, Mman.PROT_READ)).isZero();

        assertThat(k.mprotect(t, addr, PAGE, RW)).isZero();

        assertThatPte(t, addr).mapsZeroPage();
    }
}
