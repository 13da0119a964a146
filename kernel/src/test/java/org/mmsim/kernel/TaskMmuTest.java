package org.mmsim.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.KernelAssertions.pfnAt;
import static org.mmsim.kernel.TestKernels.FRAMES;
import static org.mmsim.kernel.TestKernels.PAGE;
import static org.mmsim.kernel.TestKernels.RW;
import static org.mmsim.kernel.TestKernels.boot;
import static org.mmsim.kernel.TestKernels.mmapAnon;
import static org.mmsim.kernel.TestKernels.mmapFile;
import static org.mmsim.kernel.TestKernels.profile;
import static org.mmsim.kernel.TestKernels.violatedInvariants;
import static org.mmsim.kernel.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmsim.kernel.profile.Switch;

/**
 * {@code /proc/PID/clear_refs} and {@code /proc/PID/pagemap} (fs/proc/task_mmu.c; reference 4.1-4.3, B4): the
 * soft-dirty write-protect, the 5.11 skip of pinned ptes, the other clear_refs values, and the pagemap bits.
 */
class TaskMmuTest {
    private static final long SOFT_DIRTY = 1L << 55;
    private static final long EXCLUSIVE = 1L << 56;
    private static final long FILE = 1L << 61;
    private static final long SWAPPED = 1L << 62;
    private static final long PRESENT = 1L << 63;
    private static final long PFN_BITS = (1L << 55) - 1;
    private static final int LONGTERM_WRITE = Kernel.FOLL_WRITE | Kernel.FOLL_LONGTERM;
    private static final long D0 = 0xD0;
    private static final long D1 = 0xD1;

    private static boolean bit(long entry, long bit) {
        return (entry & bit) != 0;
    }

    // ---- clear_refs 4: soft-dirty -------------------------------------------------------------------------

    @Test
    void clearRefs4WriteProtectsPresentPtesAndClearsSoftDirty() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 2, RW);
        write(k, t, a, D0);
        int pfn = pfnAt(t, a);
        assertThat(bit(k.pagemap(t, a), SOFT_DIRTY)).isTrue();
        assertThatPte(t, a).isWritable().isSoftDirty();
        assertThat(t.mm().vmaAt(a).has(VmFlags.VM_SOFTDIRTY)).isTrue();

        assertThat(k.clearRefs(t, 4)).isZero();

        assertThatPte(t, a).isReadOnly().isNotSoftDirty().isDirty().mapsPfn(pfn);
        assertThat(t.mm().vmaAt(a).has(VmFlags.VM_SOFTDIRTY)).isFalse();
        long entry = k.pagemap(t, a);
        assertThat(bit(entry, SOFT_DIRTY)).isFalse();
        assertThat(bit(entry, PRESENT)).isTrue();
        assertThat(k.pagemap(t, a + PAGE)).as("no pte, VMA no longer soft-dirty").isZero();

        write(k, t, a, D1);

        assertThatPte(t, a).as("reused: exclusive").isWritable().isSoftDirty().mapsPfn(pfn);
        assertThat(bit(k.pagemap(t, a), SOFT_DIRTY)).isTrue();
        assertThat(bit(k.pagemap(t, a + PAGE), SOFT_DIRTY)).isFalse();
    }

    @Test
    void afterClearRefs4MprotectNoLongerMapsTheAnonPageWritableAtOnce() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, D0);
        assertThat(k.mprotect(t, a, PAGE, Mman.PROT_READ)).isZero();
        assertThat(k.mprotect(t, a, PAGE, RW)).isZero();
        assertThatPte(t, a).as("6.0 mprotect shortcut").isWritable();
        assertThat(k.mprotect(t, a, PAGE, Mman.PROT_READ)).isZero();

        assertThat(k.clearRefs(t, 4)).isZero();
        assertThat(k.mprotect(t, a, PAGE, RW)).isZero();

        assertThatPte(t, a).as("a write must fault to be seen").isReadOnly();
    }

    @Test
    void clearRefs4WriteProtectsASharedFileMappingToo() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        OpenFile f = k.creat(FsType.TMPFS, "t", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, a, D0);
        int pfn = f.inode().pageAt(0);

        assertThat(k.clearRefs(t, 4)).isZero();

        assertThatPte(t, a).isReadOnly().isNotSoftDirty();
        assertThat(t.mm().vmaAt(a).wantsWritenotify()).as("soft-dirty tracking wants write faults").isTrue();
        write(k, t, a, D1);
        assertThatPte(t, a).isWritable().isSoftDirty().mapsPfn(pfn);
    }

    // ---- clear_refs 4 and a long-term pin (B4) -------------------------------------------------------------

    private record Pinned(Kernel k, Task t, long addr, GupPages pin) {}

    private static Pinned pinnedPageAfterClearRefs(Kernel k) {
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, D0);
        GupPages pin = k.gup(t, a, 1, LONGTERM_WRITE, true, false);
        assertThat(pin.ret()).isEqualTo(1);
        assertThat(k.clearRefs(t, 4)).isZero();
        return new Pinned(k, t, a, pin);
    }

    @Test
    void under59ClearRefsWriteProtectsAPinnedPageAndTheNextStoreCopiesAwayFromThePin() {
        Pinned p = pinnedPageAfterClearRefs(boot("5.9"));
        int pinned = p.pin().pfn(0);
        assertThatPte(p.t(), p.addr()).isReadOnly().isNotSoftDirty().mapsPfn(pinned);
        assertThat(bit(p.k().pagemap(p.t(), p.addr()), SOFT_DIRTY)).isFalse();

        write(p.k(), p.t(), p.addr(), D1);

        assertThatPte(p.t(), p.addr()).as("page_count 1025 != 1: copy").isWritable().doesNotMapPfn(pinned);
        assertThat(p.k().load(p.t(), p.addr())).isEqualTo(D1);
        assertThat(p.k().dmaRead(p.pin(), 0, 0)).as("the device kept the old page").isEqualTo(D0);
        assertThatPage(p.k(), pinned).hasRefcount(Kernel.GUP_PIN_COUNTING_BIAS).hasMapcount(0);
        assertThat(violatedInvariants(p.k())).containsExactly("pin-coherence");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"5.11", "6.18"})
    void from511ClearRefsSkipsThePinnedPteSoItStaysWritableAndSoftDirty(String profile) {
        Pinned p = pinnedPageAfterClearRefs(boot(profile));
        int pinned = p.pin().pfn(0);
        assertThat(p.t().mm().test(Mm.MMF_HAS_PINNED)).isTrue();
        assertThatPte(p.t(), p.addr()).as("pte_is_pinned").isWritable().isSoftDirty().mapsPfn(pinned);
        assertThat(bit(p.k().pagemap(p.t(), p.addr()), SOFT_DIRTY)).isTrue();
        assertThat(p.t().mm().vmaAt(p.addr()).has(VmFlags.VM_SOFTDIRTY)).isFalse();

        write(p.k(), p.t(), p.addr(), D1);

        assertThatPte(p.t(), p.addr()).mapsPfn(pinned);
        assertThat(p.k().dmaRead(p.pin(), 0, 0)).isEqualTo(D1);
        assertThat(violatedInvariants(p.k())).isEmpty();
    }

    @Test
    void under618WithoutTheSkipTheExclusivePinnedPageIsStillReused() {
        Kernel k = Kernel.boot(profile("6.18").with(Switch.CLEAR_REFS_SKIP_PINNED, "off"), FRAMES, 0);
        Pinned p = pinnedPageAfterClearRefs(k);
        int pinned = p.pin().pfn(0);
        assertThatPte(p.t(), p.addr()).isReadOnly().isNotSoftDirty();

        write(k, p.t(), p.addr(), D1);

        assertThatPte(p.t(), p.addr()).isWritable().isSoftDirty().mapsPfn(pinned);
        assertThat(k.dmaRead(p.pin(), 0, 0)).isEqualTo(D1);
        assertThat(violatedInvariants(k)).isEmpty();
    }

    @Test
    void aPlainGupReferenceDoesNotProtectThePteFromClearRefs() {
        Kernel k = boot("5.11");
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, D0);
        GupPages ref = k.gup(t, a, 1, Kernel.FOLL_WRITE, false, false);

        assertThat(k.clearRefs(t, 4)).isZero();

        assertThat(t.mm().test(Mm.MMF_HAS_PINNED)).isFalse();
        assertThatPte(t, a).isReadOnly().mapsPfn(ref.pfn(0));
    }

    // ---- CONFIG_MEM_SOFT_DIRTY off ------------------------------------------------------------------------

    @Test
    void withoutMemSoftDirtyClearRefs4DoesNothingAndPagemapNeverReportsSoftDirty() {
        Kernel k = Kernel.boot(profile("6.18").with(Switch.MEM_SOFT_DIRTY, "off"), FRAMES, 0);
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 2, RW);
        write(k, t, a, D0);
        assertThat(bit(k.pagemap(t, a), SOFT_DIRTY)).isFalse();
        assertThat(k.pagemap(t, a + PAGE)).isZero();

        assertThat(k.clearRefs(t, 4)).isZero();

        assertThatPte(t, a).isWritable();
        write(k, t, a, D1);
        long entry = k.pagemap(t, a);
        assertThat(bit(entry, SOFT_DIRTY)).isFalse();
        assertThat(bit(entry, PRESENT)).isTrue();
        assertThat(entry & PFN_BITS).isEqualTo(pfnAt(t, a));
    }

    // ---- the other values ---------------------------------------------------------------------------------

    @Test
    void clearRefs1ClearsYoungAndReferencedWithoutWriteProtecting() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, D0);
        int pfn = pfnAt(t, a);
        k.gup(t, a, 1, 0, false, false);
        assertThat(k.frames().test(pfn, PageFlags.PG_REFERENCED)).isTrue();
        assertThatPte(t, a).isYoung();

        assertThat(k.clearRefs(t, 1)).isZero();

        assertThatPte(t, a).isOld().isWritable().isSoftDirty().isDirty();
        assertThat(k.frames().test(pfn, PageFlags.PG_REFERENCED)).isFalse();
        assertThat(t.mm().vmaAt(a).has(VmFlags.VM_SOFTDIRTY)).isTrue();
        k.load(t, a);
        assertThatPte(t, a).isYoung();
    }

    @Test
    void clearRefs2TouchesOnlyAnonymousVmasAnd3OnlyFileVmas() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long anon = mmapAnon(k, t, 1, RW);
        OpenFile f = k.creat(FsType.TMPFS, "t", PAGE);
        long file = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, anon, D0);
        write(k, t, file, D0);

        assertThat(k.clearRefs(t, 2)).isZero();
        assertThatPte(t, anon).isOld();
        assertThatPte(t, file).isYoung();

        k.load(t, anon);
        assertThat(k.clearRefs(t, 3)).isZero();
        assertThatPte(t, anon).isYoung();
        assertThatPte(t, file).isOld();
    }

    @Test
    void clearRefs5ResetsThePeakRss() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 3, RW);
        for (int i = 0; i < 3; i++) {
            write(k, t, a + i * PAGE, i);
        }
        assertThat(k.munmap(t, a + PAGE, 2 * PAGE)).isZero();
        assertThat(t.mm().rss()).isEqualTo(1);
        assertThat(t.mm().hiwaterRss()).isEqualTo(3);

        assertThat(k.clearRefs(t, 5)).isZero();

        assertThat(t.mm().hiwaterRss()).isEqualTo(1);
        assertThatPte(t, a).isWritable().isYoung();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {0, 6, -1, 7})
    void otherValuesAreEinval(int value) {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, D0);

        assertThat(k.clearRefs(t, value)).isEqualTo(-Errno.EINVAL);

        assertThatPte(t, a).isWritable().isYoung().isSoftDirty();
    }

    // ---- pagemap ------------------------------------------------------------------------------------------

    @Test
    void pagemapOfAnAnonPage() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, D0);
        int pfn = pfnAt(t, a);

        long entry = k.pagemap(t, a);

        assertThat(bit(entry, PRESENT)).isTrue();
        assertThat(entry & PFN_BITS).isEqualTo(pfn);
        assertThat(bit(entry, FILE)).isFalse();
        assertThat(bit(entry, EXCLUSIVE)).isTrue();
        assertThat(bit(entry, SWAPPED)).isFalse();
        assertThat(entry).isEqualTo(PRESENT | SOFT_DIRTY | EXCLUSIVE | pfn);
    }

    @Test
    void pagemapExclusiveBitClearsWhileForkSharesThePage() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, D0);
        int pfn = pfnAt(t, a);

        Task child = k.fork(t, "child");

        assertThat(bit(k.pagemap(t, a), EXCLUSIVE)).isFalse();
        assertThat(bit(k.pagemap(child, a), EXCLUSIVE)).isFalse();
        assertThat(k.pagemap(child, a) & PFN_BITS).isEqualTo(pfn);
        k.exit(child);
        assertThat(bit(k.pagemap(t, a), EXCLUSIVE)).as("mapcount back to 1").isTrue();
    }

    @Test
    void pagemapOfAPageCachePageHasTheFileBit() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        OpenFile f = k.creat(FsType.EXT4, "f", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        k.load(t, a);
        int cached = f.inode().pageAt(0);

        long entry = k.pagemap(t, a);

        assertThat(bit(entry, PRESENT)).isTrue();
        assertThat(bit(entry, FILE)).isTrue();
        assertThat(bit(entry, EXCLUSIVE)).isTrue();
        assertThat(entry & PFN_BITS).isEqualTo(cached);

        Task other = k.spawn("other");
        long b = mmapFile(k, other, f, 1, Mman.PROT_READ, Mman.MAP_SHARED);
        k.load(other, b);
        assertThat(bit(k.pagemap(t, a), EXCLUSIVE)).isFalse();
        assertThat(k.pagemap(other, b) & PFN_BITS).isEqualTo(cached);
    }

    @Test
    void pagemapFileBitFollowsThePrivateCopy() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        OpenFile f = k.creat(FsType.EXT4, "f", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_PRIVATE);
        k.load(t, a);
        assertThat(bit(k.pagemap(t, a), FILE)).isTrue();

        write(k, t, a, D0);

        assertThat(bit(k.pagemap(t, a), FILE)).isFalse();
        assertThat(k.pagemap(t, a) & PFN_BITS).isEqualTo(pfnAt(t, a)).isNotEqualTo(f.inode().pageAt(0));
    }

    @Test
    void pagemapOfSharedAnonymousMemoryHasTheFileBit() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long a = k.mmap(t, 0, PAGE, RW, Mman.MAP_SHARED | Mman.MAP_ANONYMOUS);
        write(k, t, a, D0);

        assertThat(bit(k.pagemap(t, a), FILE)).isTrue();
    }

    @Test
    void pagemapOfTheZeroPageIsPresentButNeitherFileNorExclusive() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        k.load(t, a);

        long entry = k.pagemap(t, a);

        assertThat(entry & ~SOFT_DIRTY).isEqualTo(PRESENT | PageAlloc.ZERO_PFN);
    }

    @Test
    void pagemapOfAnUnmappedAddressIsZero() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, D0);
        assertThat(k.munmap(t, a, PAGE)).isZero();

        assertThat(k.pagemap(t, a)).isZero();
        assertThat(k.pagemap(t, a + 64 * PAGE)).isZero();
    }

    @Test
    void pagemapOfAHoleInAFreshVmaReportsOnlyItsSoftDirtyFlag() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);

        assertThat(k.pagemap(t, a)).isEqualTo(SOFT_DIRTY);
    }
}
