package org.mmsim.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.KernelAssertions.pfnAt;
import static org.mmsim.kernel.TestKernels.PAGE;
import static org.mmsim.kernel.TestKernels.RW;
import static org.mmsim.kernel.TestKernels.boot;
import static org.mmsim.kernel.TestKernels.mmapFile;
import static org.mmsim.kernel.TestKernels.pread;
import static org.mmsim.kernel.TestKernels.pwrite;
import static org.mmsim.kernel.TestKernels.write;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Writable long-term pins of file-backed memory, as gup_longterm.c's "R/W longterm GUP(-fast) pin in MAP_SHARED /
 * MAP_PRIVATE file mapping" families check them: since 6.5 ({@code writable_file_mapping_allowed()} on the slow
 * path, {@code gup_fast_folio_allowed()} on GUP-fast) a shared mapping of a filesystem that tracks dirty pages
 * (ext4) is refused with -EFAULT; shmem (tmpfs, memfd) and private (COW) mappings are pinned (reference 2.3, 6.2;
 * kernel-oracle 5.2).
 */
class LongtermFilePinTest {
    private static final int LONGTERM_WRITE = Kernel.FOLL_WRITE | Kernel.FOLL_LONGTERM;
    private static final int BIAS = Kernel.GUP_PIN_COUNTING_BIAS;
    private static final long D0 = 0xD0;
    private static final long D1 = 0xD1;

    /** Where the mapped file lives. */
    enum Backing {
        EXT4, TMPFS, MEMFD;

        OpenFile create(Kernel k) {
            return switch (this) {
                case EXT4 -> k.creat(FsType.EXT4, "f", PAGE);
                case TMPFS -> k.creat(FsType.TMPFS, "f", PAGE);
                case MEMFD -> k.memfdCreate("buf", PAGE);
            };
        }
    }

    private Kernel k;
    private Task t;
    private OpenFile f;
    private long addr;

    /** A one-page file of {@code backing} holding D0 (written back where there is a disk), mapped RW. */
    private void mapFile(String profile, Backing backing, int flags) {
        k = boot(profile);
        t = k.spawn("p");
        f = backing.create(k);
        pwrite(k, f, 0, D0);
        assertThat(k.fsync(f)).isZero();
        addr = mmapFile(k, t, f, 1, RW, flags);
    }

    static Stream<Arguments> profilesAndPaths() {
        return Stream.of("5.19", "6.18").flatMap(p -> Stream.of(Arguments.of(p, false), Arguments.of(p, true)));
    }

    static Stream<Arguments> shmemBackingsUnderBothProfiles() {
        return Stream.of("5.19", "6.18").flatMap(p -> Stream.of(Backing.TMPFS, Backing.MEMFD)
                .flatMap(b -> Stream.of(Arguments.of(p, b, false), Arguments.of(p, b, true))));
    }

    // ---- acceptance: MAP_SHARED ext4 ------------------------------------------------------------------------

    @ParameterizedTest(name = "fast={0}")
    @ValueSource(booleans = {false, true})
    void acceptance_writableLongtermPinOfSharedExt4MappingIsEfaultUnder618(boolean fast) {
        mapFile("6.18", Backing.EXT4, Mman.MAP_SHARED);
        write(k, t, addr, D1);
        int cached = f.inode().pageAt(0);
        assertThatPte(t, addr).as("writable, so GUP-fast would take it but for the rule").isWritable().mapsPfn(cached);

        GupPages g = k.gup(t, addr, 1, LONGTERM_WRITE, true, fast);

        assertThat(g.ret()).isEqualTo(-Errno.EFAULT);
        assertThat(g.nr()).isZero();
        assertThat(k.gupHolders()).isEmpty();
        assertThatPage(k, cached).hasRefcount(2).hasMapcount(1);
        assertThat(k.nrFollPinAcquired()).isEqualTo(k.nrFollPinReleased());
    }

    @ParameterizedTest(name = "fast={0}")
    @ValueSource(booleans = {false, true})
    void acceptance_theRefusalComesBeforeAnyFaultOnAnUntouchedSharedExt4Mapping(boolean fast) {
        k = boot("6.18");
        t = k.spawn("p");
        f = k.creat(FsType.EXT4, "f", PAGE);
        addr = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);

        assertThat(k.gup(t, addr, 1, LONGTERM_WRITE, true, fast).ret()).isEqualTo(-Errno.EFAULT);

        assertThatPte(t, addr).isNone();
        assertThat(f.inode().pageCache()).isEmpty();
        assertThat(k.pageAlloc().nrAllocated()).isZero();
    }

    @ParameterizedTest(name = "fast={0}")
    @ValueSource(booleans = {false, true})
    void acceptance_theSamePinOfSharedExt4SucceedsUnder519AndPinsThePageCachePage(boolean fast) {
        mapFile("5.19", Backing.EXT4, Mman.MAP_SHARED);
        write(k, t, addr, D1);

        GupPages g = k.gup(t, addr, 1, LONGTERM_WRITE, true, fast);

        assertThat(g.ret()).isEqualTo(1);
        assertThat(g.pfn(0)).isEqualTo(f.inode().pageAt(0));
        assertThatPage(k, g.pfn(0)).isNotAnon().hasRefcount(2 + BIAS).hasMapcount(1).holds(0, D1);
        assertThatPte(t, addr).isWritable().mapsPfn(g.pfn(0));
    }

    @ParameterizedTest(name = "fast={0}")
    @ValueSource(booleans = {false, true})
    void acceptance_under519APinOfAnUntouchedSharedExt4PageFaultsItInThroughPageMkwrite(boolean fast) {
        mapFile("5.19", Backing.EXT4, Mman.MAP_SHARED);
        assertThatPage(k, f.inode().pageAt(0)).as("written back").isClean();

        GupPages g = k.gup(t, addr, 1, LONGTERM_WRITE, true, fast);

        assertThat(g.ret()).isEqualTo(1);
        assertThat(g.pfn(0)).isEqualTo(f.inode().pageAt(0));
        assertThatPage(k, g.pfn(0)).isDirty().hasRefcount(2 + BIAS).holds(0, D0);
        assertThatPte(t, addr).isWritable().isDirty();
    }

    // ---- acceptance: shmem --------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} {1} fast={2}")
    @MethodSource("shmemBackingsUnderBothProfiles")
    void acceptance_writableLongtermPinOfSharedShmemSucceeds(String profile, Backing backing, boolean fast) {
        mapFile(profile, backing, Mman.MAP_SHARED);
        write(k, t, addr, D1);
        int cached = f.inode().pageAt(0);

        GupPages g = k.gup(t, addr, 1, LONGTERM_WRITE, true, fast);

        assertThat(g.ret()).isEqualTo(1);
        assertThat(g.pfn(0)).isEqualTo(cached);
        assertThat(g.longterm()).isTrue();
        assertThatPage(k, cached).isNotAnon().isSwapBacked().hasRefcount(2 + BIAS).hasMapcount(1).holds(0, D1);
        assertThatPte(t, addr).isWritable().mapsPfn(cached);
        assertThat(k.gupHolders()).containsExactly(g);
    }

    @ParameterizedTest(name = "{0} {1} fast={2}")
    @MethodSource("shmemBackingsUnderBothProfiles")
    void acceptance_theShmemPinFaultsAnUntouchedPageIn(String profile, Backing backing, boolean fast) {
        mapFile(profile, backing, Mman.MAP_SHARED);

        GupPages g = k.gup(t, addr, 1, LONGTERM_WRITE, true, fast);

        assertThat(g.ret()).isEqualTo(1);
        assertThat(g.pfn(0)).isEqualTo(f.inode().pageAt(0));
        assertThat(k.dmaRead(g, 0, 0)).isEqualTo(D0);
        k.dmaWrite(g, 0, 0, D1);
        assertThat(k.load(t, addr)).isEqualTo(D1);
        assertThat(pread(k, f, 0)).isEqualTo(D1);
    }

    // ---- acceptance: MAP_PRIVATE ext4 ---------------------------------------------------------------------

    @ParameterizedTest(name = "{0} fast={1}")
    @MethodSource("profilesAndPaths")
    void acceptance_writableLongtermPinOfPrivateExt4PinsAnAnonCopy(String profile, boolean fast) {
        mapFile(profile, Backing.EXT4, Mman.MAP_PRIVATE);
        assertThat(k.load(t, addr)).isEqualTo(D0);
        int cached = f.inode().pageAt(0);
        assertThatPte(t, addr).isReadOnly().mapsPfn(cached);

        GupPages g = k.gup(t, addr, 1, LONGTERM_WRITE, true, fast);

        assertThat(g.ret()).isEqualTo(1);
        assertThat(g.pfn(0)).isNotEqualTo(cached);
        assertThatPage(k, g.pfn(0)).isAnonExclusive().hasRefcount(1 + BIAS).hasMapcount(1).holds(0, D0);
        assertThatPte(t, addr).isWritable().mapsPfn(g.pfn(0));
        assertThatPage(k, cached).as("the page cache page is untouched").isNotAnon().isClean()
                .hasRefcount(1).hasMapcount(0).holds(0, D0);
        assertThat(f.inode().pageAt(0)).isEqualTo(cached);
        assertThat(t.mm().rssAnon()).isEqualTo(1);
        assertThat(t.mm().rssFile()).isZero();
    }

    @ParameterizedTest(name = "{0} fast={1}")
    @MethodSource("profilesAndPaths")
    void acceptance_aPrivateExt4PinOfAnUntouchedPageCopiesInTheCowFault(String profile, boolean fast) {
        mapFile(profile, Backing.EXT4, Mman.MAP_PRIVATE);

        GupPages g = k.gup(t, addr, 1, LONGTERM_WRITE, true, fast);

        assertThat(g.ret()).isEqualTo(1);
        int cached = f.inode().pageAt(0);
        assertThat(g.pfn(0)).isNotEqualTo(cached);
        assertThatPage(k, g.pfn(0)).isAnon().holds(0, D0);
        assertThatPage(k, cached).isNotAnon().isClean().hasRefcount(1).hasMapcount(0);
        k.dmaWrite(g, 0, 0, D1);
        assertThat(k.load(t, addr)).isEqualTo(D1);
        assertThat(pread(k, f, 0)).as("a private pin never reaches the file").isEqualTo(D0);
        assertThat(k.fsync(f)).isZero();
        assertThat(f.inode().diskWord(0, 0)).isEqualTo(D0);
    }

    // ---- what the 6.5 rule does not refuse ----------------------------------------------------------------

    @ParameterizedTest(name = "pin={0}")
    @ValueSource(booleans = {false, true})
    void under618ShortTermWritableReferencesToSharedExt4AreStillAllowed(boolean pin) {
        mapFile("6.18", Backing.EXT4, Mman.MAP_SHARED);
        write(k, t, addr, D1);

        GupPages g = k.gup(t, addr, 1, Kernel.FOLL_WRITE, pin, true);

        assertThat(g.ret()).as("O_DIRECT-style, not long-term").isEqualTo(1);
        assertThat(g.pfn(0)).isEqualTo(f.inode().pageAt(0));
        assertThatPage(k, g.pfn(0)).hasRefcount(2 + (pin ? BIAS : 1));
    }

    @ParameterizedTest(name = "fast={0}")
    @ValueSource(booleans = {false, true})
    void under618AReadOnlyLongtermPinOfSharedExt4PinsThePageCachePage(boolean fast) {
        mapFile("6.18", Backing.EXT4, Mman.MAP_SHARED);
        k.load(t, addr);

        GupPages g = k.gup(t, addr, 1, Kernel.FOLL_LONGTERM, true, fast);

        assertThat(g.ret()).isEqualTo(1);
        assertThat(g.pfn(0)).as("a shared mapping is not a COW mapping: nothing to unshare")
                .isEqualTo(f.inode().pageAt(0));
        write(k, t, addr, D1);
        assertThat(k.dmaRead(g, 0, 0)).isEqualTo(D1);
    }

    @Test
    void under618AReadOnlySharedMappingOfAReadOnlyExt4FileCannotBeWritePinned() {
        k = boot("6.18");
        t = k.spawn("p");
        f = k.creat(FsType.EXT4, "f", PAGE);
        OpenFile ro = k.open(f, false);
        addr = mmapFile(k, t, ro, 1, Mman.PROT_READ, Mman.MAP_SHARED);

        assertThat(k.gup(t, addr, 1, LONGTERM_WRITE, true, false).ret()).isEqualTo(-Errno.EFAULT);
        assertThat(k.gup(t, addr, 1, LONGTERM_WRITE | Kernel.FOLL_FORCE, true, false).ret())
                .as("FOLL_FORCE writes only COW mappings").isEqualTo(-Errno.EFAULT);
        assertThat(k.gup(t, addr, 1, Kernel.FOLL_LONGTERM, true, false).ret()).isEqualTo(1);
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
        GupPages g = k.gup(t, addr, 1, LONGTERM_WRITE, true, false);
        int pfn = g.pfn(0);
        assertThat(k.fsync(f)).isZero();
        assertThat(f.inode().diskWord(0, 0)).isEqualTo(D1);
        assertThatPte(t, addr).isReadOnly().isClean().mapsPfn(pfn);
        assertThatPage(k, pfn).isClean();

        k.dmaWrite(g, 0, 0, 0x77);
        assertThat(k.fsync(f)).isZero();

        assertThat(f.inode().diskWord(0, 0)).as("the clean page is skipped").isEqualTo(D1);
        assertThat(pread(k, f, 0)).isEqualTo(0x77);
        assertThat(k.release(g, true)).isZero();
        assertThatPage(k, pfn).isDirty();
        assertThat(k.fsync(f)).isZero();
        assertThat(f.inode().diskWord(0, 0)).isEqualTo(0x77);
        assertThat(pfnAt(t, addr)).isEqualTo(pfn);
    }
}
