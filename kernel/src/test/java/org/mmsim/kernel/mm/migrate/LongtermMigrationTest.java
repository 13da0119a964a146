package org.mmsim.kernel.mm.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.testing.KernelAssertions.at;
import static org.mmsim.kernel.testing.KernelAssertions.pfnAt;
import static org.mmsim.kernel.testing.KernelAssertions.rmapWalk;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.bootWithMovable;
import static org.mmsim.kernel.testing.TestKernels.creat;
import static org.mmsim.kernel.testing.TestKernels.dmaRead;
import static org.mmsim.kernel.testing.TestKernels.dmaWrite;
import static org.mmsim.kernel.testing.TestKernels.inode;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.mmapFile;
import static org.mmsim.kernel.testing.TestKernels.open;
import static org.mmsim.kernel.testing.TestKernels.pipe;
import static org.mmsim.kernel.testing.TestKernels.pread;
import static org.mmsim.kernel.testing.TestKernels.profile;
import static org.mmsim.kernel.testing.TestKernels.write;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.fs.Inode;
import org.mmsim.kernel.fs.Vfs;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.page.Zone;
import org.mmsim.kernel.mm.rmap.Rmap;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.GupEntry;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Fcntl;
import org.mmsim.kernel.uapi.Mman;

/**
 * Long-term pins and ZONE_MOVABLE (reference 2.5): {@code __gup_longterm_locked} pins, finds pages that are not
 * long-term pinnable, unpins, migrates them ({@code MR_LONGTERM_PIN}) and pins again; GUP-fast refuses such pages
 * and leaves them to the slow path. A page with a reference migration cannot move fails the pin with -ENOMEM.
 */
class LongtermMigrationTest {
    private static final int LONGTERM_WRITE = Foll.FOLL_WRITE | Foll.FOLL_LONGTERM;
    private static final int BIAS = Rmap.GUP_PIN_COUNTING_BIAS;
    private static final int MOVABLE = 64;
    private static final long D0 = 0xD0;

    static Stream<Arguments> migratingProfilesAndPins() {
        return Stream.of("5.19", "6.18").flatMap(p -> Stream.of(
                Arguments.of(p, GupEntry.PIN_USER_PAGES), Arguments.of(p, GupEntry.PIN_USER_PAGES_FAST)));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"5.11", "5.19", "6.18"})
    void userPagesAreAllocatedFromZoneMovableFirst(String profile) {
        Kernel k = bootWithMovable(profile, MOVABLE);
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);

        write(k, t, a, D0);

        assertThatPage(k, pfnAt(t, a)).isInZone(Zone.MOVABLE);
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        assertThat(pread(k, t, f, 0)).isZero();
        assertThatPage(k, inode(t, f).mapping().pageAt(0)).as("page cache is movable too").isInZone(Zone.MOVABLE);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("migratingProfilesAndPins")
    void aLongtermPinMigratesAnAnonPageOutOfZoneMovable(String profile, GupEntry gup) {
        Kernel k = bootWithMovable(profile, MOVABLE);
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, D0);
        int old = pfnAt(t, a);

        GupPages g = gup.take(k, t, a, 1, LONGTERM_WRITE);

        assertThat(g.ret()).isEqualTo(1);
        int pinned = g.pfn(0);
        assertThat(pinned).isNotEqualTo(old);
        assertThatPage(k, pinned).isInZone(Zone.NORMAL).isAnonExclusive().hasRefcount(1 + BIAS).hasMapcount(1)
                .holds(0, D0);
        assertThatPte(t, a).isWritable().isDirty().mapsPfn(pinned);
        assertThatPage(k, old).isFree();
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(1);
        assertThat(rmapWalk(k, pinned)).containsExactly(at(t, a));
        assertThat(k.gupHolders().nrFollPinAcquired() - k.gupHolders().nrFollPinReleased()).isEqualTo(1);
        write(k, t, a, D0 + 1);
        assertThat(dmaRead(k, g, 0, 0)).isEqualTo(D0 + 1);
    }

    /**
     * Where a long-term GUP leaves a page of ZONE_MOVABLE: in place under 5.11 (no migration yet); under 5.19 a
     * FOLL_GET|FOLL_LONGTERM reference is migrated by the slow path (check_and_migrate_movable_pages), but GUP-fast
     * checks the zone only for a pin (try_grab_folio), so get_user_pages_fast keeps the movable page (5.13 to 6.2).
     */
    @ParameterizedTest(name = "{0} {1}: migrated {2}")
    @CsvSource({"5.11, PIN_USER_PAGES, false, 1025", "5.11, PIN_USER_PAGES_FAST, false, 1025",
        "5.19, GET_USER_PAGES, true, 2", "5.19, GET_USER_PAGES_FAST, false, 2"})
    void aLongtermGupOfAMovablePageWithoutMigration(String profile, GupEntry gup, boolean migrated, int refs) {
        Kernel k = bootWithMovable(profile, MOVABLE);
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, D0);
        int old = pfnAt(t, a);

        GupPages g = gup.take(k, t, a, 1, LONGTERM_WRITE);

        assertThat(g.ret()).isEqualTo(1);
        assertThat(g.pfn(0) != old).isEqualTo(migrated);
        assertThatPage(k, g.pfn(0)).isInZone(migrated ? Zone.NORMAL : Zone.MOVABLE).hasRefcount(refs);
        assertThatPte(t, a).mapsPfn(g.pfn(0));
    }

    @Test
    void aShortTermPinIsNotMigrated() {
        Kernel k = bootWithMovable("6.18", MOVABLE);
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, D0);
        int old = pfnAt(t, a);

        GupPages g = k.syscalls().pinUserPages(t, a, 1, Foll.FOLL_WRITE).complete();

        assertThat(g.pfn(0)).isEqualTo(old);
        assertThatPage(k, old).isInZone(Zone.MOVABLE);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(names = {"PIN_USER_PAGES", "PIN_USER_PAGES_FAST"})
    void aLongtermPinFaultsAnUntouchedPageInOutsideZoneMovable(GupEntry gup) {
        Kernel k = bootWithMovable("6.18", MOVABLE);
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 2, RW);

        GupPages g = gup.take(k, t, a, 1, LONGTERM_WRITE);

        assertThat(g.ret()).isEqualTo(1);
        assertThatPage(k, g.pfn(0)).as("memalloc_pin_save").isInZone(Zone.NORMAL);
        assertThat(k.pageAlloc().nrAllocated()).as("allocated once, never migrated").isEqualTo(1);
        write(k, t, a + PAGE, D0);
        assertThatPage(k, pfnAt(t, a + PAGE)).as("PF_MEMALLOC_PIN is restored").isInZone(Zone.MOVABLE);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("migratingProfilesAndPins")
    void aPageWithAPipeReferenceCannotMigrateSoTheLongtermPinFailsWithEnomem(String profile, GupEntry gup) {
        Kernel k = bootWithMovable(profile, MOVABLE);
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, D0);
        int old = pfnAt(t, a);
        int[] pipe = pipe(k, t);
        assertThat(k.fileSyscalls().vmsplice(t, pipe[1], a, PAGE).run()).isEqualTo(PAGE);

        GupPages g = gup.take(k, t, a, 1, LONGTERM_WRITE);

        assertThat(g.ret()).isEqualTo(-Errno.ENOMEM);
        assertThat(g.nr()).isZero();
        assertThat(k.gupHolders().held()).isEmpty();
        assertThatPage(k, old).isInZone(Zone.MOVABLE).hasRefcount(2).hasMapcount(1);
        assertThatPte(t, a).mapsPfn(old);
        assertThat(k.gupHolders().nrFollPinAcquired()).isEqualTo(k.gupHolders().nrFollPinReleased());

        assertThat(k.fileSyscalls().read(t, pipe[0], 0).complete().value()).isEqualTo(D0);
        GupPages retry = gup.take(k, t, a, 1, LONGTERM_WRITE);
        assertThat(retry.ret()).as("once the pipe let go").isEqualTo(1);
        assertThatPage(k, retry.pfn(0)).isInZone(Zone.NORMAL);
    }

    @Test
    void aPageAlreadyPinnedCannotMigrateEither() {
        Kernel k = bootWithMovable("6.18", MOVABLE);
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, D0);
        GupPages shortTerm = k.syscalls().pinUserPages(t, a, 1, Foll.FOLL_WRITE).complete();

        assertThat(k.syscalls().pinUserPages(t, a, 1, LONGTERM_WRITE).run()).isEqualTo(-Errno.ENOMEM);

        assertThatPage(k, shortTerm.pfn(0)).isInZone(Zone.MOVABLE).hasRefcount(1 + BIAS);
    }

    /**
     * A page held locked (or under writeback) is not moved: the kernel would wait in {@code migrate_folio_unmap}; the
     * model's pin cannot wait inside its step and fails as for a page it cannot move, leaving the page as it was.
     */
    @Test
    void aLockedPageIsNotMovedUntilItIsUnlocked() {
        Kernel k = bootWithMovable("6.18", MOVABLE);
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, D0);
        int pfn = pfnAt(t, a);
        k.frames().set(pfn, PageFlags.PG_LOCKED); // as a holder of the page lock between its steps

        assertThat(k.syscalls().pinUserPages(t, a, 1, LONGTERM_WRITE).run()).isEqualTo(-Errno.ENOMEM);

        assertThat(pfnAt(t, a)).isEqualTo(pfn);
        assertThatPage(k, pfn).isInZone(Zone.MOVABLE).hasRefcount(1);
        k.frames().clear(pfn, PageFlags.PG_LOCKED);
        GupPages g = k.syscalls().pinUserPages(t, a, 1, LONGTERM_WRITE).complete();
        assertThatPage(k, g.pfn(0)).isInZone(Zone.NORMAL);
        assertThat(k.frames().test(g.pfn(0), PageFlags.PG_LOCKED)).isFalse();
    }

    /** {@code migrate_pages} works through the whole list: the page it can move moves, though the pin fails. */
    @Test
    void aPageThatCannotMoveFailsThePinButTheOthersMove() {
        Kernel k = bootWithMovable("6.18", MOVABLE);
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 2, RW);
        write(k, t, a, D0);
        write(k, t, a + PAGE, D0 + 1);
        k.syscalls().pinUserPages(t, a, 1, Foll.FOLL_WRITE).complete(); // the first page cannot move
        int second = pfnAt(t, a + PAGE);

        assertThat(k.syscalls().pinUserPages(t, a, 2, LONGTERM_WRITE).run()).isEqualTo(-Errno.ENOMEM);

        assertThat(pfnAt(t, a + PAGE)).isNotEqualTo(second);
        assertThatPage(k, pfnAt(t, a + PAGE)).isInZone(Zone.NORMAL).hasRefcount(1);
        assertThat(load(k, t, a + PAGE)).isEqualTo(D0 + 1);
    }

    @Test
    void withoutAFreeFrameInZoneNormalMigrationFailsWithEnomem() {
        Kernel k = boot(profile("6.18"), 1, 4);
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, D0);
        int[] pipe = pipe(k, t);
        assertThat(k.fileSyscalls().write(t, pipe[1], 1).run()).as("takes the only ZONE_NORMAL frame").isEqualTo(8);
        int old = pfnAt(t, a);

        assertThat(k.syscalls().pinUserPages(t, a, 1, LONGTERM_WRITE).run()).isEqualTo(-Errno.ENOMEM);

        assertThatPage(k, old).hasRefcount(1).hasMapcount(1);
        assertThat(k.gupHolders().held()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(names = {"PIN_USER_PAGES", "PIN_USER_PAGES_FAST"})
    void aSharedTmpfsPageMigratesAndThePageCacheAndEveryPteFollow(GupEntry gup) {
        Kernel k = bootWithMovable("6.18", MOVABLE);
        Task t = k.spawn("p");
        Task other = k.spawn("other");
        int f = creat(k, t, FsType.TMPFS, "t", PAGE);
        int sameFile = open(k, other, Vfs.path(FsType.TMPFS, "t"), Fcntl.O_RDWR);
        Inode inode = inode(t, f);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        long b = mmapFile(k, other, sameFile, 1, Mman.PROT_READ, Mman.MAP_SHARED);
        write(k, t, a, D0);
        load(k, other, b);
        int old = inode.mapping().pageAt(0);
        assertThatPage(k, old).isInZone(Zone.MOVABLE).hasRefcount(3).hasMapcount(2);

        GupPages g = gup.take(k, t, a, 1, LONGTERM_WRITE);

        assertThat(g.ret()).isEqualTo(1);
        int moved = g.pfn(0);
        assertThat(moved).isNotEqualTo(old);
        assertThat(inode.mapping().pageAt(0)).isEqualTo(moved);
        assertThatPage(k, moved).isInZone(Zone.NORMAL).isNotAnon().isSwapBacked().hasRefcount(3 + BIAS)
                .hasMapcount(2).holds(0, D0);
        assertThatPte(t, a).isWritable().mapsPfn(moved);
        assertThatPte(other, b).isReadOnly().mapsPfn(moved);
        assertThatPage(k, old).isFree();
        dmaWrite(k, g, 0, 0, D0 + 1);
        assertThat(load(k, other, b)).isEqualTo(D0 + 1);
        assertThat(pread(k, t, f, 0)).isEqualTo(D0 + 1);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(names = {"PIN_USER_PAGES", "PIN_USER_PAGES_FAST"})
    void anExt4PageMigratesWithItsBuffers(GupEntry gup) {
        Kernel k = bootWithMovable("5.19", MOVABLE);
        Task t = k.spawn("p");
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, a, D0);
        int old = inode(t, f).mapping().pageAt(0);
        assertThat(k.frames().test(old, PageFlags.PG_PRIVATE)).isTrue();
        assertThatPage(k, old).isInZone(Zone.MOVABLE).hasRefcount(3).hasMapcount(1); // cache, pte, buffers

        GupPages g = gup.take(k, t, a, 1, LONGTERM_WRITE);

        assertThat(g.ret()).as("buffer_migrate_folio expects the buffers' reference").isEqualTo(1);
        int moved = g.pfn(0);
        assertThat(moved).isNotEqualTo(old);
        assertThat(k.frames().test(moved, PageFlags.PG_PRIVATE)).isTrue();
        assertThatPage(k, moved).isInZone(Zone.NORMAL).hasRefcount(3 + BIAS).hasMapcount(1).holds(0, D0);
        assertThatPage(k, old).isFree();
    }

    @Test
    void aPrivateFileMappingPinMigratesNothingBecauseTheCowCopyIsAllocatedPinnable() {
        Kernel k = bootWithMovable("6.18", MOVABLE);
        Task t = k.spawn("p");
        int f = creat(k, t, FsType.EXT4, "f", PAGE);
        long a = mmapFile(k, t, f, 1, RW, Mman.MAP_PRIVATE);
        load(k, t, a);
        int cached = inode(t, f).mapping().pageAt(0);

        GupPages g = k.syscalls().pinUserPages(t, a, 1, LONGTERM_WRITE).complete();

        assertThat(g.ret()).isEqualTo(1);
        assertThatPage(k, g.pfn(0)).isAnon().isInZone(Zone.NORMAL);
        assertThat(inode(t, f).mapping().pageAt(0)).as("the cache page was never pinned").isEqualTo(cached);
        assertThatPage(k, cached).isInZone(Zone.MOVABLE).hasRefcount(1);
    }
}
