package org.mmsim.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.KernelAssertions.pfnAt;
import static org.mmsim.kernel.TestKernels.PAGE;
import static org.mmsim.kernel.TestKernels.RW;
import static org.mmsim.kernel.TestKernels.bootWithMovable;
import static org.mmsim.kernel.TestKernels.mmapAnon;
import static org.mmsim.kernel.TestKernels.mmapFile;
import static org.mmsim.kernel.TestKernels.pread;
import static org.mmsim.kernel.TestKernels.profile;
import static org.mmsim.kernel.TestKernels.write;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Long-term pins and ZONE_MOVABLE (reference 2.5): {@code __gup_longterm_locked} pins, finds pages that are not
 * long-term pinnable, unpins, migrates them ({@code MR_LONGTERM_PIN}) and pins again; GUP-fast refuses such pages
 * and leaves them to the slow path. A page with a reference migration cannot move fails the pin with -ENOMEM.
 */
class LongtermMigrationTest {
    private static final int LONGTERM_WRITE = Kernel.FOLL_WRITE | Kernel.FOLL_LONGTERM;
    private static final int BIAS = Kernel.GUP_PIN_COUNTING_BIAS;
    private static final int MOVABLE = 64;
    private static final long D0 = 0xD0;

    static Stream<Arguments> migratingProfilesAndPaths() {
        return Stream.of("5.19", "6.18").flatMap(p -> Stream.of(Arguments.of(p, false), Arguments.of(p, true)));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"5.11", "5.19", "6.18"})
    void userPagesAreAllocatedFromZoneMovableFirst(String profile) {
        Kernel k = bootWithMovable(profile, MOVABLE);
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);

        write(k, t, a, D0);

        assertThatPage(k, pfnAt(t, a)).isInZone(Zone.MOVABLE);
        OpenFile f = k.creat(FsType.EXT4, "f", PAGE);
        assertThat(pread(k, f, 0)).isZero();
        assertThatPage(k, f.inode().pageAt(0)).as("page cache is movable too").isInZone(Zone.MOVABLE);
    }

    @ParameterizedTest(name = "{0} fast={1}")
    @MethodSource("migratingProfilesAndPaths")
    void aLongtermPinMigratesAnAnonPageOutOfZoneMovable(String profile, boolean fast) {
        Kernel k = bootWithMovable(profile, MOVABLE);
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, D0);
        int old = pfnAt(t, a);

        GupPages g = k.gup(t, a, 1, LONGTERM_WRITE, true, fast);

        assertThat(g.ret()).isEqualTo(1);
        int pinned = g.pfn(0);
        assertThat(pinned).isNotEqualTo(old);
        assertThatPage(k, pinned).isInZone(Zone.NORMAL).isAnonExclusive().hasRefcount(1 + BIAS).hasMapcount(1)
                .holds(0, D0);
        assertThatPte(t, a).isWritable().isDirty().mapsPfn(pinned);
        assertThatPage(k, old).isFree();
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(1);
        assertThat(k.rmapWalk(pinned)).containsExactly(String.format("mm %d %#x", t.mm().id(), a));
        assertThat(k.nrFollPinAcquired() - k.nrFollPinReleased()).isEqualTo(1);
        write(k, t, a, D0 + 1);
        assertThat(k.dmaRead(g, 0, 0)).isEqualTo(D0 + 1);
    }

    @ParameterizedTest(name = "fast={0}")
    @ValueSource(booleans = {false, true})
    void under511ALongtermPinStaysInZoneMovable(boolean fast) {
        Kernel k = bootWithMovable("5.11", MOVABLE);
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, D0);
        int old = pfnAt(t, a);

        GupPages g = k.gup(t, a, 1, LONGTERM_WRITE, true, fast);

        assertThat(g.ret()).isEqualTo(1);
        assertThat(g.pfn(0)).isEqualTo(old);
        assertThatPage(k, old).isInZone(Zone.MOVABLE).hasRefcount(1 + BIAS);
        assertThatPte(t, a).mapsPfn(old);
    }

    @Test
    void aShortTermPinIsNotMigrated() {
        Kernel k = bootWithMovable("6.18", MOVABLE);
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, D0);
        int old = pfnAt(t, a);

        GupPages g = k.gup(t, a, 1, Kernel.FOLL_WRITE, true, false);

        assertThat(g.pfn(0)).isEqualTo(old);
        assertThatPage(k, old).isInZone(Zone.MOVABLE);
    }

    @ParameterizedTest(name = "fast={0}")
    @ValueSource(booleans = {false, true})
    void aLongtermPinFaultsAnUntouchedPageInOutsideZoneMovable(boolean fast) {
        Kernel k = bootWithMovable("6.18", MOVABLE);
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 2, RW);

        GupPages g = k.gup(t, a, 1, LONGTERM_WRITE, true, fast);

        assertThat(g.ret()).isEqualTo(1);
        assertThatPage(k, g.pfn(0)).as("memalloc_pin_save").isInZone(Zone.NORMAL);
        assertThat(k.pageAlloc().nrAllocated()).as("allocated once, never migrated").isEqualTo(1);
        write(k, t, a + PAGE, D0);
        assertThatPage(k, pfnAt(t, a + PAGE)).as("PF_MEMALLOC_PIN is restored").isInZone(Zone.MOVABLE);
    }

    @ParameterizedTest(name = "{0} fast={1}")
    @MethodSource("migratingProfilesAndPaths")
    void aPageWithAPipeReferenceCannotMigrateSoTheLongtermPinFailsWithEnomem(String profile, boolean fast) {
        Kernel k = bootWithMovable(profile, MOVABLE);
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, D0);
        int old = pfnAt(t, a);
        Pipe pipe = k.pipe();
        assertThat(k.vmsplice(t, pipe, a, PAGE)).isEqualTo(PAGE);

        GupPages g = k.gup(t, a, 1, LONGTERM_WRITE, true, fast);

        assertThat(g.ret()).isEqualTo(-Errno.ENOMEM);
        assertThat(g.nr()).isZero();
        assertThat(k.gupHolders()).isEmpty();
        assertThatPage(k, old).isInZone(Zone.MOVABLE).hasRefcount(2).hasMapcount(1);
        assertThatPte(t, a).mapsPfn(old);
        assertThat(k.nrFollPinAcquired()).isEqualTo(k.nrFollPinReleased());

        assertThat(k.pipeRead(pipe, 0).value()).isEqualTo(D0);
        GupPages retry = k.gup(t, a, 1, LONGTERM_WRITE, true, fast);
        assertThat(retry.ret()).as("once the pipe let go").isEqualTo(1);
        assertThatPage(k, retry.pfn(0)).isInZone(Zone.NORMAL);
    }

    @Test
    void aPageAlreadyPinnedCannotMigrateEither() {
        Kernel k = bootWithMovable("6.18", MOVABLE);
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, D0);
        GupPages shortTerm = k.gup(t, a, 1, Kernel.FOLL_WRITE, true, false);

        assertThat(k.gup(t, a, 1, LONGTERM_WRITE, true, false).ret()).isEqualTo(-Errno.ENOMEM);

        assertThatPage(k, shortTerm.pfn(0)).isInZone(Zone.MOVABLE).hasRefcount(1 + BIAS);
    }

    @Test
    void withoutAFreeFrameInZoneNormalMigrationFailsWithEnomem() {
        Kernel k = Kernel.boot(profile("6.18"), 1, 4);
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, D0);
        Pipe pipe = k.pipe();
        assertThat(k.pipeWrite(pipe, 1)).as("takes the only ZONE_NORMAL frame").isEqualTo(8);
        int old = pfnAt(t, a);

        assertThat(k.gup(t, a, 1, LONGTERM_WRITE, true, false).ret()).isEqualTo(-Errno.ENOMEM);

        assertThatPage(k, old).hasRefcount(1).hasMapcount(1);
        assertThat(k.gupHolders()).isEmpty();
    }

    @ParameterizedTest(name = "fast={0}")
    @ValueSource(booleans = {false, true})
    void aSharedTmpfsPageMigratesAndThePageCacheAndEveryPteFollow(boolean fast) {
        Kernel k = bootWithMovable("6.18", MOVABLE);
        Task t = k.spawn("p");
        Task other = k.spawn("other");
        OpenFile f = k.creat(FsType.TMPFS, "t", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        long b = mmapFile(k, other, f, 1, Mman.PROT_READ, Mman.MAP_SHARED);
        write(k, t, a, D0);
        k.load(other, b);
        int old = f.inode().pageAt(0);
        assertThatPage(k, old).isInZone(Zone.MOVABLE).hasRefcount(3).hasMapcount(2);

        GupPages g = k.gup(t, a, 1, LONGTERM_WRITE, true, fast);

        assertThat(g.ret()).isEqualTo(1);
        int moved = g.pfn(0);
        assertThat(moved).isNotEqualTo(old);
        assertThat(f.inode().pageAt(0)).isEqualTo(moved);
        assertThatPage(k, moved).isInZone(Zone.NORMAL).isNotAnon().isSwapBacked().hasRefcount(3 + BIAS)
                .hasMapcount(2).holds(0, D0);
        assertThatPte(t, a).isWritable().mapsPfn(moved);
        assertThatPte(other, b).isReadOnly().mapsPfn(moved);
        assertThatPage(k, old).isFree();
        k.dmaWrite(g, 0, 0, D0 + 1);
        assertThat(k.load(other, b)).isEqualTo(D0 + 1);
        assertThat(pread(k, f, 0)).isEqualTo(D0 + 1);
    }

    @Test
    void aPrivateFileMappingPinMigratesNothingBecauseTheCowCopyIsAllocatedPinnable() {
        Kernel k = bootWithMovable("6.18", MOVABLE);
        Task t = k.spawn("p");
        OpenFile f = k.creat(FsType.EXT4, "f", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_PRIVATE);
        k.load(t, a);
        int cached = f.inode().pageAt(0);

        GupPages g = k.gup(t, a, 1, LONGTERM_WRITE, true, false);

        assertThat(g.ret()).isEqualTo(1);
        assertThatPage(k, g.pfn(0)).isAnon().isInZone(Zone.NORMAL);
        assertThat(f.inode().pageAt(0)).as("the cache page was never pinned").isEqualTo(cached);
        assertThatPage(k, cached).isInZone(Zone.MOVABLE).hasRefcount(1);
    }
}
