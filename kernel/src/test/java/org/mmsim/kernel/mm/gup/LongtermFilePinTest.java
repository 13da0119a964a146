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
import static org.mmsim.kernel.testing.TestKernels.dmaWrite;
import static org.mmsim.kernel.testing.TestKernels.fsync;
import static org.mmsim.kernel.testing.TestKernels.inode;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.memfdCreate;
import static org.mmsim.kernel.testing.TestKernels.mmapFile;
import static org.mmsim.kernel.testing.TestKernels.openReadOnly;
import static org.mmsim.kernel.testing.TestKernels.pread;
import static org.mmsim.kernel.testing.TestKernels.pwrite;
import static org.mmsim.kernel.testing.TestKernels.write;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmsim.kernel.testing.TestKernels;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.fs.Inode;
import org.mmsim.kernel.mm.rmap.Rmap;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.GupEntry;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Mman;

/**
 * Writable long-term pins of file-backed memory, as gup_longterm.c's "R/W longterm GUP(-fast) pin in MAP_SHARED /
 * MAP_PRIVATE file mapping" families check them: since 6.5 ({@code writable_file_mapping_allowed()} on the slow
 * path, {@code gup_fast_folio_allowed()} on GUP-fast) a shared mapping of a filesystem that tracks dirty pages
 * (ext4) is refused with -EFAULT; shmem (tmpfs, memfd) and private (COW) mappings are pinned (reference 2.3, 6.2;
 * kernel-oracle 5.2).
 */
class LongtermFilePinTest {
    private static final int LONGTERM_WRITE = Foll.FOLL_WRITE | Foll.FOLL_LONGTERM;
    private static final int BIAS = Rmap.GUP_PIN_COUNTING_BIAS;
    private static final long D0 = 0xD0;
    private static final long D1 = 0xD1;

    /** Where the mapped file lives. */
    enum Backing {
        EXT4, TMPFS, MEMFD;

        /** The file, opened O_RDWR by {@code t}: its fd. */
        int create(Kernel k, Task t) {
            return switch (this) {
                case EXT4 -> creat(k, t, FsType.EXT4, "f", PAGE);
                case TMPFS -> creat(k, t, FsType.TMPFS, "f", PAGE);
                case MEMFD -> memfdCreate(k, t, "buf", PAGE);
            };
        }
    }

    private Kernel k;
    private Syscalls sys;
    private Task t;
    private int f;
    private Inode inode;
    private long addr;

    private void boot618() {
        k = boot("6.18");
        sys = k.syscalls();
        t = k.spawn("p");
    }

    /** A one-page file of {@code backing} holding D0 (written back where there is a disk), mapped RW. */
    private void mapFile(String profile, Backing backing, int flags) {
        k = boot(profile);
        sys = k.syscalls();
        t = k.spawn("p");
        f = backing.create(k, t);
        inode = inode(t, f);
        pwrite(k, t, f, 0, D0);
        fsync(k, t, f);
        addr = mmapFile(k, t, f, 1, RW, flags);
    }

    static Stream<Arguments> profilesAndPins() {
        return Stream.of("5.19", "6.18").flatMap(p -> Stream.of(
                Arguments.of(p, GupEntry.PIN_USER_PAGES), Arguments.of(p, GupEntry.PIN_USER_PAGES_FAST)));
    }

    static Stream<Arguments> shmemBackingsUnderBothProfiles() {
        return Stream.of("5.19", "6.18").flatMap(p -> Stream.of(Backing.TMPFS, Backing.MEMFD)
                .flatMap(b -> Stream.of(Arguments.of(p, b, GupEntry.PIN_USER_PAGES),
                        Arguments.of(p, b, GupEntry.PIN_USER_PAGES_FAST))));
    }

    // ---- acceptance: MAP_SHARED ext4 ------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @EnumSource(names = {"PIN_USER_PAGES", "PIN_USER_PAGES_FAST"})
    void acceptance_writableLongtermPinOfSharedExt4MappingIsEfaultUnder618(GupEntry gup) {
        mapFile("6.18", Backing.EXT4, Mman.MAP_SHARED);
        write(k, t, addr, D1);
        int cached = inode.mapping().pageAt(0);
        assertThatPte(t, addr).as("writable, so GUP-fast would take it but for the rule").isWritable().mapsPfn(cached);

        GupPages g = gup.take(k, t, addr, 1, LONGTERM_WRITE);

        assertThat(g.ret()).isEqualTo(-Errno.EFAULT);
        assertThat(g.nr()).isZero();
        assertThat(k.gupHolders().held()).isEmpty();
        assertThatPage(k, cached).hasRefcount(3).hasMapcount(1); // the cache, the pte, the buffers
        assertThat(k.gupHolders().nrFollPinAcquired()).isEqualTo(k.gupHolders().nrFollPinReleased());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(names = {"PIN_USER_PAGES", "PIN_USER_PAGES_FAST"})
    void acceptance_theRefusalComesBeforeAnyFaultOnAnUntouchedSharedExt4Mapping(GupEntry gup) {
        boot618();
        f = creat(k, t, FsType.EXT4, "f", PAGE);
        addr = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);

        assertThat(gup.take(k, t, addr, 1, LONGTERM_WRITE).ret()).isEqualTo(-Errno.EFAULT);

        assertThatPte(t, addr).isNone();
        assertThat(inode(t, f).mapping().pages()).isEmpty();
        assertThat(k.pageAlloc().nrAllocated()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(names = {"PIN_USER_PAGES", "PIN_USER_PAGES_FAST"})
    void acceptance_theSamePinOfSharedExt4SucceedsUnder519AndPinsThePageCachePage(GupEntry gup) {
        mapFile("5.19", Backing.EXT4, Mman.MAP_SHARED);
        write(k, t, addr, D1);

        GupPages g = gup.take(k, t, addr, 1, LONGTERM_WRITE);

        assertThat(g.ret()).isEqualTo(1);
        assertThat(g.pfn(0)).isEqualTo(inode.mapping().pageAt(0));
        assertThatPage(k, g.pfn(0)).isNotAnon().hasRefcount(3 + BIAS).hasMapcount(1).holds(0, D1);
        assertThatPte(t, addr).isWritable().mapsPfn(g.pfn(0));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(names = {"PIN_USER_PAGES", "PIN_USER_PAGES_FAST"})
    void acceptance_under519APinOfAnUntouchedSharedExt4PageFaultsItInThroughPageMkwrite(GupEntry gup) {
        mapFile("5.19", Backing.EXT4, Mman.MAP_SHARED);
        assertThatPage(k, inode.mapping().pageAt(0)).as("written back").isClean();

        GupPages g = gup.take(k, t, addr, 1, LONGTERM_WRITE);

        assertThat(g.ret()).isEqualTo(1);
        assertThat(g.pfn(0)).isEqualTo(inode.mapping().pageAt(0));
        assertThatPage(k, g.pfn(0)).isDirty().hasRefcount(3 + BIAS).holds(0, D0); // + page_mkwrite's buffers
        assertThatPte(t, addr).isWritable().isDirty();
    }

    // ---- acceptance: shmem --------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("shmemBackingsUnderBothProfiles")
    void acceptance_writableLongtermPinOfSharedShmemSucceeds(String profile, Backing backing, GupEntry gup) {
        mapFile(profile, backing, Mman.MAP_SHARED);
        write(k, t, addr, D1);
        int cached = inode.mapping().pageAt(0);

        GupPages g = gup.take(k, t, addr, 1, LONGTERM_WRITE);

        assertThat(g.ret()).isEqualTo(1);
        assertThat(g.pfn(0)).isEqualTo(cached);
        assertThat(g.longterm()).isTrue();
        assertThatPage(k, cached).isNotAnon().isSwapBacked().hasRefcount(2 + BIAS).hasMapcount(1).holds(0, D1);
        assertThatPte(t, addr).isWritable().mapsPfn(cached);
        assertThat(k.gupHolders().held()).containsExactly(g);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("shmemBackingsUnderBothProfiles")
    void acceptance_theShmemPinFaultsAnUntouchedPageIn(String profile, Backing backing, GupEntry gup) {
        mapFile(profile, backing, Mman.MAP_SHARED);

        GupPages g = gup.take(k, t, addr, 1, LONGTERM_WRITE);

        assertThat(g.ret()).isEqualTo(1);
        assertThat(g.pfn(0)).isEqualTo(inode.mapping().pageAt(0));
        assertThat(dmaRead(k, g, 0, 0)).isEqualTo(D0);
        dmaWrite(k, g, 0, 0, D1);
        assertThat(load(k, t, addr)).isEqualTo(D1);
        assertThat(pread(k, t, f, 0)).isEqualTo(D1);
    }

    // ---- acceptance: MAP_PRIVATE ext4 ---------------------------------------------------------------------

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("profilesAndPins")
    void acceptance_writableLongtermPinOfPrivateExt4PinsAnAnonCopy(String profile, GupEntry gup) {
        mapFile(profile, Backing.EXT4, Mman.MAP_PRIVATE);
        assertThat(load(k, t, addr)).isEqualTo(D0);
        int cached = inode.mapping().pageAt(0);
        assertThatPte(t, addr).isReadOnly().mapsPfn(cached);

        GupPages g = gup.take(k, t, addr, 1, LONGTERM_WRITE);

        assertThat(g.ret()).isEqualTo(1);
        assertThat(g.pfn(0)).isNotEqualTo(cached);
        assertThatPage(k, g.pfn(0)).isAnonExclusive().hasRefcount(1 + BIAS).hasMapcount(1).holds(0, D0);
        assertThatPte(t, addr).isWritable().mapsPfn(g.pfn(0));
        assertThatPage(k, cached).as("the page cache page is untouched").isNotAnon().isClean()
                .hasRefcount(2).hasMapcount(0).holds(0, D0); // the cache and the buffers
        assertThat(inode.mapping().pageAt(0)).isEqualTo(cached);
        assertThat(t.mm().rssAnon()).isEqualTo(1);
        assertThat(t.mm().rssFile()).isZero();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("profilesAndPins")
    void acceptance_aPrivateExt4PinOfAnUntouchedPageCopiesInTheCowFault(String profile, GupEntry gup) {
        mapFile(profile, Backing.EXT4, Mman.MAP_PRIVATE);

        GupPages g = gup.take(k, t, addr, 1, LONGTERM_WRITE);

        assertThat(g.ret()).isEqualTo(1);
        int cached = inode.mapping().pageAt(0);
        assertThat(g.pfn(0)).isNotEqualTo(cached);
        assertThatPage(k, g.pfn(0)).isAnon().holds(0, D0);
        assertThatPage(k, cached).isNotAnon().isClean().hasRefcount(2).hasMapcount(0);
        dmaWrite(k, g, 0, 0, D1);
        assertThat(load(k, t, addr)).isEqualTo(D1);
        assertThat(pread(k, t, f, 0)).as("a private pin never reaches the file").isEqualTo(D0);
        fsync(k, t, f);
        assertThat(inode.diskWord(0, 0)).isEqualTo(D0);
    }

    // ---- what the 6.5 rule does not refuse ----------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @EnumSource(names = {"GET_USER_PAGES_FAST", "PIN_USER_PAGES_FAST"})
    void under618ShortTermWritableReferencesToSharedExt4AreStillAllowed(GupEntry gup) {
        mapFile("6.18", Backing.EXT4, Mman.MAP_SHARED);
        write(k, t, addr, D1);

        GupPages g = gup.take(k, t, addr, 1, Foll.FOLL_WRITE);

        assertThat(g.ret()).as("O_DIRECT-style, not long-term").isEqualTo(1);
        assertThat(g.pfn(0)).isEqualTo(inode.mapping().pageAt(0));
        assertThatPage(k, g.pfn(0)).hasRefcount(3 + (gup.pins() ? BIAS : 1)); // + the buffers
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(names = {"PIN_USER_PAGES", "PIN_USER_PAGES_FAST"})
    void under618AReadOnlyLongtermPinOfSharedExt4PinsThePageCachePage(GupEntry gup) {
        mapFile("6.18", Backing.EXT4, Mman.MAP_SHARED);
        load(k, t, addr);

        GupPages g = gup.take(k, t, addr, 1, Foll.FOLL_LONGTERM);

        assertThat(g.ret()).isEqualTo(1);
        assertThat(g.pfn(0)).as("a shared mapping is not a COW mapping: nothing to unshare")
                .isEqualTo(inode.mapping().pageAt(0));
        write(k, t, addr, D1);
        assertThat(dmaRead(k, g, 0, 0)).isEqualTo(D1);
    }

    @Test
    void under618AReadOnlySharedMappingOfAReadOnlyExt4FileCannotBeWritePinned() {
        boot618();
        f = creat(k, t, FsType.EXT4, "f", PAGE);
        int ro = openReadOnly(k, t, f);
        addr = mmapFile(k, t, ro, 1, Mman.PROT_READ, Mman.MAP_SHARED);

        assertThat(sys.pinUserPages(t, addr, 1, LONGTERM_WRITE).run()).isEqualTo(-Errno.EFAULT);
        assertThat(sys.pinUserPages(t, addr, 1, LONGTERM_WRITE | Foll.FOLL_FORCE).run())
                .as("FOLL_FORCE writes only COW mappings").isEqualTo(-Errno.EFAULT);
        assertThat(sys.pinUserPages(t, addr, 1, Foll.FOLL_LONGTERM).run()).isEqualTo(1);
    }

    // ---- why 6.5 refuses: the device writes behind the filesystem's back ----------------------------------

    /**
     * B6 (reference 6.1, 6.2): writeback write-protects and cleans the pte, but the device writes through the pin
     * without faulting, so the filesystem never hears of the write: fsync does not write it until the pin is
     * released dirty ({@code unpin_user_pages_dirty_lock}).
     */
    @Test
    void under519DmaThroughAPinOfSharedExt4IsInvisibleToWritebackUntilReleasedDirty() {
        mapFile("5.19", Backing.EXT4, Mman.MAP_SHARED);
        write(k, t, addr, D1);
        GupPages g = sys.pinUserPages(t, addr, 1, LONGTERM_WRITE).complete();
        int pfn = g.pfn(0);
        fsync(k, t, f);
        assertThat(inode.diskWord(0, 0)).isEqualTo(D1);
        assertThatPte(t, addr).isReadOnly().isClean().mapsPfn(pfn);
        assertThatPage(k, pfn).isClean();

        dmaWrite(k, g, 0, 0, 0x77);
        fsync(k, t, f);

        assertThat(inode.diskWord(0, 0)).as("the clean page is skipped").isEqualTo(D1);
        assertThat(pread(k, t, f, 0)).isEqualTo(0x77);
        assertThat(TestKernels.release(sys, t, g, true).run()).isZero();
        assertThatPage(k, pfn).isDirty();
        fsync(k, t, f);
        assertThat(inode.diskWord(0, 0)).isEqualTo(0x77);
        assertThat(pfnAt(t, addr)).isEqualTo(pfn);
    }
}
