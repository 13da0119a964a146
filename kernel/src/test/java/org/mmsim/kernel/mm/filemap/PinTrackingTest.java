package org.mmsim.kernel.mm.filemap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.testing.TestKernels.FRAMES;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.creat;
import static org.mmsim.kernel.testing.TestKernels.inode;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.mmapFile;
import static org.mmsim.kernel.testing.TestKernels.profile;
import static org.mmsim.kernel.testing.TestKernels.violatedInvariants;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.InvariantsNotChecked;
import org.mmsim.kernel.uapi.Mman;

/**
 * Seed 003's pin-tracking designs (pin_tracking) and what writeback does with a page it believes pinned
 * (pinned_writeback): the _mapcount accounting of GUP and unpin, PageDMAPinned as page_mkclean's walk leaves it,
 * PG_dirty and the disk after each action, and the pin-tracking-sound invariant when a design misses a pin.
 */
class PinTrackingTest {
    private static final long D0 = 0xD0;
    private static final long D1 = 0xD1;

    private Kernel k;
    private Task t;
    /** A one-page ext4 file's fd, its shared mapping and the pin {@link #pinDirtySharedPage} took of its page. */
    private int f;
    private long a;
    private GupPages g;

    private void boot(String tracking, String action) {
        k = org.mmsim.kernel.testing.TestKernels.boot(profile("6.18").with(Switch.PIN_TRACKING, tracking)
                .with(Switch.PINNED_WRITEBACK, action), FRAMES, 0);
        t = k.spawn("p");
    }

    /** Boots, maps {@link #f}'s page shared, writes D0 through the mapping and pins the page for write. */
    private void pinDirtySharedPage(String tracking, String action) {
        boot(tracking, action);
        f = creat(k, t, FsType.EXT4, "f", PAGE);
        a = mmapFile(k, t, f, 1, RW, Mman.MAP_SHARED);
        write(k, t, a, D0);
        g = k.syscalls().pinUserPages(t, a, 1, Foll.FOLL_WRITE).complete();
    }

    private int cached() {
        return inode(t, f).mapping().pageAt(0);
    }

    private boolean flag(int pfn, int pageFlag) {
        return k.frames().test(pfn, pageFlag);
    }

    @Test
    void mapcountDesignsAddAFilePinToMapcountAndUnpinTakesItAway() {
        for (String tracking : new String[] {"mapcount-v1", "mapcount-v2"}) {
            pinDirtySharedPage(tracking, "ignore");
            int pfn = cached();

            assertThatPage(k, pfn).hasMapcount(2).hasRefcount(3 + 1024);
            assertThat(flag(pfn, PageFlags.PG_DMA_PINNED)).as(tracking).isEqualTo(tracking.equals("mapcount-v2"));
            assertThat(k.syscalls().unpinUserPages(t, g).run()).isZero();
            assertThatPage(k, pfn).hasMapcount(1).hasRefcount(3);
        }
    }

    @Test
    void biasAndAnonPagesLeaveMapcountAlone() {
        pinDirtySharedPage("bias", "ignore");
        assertThatPage(k, cached()).hasMapcount(1);
        k.syscalls().unpinUserPages(t, g).run();

        boot("mapcount-v1", "ignore");
        long b = mmapAnon(k, t, 1, RW);
        write(k, t, b, D0);
        GupPages h = k.syscalls().pinUserPages(t, b, 1, Foll.FOLL_WRITE).complete();
        assertThatPage(k, h.pfn(0)).hasMapcount(1).hasRefcount(1 + 1024);
        k.syscalls().unpinUserPages(t, h).run();
    }

    @Test
    void theWalkSetsPageDmaPinnedWhileAPinHoldsThePageAndClearsItAfter() {
        pinDirtySharedPage("mapcount-v1", "ignore");
        int pfn = cached();

        assertThat(k.fileSyscalls().writeback(t, f).run()).isZero();
        assertThat(flag(pfn, PageFlags.PG_DMA_PINNED)).isTrue(); // mapcount 2 - real_mapcount 1 > 0

        k.syscalls().unpinUserPages(t, g).run();
        write(k, t, a, D1); // page_mkwrite: dirty again
        assertThat(k.fileSyscalls().writeback(t, f).run()).isZero();
        assertThat(flag(pfn, PageFlags.PG_DMA_PINNED)).isFalse(); // 1 - 1 = 0
    }

    @Test
    void ignoreWritesThePinnedPageAndCleansIt() {
        pinDirtySharedPage("bias", "ignore");

        assertThat(k.fileSyscalls().writeback(t, f).run()).isZero();

        assertThatPage(k, cached()).isClean();
        assertThat(inode(t, f).diskWord(0, 0)).isEqualTo(D0);
        k.syscalls().unpinUserPages(t, g).run();
    }

    @Test
    void bounceWritesAStableCopyAndKeepsThePageDirty() {
        pinDirtySharedPage("bias", "bounce");

        assertThat(k.fileSyscalls().writeback(t, f).run()).isZero();

        int pfn = cached();
        assertThatPage(k, pfn).isDirty();
        assertThat(flag(pfn, PageFlags.PG_WRITEBACK)).isFalse();
        assertThat(inode(t, f).diskWord(0, 0)).isEqualTo(D0);
        k.syscalls().unpinUserPages(t, g).run();
    }

    @Test
    void skipKeepsThePageDirtyAndWritesNothing() {
        pinDirtySharedPage("refcount", "skip");

        assertThat(k.fileSyscalls().writeback(t, f).run()).isZero();

        assertThatPage(k, cached()).isDirty();
        assertThat(inode(t, f).diskWord(0, 0)).isZero();

        k.syscalls().unpinUserPages(t, g).run();
        assertThat(k.fileSyscalls().writeback(t, f).run()).isZero(); // no longer believed pinned
        assertThatPage(k, cached()).isClean();
        assertThat(inode(t, f).diskWord(0, 0)).isEqualTo(D0);
    }

    @Test
    @InvariantsNotChecked("mapcount-v1 misses the pin: the pin-tracking-sound violation this test shows")
    void aZapBetweenTheWalkAndTheTestMakesMapcountV1MissThePin() {
        pinDirtySharedPage("mapcount-v1", "skip");
        int pfn = cached();
        KernelCall<Void> wb = k.fileSyscalls().writeback(t, f);

        wb.step(); // the walk: real_mapcount 1
        assertThat(wb.point()).contains("real_mapcount 1");
        assertThat(k.syscalls().madvise(t, a, PAGE, Mman.MADV_DONTNEED).run()).isZero(); // _mapcount 2 -> 1
        assertThatPage(k, pfn).hasMapcount(1);
        wb.run();

        assertThat(flag(pfn, PageFlags.PG_DMA_PINNED)).isFalse();
        assertThat(inode(t, f).diskWord(0, 0)).isEqualTo(D0); // written though pinned: skip never asked
        assertThat(violatedInvariants(k)).containsExactly("pin-tracking-sound");
        k.syscalls().unpinUserPages(t, g).run();
    }

    @Test
    void theSameZapUnderBiasDoesNotHideThePin() {
        pinDirtySharedPage("bias", "skip");
        KernelCall<Void> wb = k.fileSyscalls().writeback(t, f);

        wb.step();
        assertThat(k.syscalls().madvise(t, a, PAGE, Mman.MADV_DONTNEED).run()).isZero();
        wb.run();

        assertThatPage(k, cached()).isDirty();
        assertThat(inode(t, f).diskWord(0, 0)).isZero();
        assertThat(violatedInvariants(k)).isEmpty();
        k.syscalls().unpinUserPages(t, g).run();
    }
}
