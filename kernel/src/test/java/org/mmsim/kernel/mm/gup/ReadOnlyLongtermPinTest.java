package org.mmsim.kernel.mm.gup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.testing.KernelAssertions.pfnAt;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.creat;
import static org.mmsim.kernel.testing.TestKernels.dmaRead;
import static org.mmsim.kernel.testing.TestKernels.inode;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.mmapFile;
import static org.mmsim.kernel.testing.TestKernels.pread;
import static org.mmsim.kernel.testing.TestKernels.pwrite;
import static org.mmsim.kernel.testing.TestKernels.violatedInvariants;
import static org.mmsim.kernel.testing.TestKernels.write;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.fs.Inode;
import org.mmsim.kernel.mm.rmap.Rmap;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.GupEntry;
import org.mmsim.kernel.testing.InvariantsNotChecked;
import org.mmsim.kernel.uapi.Mman;

/**
 * R/O long-term pins of page cache in private mappings (reference 2.7; gup_longterm.c "R/O longterm GUP pin in
 * MAP_PRIVATE file mapping"): since 6.2 ({@code gup_must_unshare()} for a non-anon page with FOLL_LONGTERM in a
 * COW mapping) GUP first unshares the page-cache page into an anon copy, so the pin holds the page the process's
 * later writes go to. Before that the pin holds the page-cache page and a later write copies away from it.
 */
class ReadOnlyLongtermPinTest {
    private static final int BIAS = Rmap.GUP_PIN_COUNTING_BIAS;
    private static final long D0 = 0xD0;
    private static final long D1 = 0xD1;

    private Kernel k;
    private Task t;
    private int f;
    private Inode inode;
    private long addr;

    static Stream<Arguments> backingsTouchAndPins() {
        return Stream.of(FsType.EXT4, FsType.TMPFS).flatMap(fs -> Stream.of(false, true)
                .flatMap(touch -> Stream.of(Arguments.of(fs, touch, GupEntry.PIN_USER_PAGES),
                        Arguments.of(fs, touch, GupEntry.PIN_USER_PAGES_FAST))));
    }

    private void mapPrivate(String profile, FsType fs, boolean touch) {
        k = boot(profile);
        t = k.spawn("p");
        f = creat(k, t, fs, "f", PAGE);
        inode = inode(t, f);
        pwrite(k, t, f, 0, D0);
        addr = mmapFile(k, t, f, 1, RW, Mman.MAP_PRIVATE);
        if (touch) {
            assertThat(load(k, t, addr)).isEqualTo(D0);
            assertThatPte(t, addr).mapsPfn(inode.mapping().pageAt(0));
        }
    }

    @ParameterizedTest(name = "{0} touched={1} {2}")
    @MethodSource("backingsTouchAndPins")
    void under618TheReadOnlyLongtermPinHoldsAnAnonCopyThatLaterStoresReach(FsType fs, boolean touch, GupEntry gup) {
        mapPrivate("6.18", fs, touch);
        int cached = inode.mapping().pageAt(0);

        GupPages g = gup.take(k, t, addr, 1, Foll.FOLL_LONGTERM);

        assertThat(g.ret()).isEqualTo(1);
        int pinned = g.pfn(0);
        assertThat(pinned).isNotEqualTo(cached);
        assertThatPage(k, pinned).isAnonExclusive().hasRefcount(1 + BIAS).hasMapcount(1).holds(0, D0);
        assertThatPte(t, addr).as("an unshare fault keeps the pte read-only").isReadOnly().mapsPfn(pinned);
        assertThatPage(k, cached).as("the page cache page is not pinned").hasRefcount(1 + buffers(fs)).hasMapcount(0);

        write(k, t, addr, D1);

        assertThatPte(t, addr).as("the exclusive page is reused").isWritable().mapsPfn(pinned);
        assertThat(dmaRead(k, g, 0, 0)).isEqualTo(D1);
        assertThat(pread(k, t, f, 0)).isEqualTo(D0);
        assertThat(violatedInvariants(k)).isEmpty();
    }

    @ParameterizedTest(name = "{0} touched={1} {2}")
    @MethodSource("backingsTouchAndPins")
    @InvariantsNotChecked("5.19 pins the page-cache page and the later store copies away from the pin: the "
            + "pin-coherence violation is what this test shows")
    void under519TheReadOnlyLongtermPinHoldsThePageCachePageAndMissesLaterStores(FsType fs, boolean touch,
            GupEntry gup) {
        mapPrivate("5.19", fs, touch);
        int cached = inode.mapping().pageAt(0);

        GupPages g = gup.take(k, t, addr, 1, Foll.FOLL_LONGTERM);

        assertThat(g.ret()).isEqualTo(1);
        assertThat(g.pfn(0)).isEqualTo(cached);
        assertThatPage(k, cached).isNotAnon().hasRefcount(2 + buffers(fs) + BIAS).hasMapcount(1);
        assertThatPte(t, addr).isReadOnly().mapsPfn(cached);

        write(k, t, addr, D1);

        assertThatPte(t, addr).isWritable().doesNotMapPfn(cached);
        assertThat(load(k, t, addr)).isEqualTo(D1);
        assertThat(dmaRead(k, g, 0, 0)).as("the pin kept the page cache page").isEqualTo(D0);
        assertThatPage(k, cached).hasRefcount(1 + buffers(fs) + BIAS).hasMapcount(0);
        assertThat(violatedInvariants(k)).containsExactly("pin-coherence");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"5.19", "6.18"})
    void aReadOnlyShortTermPinOfAPrivateFileMappingNeverUnshares(String profile) {
        mapPrivate(profile, FsType.EXT4, true);
        int cached = inode.mapping().pageAt(0);

        GupPages g = k.syscalls().pinUserPages(t, addr, 1, 0).complete();

        assertThat(g.pfn(0)).isEqualTo(cached);
        assertThatPte(t, addr).mapsPfn(cached);
        assertThat(pfnAt(t, addr)).isEqualTo(cached);
    }

    /** The reference ext4's buffers hold on a page written through the page cache (tmpfs has none). */
    private static int buffers(FsType fs) {
        return fs == FsType.EXT4 ? 1 : 0;
    }
}
