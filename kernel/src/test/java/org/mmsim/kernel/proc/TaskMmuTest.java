package org.mmsim.kernel.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.testing.KernelAssertions.pfnAt;
import static org.mmsim.kernel.testing.TestKernels.FRAMES;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.creat;
import static org.mmsim.kernel.testing.TestKernels.dmaRead;
import static org.mmsim.kernel.testing.TestKernels.exit;
import static org.mmsim.kernel.testing.TestKernels.fork;
import static org.mmsim.kernel.testing.TestKernels.inode;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.mmapFile;
import static org.mmsim.kernel.testing.TestKernels.mmapSharedAnon;
import static org.mmsim.kernel.testing.TestKernels.open;
import static org.mmsim.kernel.testing.TestKernels.profile;
import static org.mmsim.kernel.testing.TestKernels.violatedInvariants;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.fs.Vfs;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.rmap.Rmap;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.InvariantsNotChecked;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Fcntl;
import org.mmsim.kernel.uapi.Mman;

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
    private static final int LONGTERM_WRITE = Foll.FOLL_WRITE | Foll.FOLL_LONGTERM;
    private static final long D0 = 0xD0;
    private static final long D1 = 0xD1;

    private static boolean bit(long entry, long bit) {
        return (entry & bit) != 0;
    }

    /** The {@code /proc/PID/pagemap} entry of {@code t} for {@code addr}. */
    private static long pagemap(Kernel k, Task t, long addr) {
        return k.syscalls().pagemap(t, addr).complete();
    }

    /** {@code echo VALUE > /proc/PID/clear_refs}: 0 or -errno. */
    private static long clearRefs(Kernel k, Task t, int value) {
        return k.syscalls().clearRefs(t, value).run();
    }

    // ---- clear_refs 4: soft-dirty -------------------------------------------------------------------------

    @Test
    void clearRefs4WriteProtectsPresentPtesAndClearsSoftDirty() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 2, RW);
        write(k, t, a, D0);
        int pfn = pfnAt(t, a);
        assertThat(bit(pagemap(k, t, a), SOFT_DIRTY)).isTrue();
        assertThatPte(t, a).isWritable().isSoftDirty();
        assertThat(t.mm().vmaAt(a).has(VmFlags.VM_SOFTDIRTY)).isTrue();

        assertThat(clearRefs(k, t, 4)).isZero();

        assertThatPte(t, a).isReadOnly().isNotSoftDirty().isDirty().mapsPfn(pfn);
        assertThat(t.mm().vmaAt(a).has(VmFlags.VM_SOFTDIRTY)).isFalse();
        long entry = pagemap(k, t, a);
        assertThat(bit(entry, SOFT_DIRTY)).isFalse();
        assertThat(bit(entry, PRESENT)).isTrue();
        assertThat(pagemap(k, t, a + PAGE)).as("no pte, VMA no longer soft-dirty").isZero();

        write(k, t, a, D1);

        assertThatPte(t, a).as("reused: exclusive").isWritable().isSoftDirty().mapsPfn(pfn);
        assertThat(bit(pagemap(k, t, a), SOFT_DIRTY)).isTrue();
        assertThat(bit(pagemap(k, t, a + PAGE), SOFT_DIRTY)).isFalse();
    }

    @Test
    void afterClearRefs4MprotectNoLongerMapsTheAnonPageWritableAtOnce() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, D0);
        assertThat(k.syscalls().mprotect(t, a, PAGE, Mman.PROT_READ).run()).isZero();
        assertThat(k.syscalls().mprotect(t, a, PAGE, RW).run()).isZero();
        assertThatPte(t, a).as("6.0 mprotect shortcut").isWritable();
        assertThat(k.syscalls().mprotect(t, a, PAGE, Mman.PROT_READ).run()).isZero();

        assertThat(clearRefs(k, t, 4)).isZero();
        assertThat(k.syscalls().mprotect(t, a, PAGE, RW).run()).isZero();

        assertThatPte(t, a).as("a write must fault to be seen").isReadOnly();
    }

    @Test
    void clearRefs4WriteProtectsASharedFileMappingToo() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        int f = creat(k, t, FsType.TMPFS, "t", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, a, D0);
        int pfn = inode(t, f).mapping().pageAt(0);

        assertThat(clearRefs(k, t, 4)).isZero();

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
        GupPages pin = k.syscalls().pinUserPages(t, a, 1, LONGTERM_WRITE).complete();
        assertThat(pin.ret()).isEqualTo(1);
        assertThat(clearRefs(k, t, 4)).isZero();
        return new Pinned(k, t, a, pin);
    }

    @Test
    @InvariantsNotChecked("B4: under 5.9 the store after clear_refs copies away from the long-term pin: the "
            + "pin-coherence violation is what this test shows")
    void under59ClearRefsWriteProtectsAPinnedPageAndTheNextStoreCopiesAwayFromThePin() {
        Pinned p = pinnedPageAfterClearRefs(boot("5.9"));
        int pinned = p.pin().pfn(0);
        assertThatPte(p.t(), p.addr()).isReadOnly().isNotSoftDirty().mapsPfn(pinned);
        assertThat(bit(pagemap(p.k(), p.t(), p.addr()), SOFT_DIRTY)).isFalse();

        write(p.k(), p.t(), p.addr(), D1);

        assertThatPte(p.t(), p.addr()).as("page_count 1025 != 1: copy").isWritable().doesNotMapPfn(pinned);
        assertThat(load(p.k(), p.t(), p.addr())).isEqualTo(D1);
        assertThat(dmaRead(p.k(), p.pin(), 0, 0)).as("the device kept the old page").isEqualTo(D0);
        assertThatPage(p.k(), pinned).hasRefcount(Rmap.GUP_PIN_COUNTING_BIAS).hasMapcount(0);
        assertThat(violatedInvariants(p.k())).containsExactly("pin-coherence");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"5.11", "6.18"})
    void from511ClearRefsSkipsThePinnedPteSoItStaysWritableAndSoftDirty(String profile) {
        Pinned p = pinnedPageAfterClearRefs(boot(profile));
        int pinned = p.pin().pfn(0);
        assertThat(p.t().mm().test(Mm.MMF_HAS_PINNED)).isTrue();
        assertThatPte(p.t(), p.addr()).as("pte_is_pinned").isWritable().isSoftDirty().mapsPfn(pinned);
        assertThat(bit(pagemap(p.k(), p.t(), p.addr()), SOFT_DIRTY)).isTrue();
        assertThat(p.t().mm().vmaAt(p.addr()).has(VmFlags.VM_SOFTDIRTY)).isFalse();

        write(p.k(), p.t(), p.addr(), D1);

        assertThatPte(p.t(), p.addr()).mapsPfn(pinned);
        assertThat(dmaRead(p.k(), p.pin(), 0, 0)).isEqualTo(D1);
        assertThat(violatedInvariants(p.k())).isEmpty();
    }

    @Test
    void under618WithoutTheSkipTheExclusivePinnedPageIsStillReused() {
        Kernel k = boot(profile("6.18").with(Switch.CLEAR_REFS_SKIP_PINNED, "off"), FRAMES, 0);
        Pinned p = pinnedPageAfterClearRefs(k);
        int pinned = p.pin().pfn(0);
        assertThatPte(p.t(), p.addr()).isReadOnly().isNotSoftDirty();

        write(k, p.t(), p.addr(), D1);

        assertThatPte(p.t(), p.addr()).isWritable().isSoftDirty().mapsPfn(pinned);
        assertThat(dmaRead(k, p.pin(), 0, 0)).isEqualTo(D1);
        assertThat(violatedInvariants(k)).isEmpty();
    }

    @Test
    void aPlainGupReferenceDoesNotProtectThePteFromClearRefs() {
        Kernel k = boot("5.11");
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, D0);
        GupPages ref = k.syscalls().getUserPages(t, a, 1, Foll.FOLL_WRITE).complete();

        assertThat(clearRefs(k, t, 4)).isZero();

        assertThat(t.mm().test(Mm.MMF_HAS_PINNED)).isFalse();
        assertThatPte(t, a).isReadOnly().mapsPfn(ref.pfn(0));
    }

    // ---- CONFIG_MEM_SOFT_DIRTY off ------------------------------------------------------------------------

    @Test
    void withoutMemSoftDirtyClearRefs4DoesNothingAndPagemapNeverReportsSoftDirty() {
        Kernel k = boot(profile("6.18").with(Switch.MEM_SOFT_DIRTY, "off"), FRAMES, 0);
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 2, RW);
        write(k, t, a, D0);
        assertThat(bit(pagemap(k, t, a), SOFT_DIRTY)).isFalse();
        assertThat(pagemap(k, t, a + PAGE)).isZero();

        assertThat(clearRefs(k, t, 4)).isZero();

        assertThatPte(t, a).isWritable();
        write(k, t, a, D1);
        long entry = pagemap(k, t, a);
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
        k.syscalls().getUserPages(t, a, 1, 0).run();
        assertThatPage(k, pfn).isReferenced();
        assertThatPte(t, a).isYoung();

        assertThat(clearRefs(k, t, 1)).isZero();

        assertThatPte(t, a).isOld().isWritable().isSoftDirty().isDirty();
        assertThatPage(k, pfn).isNotReferenced();
        assertThat(t.mm().vmaAt(a).has(VmFlags.VM_SOFTDIRTY)).isTrue();
        load(k, t, a);
        assertThatPte(t, a).isYoung();
    }

    @Test
    void clearRefs2TouchesOnlyAnonymousVmasAnd3OnlyFileVmas() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long anon = mmapAnon(k, t, 1, RW);
        int f = creat(k, t, FsType.TMPFS, "t", PAGE);
        long file = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, anon, D0);
        write(k, t, file, D0);

        assertThat(clearRefs(k, t, 2)).isZero();
        assertThatPte(t, anon).isOld();
        assertThatPte(t, file).isYoung();

        load(k, t, anon);
        assertThat(clearRefs(k, t, 3)).isZero();
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
        assertThat(k.syscalls().munmap(t, a + PAGE, 2 * PAGE).run()).isZero();
        assertThat(t.mm().rss()).isEqualTo(1);
        assertThat(t.mm().hiwaterRss()).isEqualTo(3);

        assertThat(clearRefs(k, t, 5)).isZero();

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

        assertThat(clearRefs(k, t, value)).isEqualTo(-Errno.EINVAL);

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

        long entry = pagemap(k, t, a);

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

        Task child = fork(k, t, "child");

        assertThat(bit(pagemap(k, t, a), EXCLUSIVE)).isFalse();
        assertThat(bit(pagemap(k, child, a), EXCLUSIVE)).isFalse();
        assertThat(pagemap(k, child, a) & PFN_BITS).isEqualTo(pfn);
        exit(k, child);
        assertThat(bit(pagemap(k, t, a), EXCLUSIVE)).as("mapcount back to 1").isTrue();
    }

    @Test
    void pagemapOfAPageCachePageHasTheFileBit() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        load(k, t, a);
        int cached = inode(t, f).mapping().pageAt(0);

        long entry = pagemap(k, t, a);

        assertThat(bit(entry, PRESENT)).isTrue();
        assertThat(bit(entry, FILE)).isTrue();
        assertThat(bit(entry, EXCLUSIVE)).isTrue();
        assertThat(entry & PFN_BITS).isEqualTo(cached);

        Task other = k.spawn("other");
        int g = open(k, other, Vfs.path(FsType.EXT4, "f"), Fcntl.O_RDONLY);
        long b = mmapFile(k, other, g, 1, Mman.PROT_READ, Mman.MAP_SHARED);
        load(k, other, b);
        assertThat(bit(pagemap(k, t, a), EXCLUSIVE)).isFalse();
        assertThat(pagemap(k, other, b) & PFN_BITS).isEqualTo(cached);
    }

    @Test
    void pagemapFileBitFollowsThePrivateCopy() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_PRIVATE);
        load(k, t, a);
        assertThat(bit(pagemap(k, t, a), FILE)).isTrue();

        write(k, t, a, D0);

        assertThat(bit(pagemap(k, t, a), FILE)).isFalse();
        assertThat(pagemap(k, t, a) & PFN_BITS).isEqualTo(pfnAt(t, a)).isNotEqualTo(inode(t, f).mapping().pageAt(0));
    }

    @Test
    void pagemapOfSharedAnonymousMemoryHasTheFileBit() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long a = mmapSharedAnon(k, t, 1, RW);
        write(k, t, a, D0);

        assertThat(bit(pagemap(k, t, a), FILE)).isTrue();
    }

    @Test
    void pagemapOfTheZeroPageIsPresentButNeitherFileNorExclusive() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        load(k, t, a);

        long entry = pagemap(k, t, a);

        assertThat(entry & ~SOFT_DIRTY).isEqualTo(PRESENT | PageAlloc.ZERO_PFN);
    }

    @Test
    void pagemapOfAnUnmappedAddressIsZero() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, D0);
        assertThat(k.syscalls().munmap(t, a, PAGE).run()).isZero();

        assertThat(pagemap(k, t, a)).isZero();
        assertThat(pagemap(k, t, a + 64 * PAGE)).isZero();
    }

    @Test
    void pagemapOfAHoleInAFreshVmaReportsOnlyItsSoftDirtyFlag() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);

        assertThat(pagemap(k, t, a)).isEqualTo(SOFT_DIRTY);
    }
}
