package org.mmsim.kernel.mm.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.bug.KernelBug;
import org.mmsim.kernel.check.Invariants;
import org.mmsim.kernel.profile.Profiles;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code memremap_pages()} of device-coherent memory: its pages start free (refcount 0), become the driver's with
 * {@code zone_device_page_init}, and go back to the driver's {@code ->folio_free}, never to the buddy allocator, when
 * their last reference goes; the invariants check them as they check RAM.
 */
class MemremapPagesTest {
    private final Kernel k = Kernel.boot(Profiles.byName("6.18"), 64, 0);
    private final PageAlloc alloc = k.pageAlloc();
    private final List<Integer> freed = new ArrayList<>();
    private final DevPagemapOps ops = new DevPagemapOps() {
        @Override
        public String name() {
            return "test_devmem_ops";
        }

        @Override
        public void folioFree(int pfn) {
            freed.add(pfn);
        }
    };

    @Test
    void aDevicePageGoesBackToItsDriverWhenItsLastReferenceGoes() {
        int first = alloc.memremapPages(4, ops);
        assertThat(first).isPositive();
        assertThat(alloc.isDeviceCoherent(first + 3)).isTrue();
        assertThat(alloc.isDeviceCoherent(first + 4)).isFalse();
        assertThat(alloc.pagemapOf(first + 1)).isZero();
        assertThat(k.frames().refcount(first)).isZero();
        int allocated = alloc.nrAllocated();

        alloc.zoneDevicePageInit(first + 1);
        assertThat(k.frames().refcount(first + 1)).isEqualTo(1);
        alloc.getPage(first + 1);
        alloc.putPage(first + 1);
        assertThat(freed).isEmpty();
        alloc.putPage(first + 1);
        assertThat(freed).containsExactly(first + 1);
        assertThat(k.frames().refcount(first + 1)).isZero();
        // not the buddy allocator's: RAM is untouched, and the page is not handed out as RAM
        assertThat(alloc.nrAllocated()).isEqualTo(allocated);
        assertThat(alloc.allocPage(PageAlloc.GFP_KERNEL)).isLessThan(first);
    }

    @Test
    void aPageInUseCannotBeInitialisedAgainNorOneOutsideAPagemap() {
        int first = alloc.memremapPages(2, ops);
        alloc.zoneDevicePageInit(first);
        assertThatThrownBy(() -> alloc.zoneDevicePageInit(first)).isInstanceOf(KernelBug.class);
        assertThatThrownBy(() -> alloc.zoneDevicePageInit(first + 2)).isInstanceOf(KernelBug.class);
    }

    @Test
    void theInvariantsCoverDevicePagesAndFindOneLeaked() {
        int first = alloc.memremapPages(2, ops);
        int[] ranges = alloc.everAllocatedRanges();
        assertThat(ranges[ranges.length - 2]).isEqualTo(first);
        assertThat(ranges[ranges.length - 1]).isEqualTo(first + 2);
        alloc.zoneDevicePageInit(first);
        // a reference nobody can name: the accounting invariant sees it, and so does the end-of-run leak check
        assertThat(Invariants.checkStep(k)).anySatisfy(v -> assertThat(v.message()).contains("pfn " + first));
        assertThat(Invariants.checkAllFree(k)).anySatisfy(v -> assertThat(v.message()).contains("pfn " + first));
        alloc.putPage(first);
        assertThat(Invariants.checkStep(k)).isEmpty();
        assertThat(Invariants.checkAllFree(k)).isEmpty();
    }

    @Test
    void aFramesPositionAmongThoseEverAllocatedIsWhereAWalkOfTheirRangesFindsIt() {
        Kernel two = Kernel.boot(Profiles.byName("6.18"), 32, 16);
        PageAlloc a = two.pageAlloc();
        for (int i = 0; i < 5; i++) {
            a.allocPage(PageAlloc.GFP_KERNEL);
            a.allocPage(PageAlloc.GFP_HIGHUSER_MOVABLE);
        }
        a.memremapPages(3, ops);
        a.memremapPages(2, ops);
        int[] ranges = a.everAllocatedRanges();
        int positions = 0;
        for (int pfn = 0; pfn < 1 + 32 + 16 + Kernel.DEVICE_FRAMES; pfn++) {
            int walked = -1;
            for (int z = 0, base = 0; z < ranges.length && walked < 0; base += ranges[z + 1] - ranges[z], z += 2) {
                walked = pfn >= ranges[z] && pfn < ranges[z + 1] ? base + pfn - ranges[z] : -1;
            }
            assertThat(a.everAllocatedPosition(pfn)).as("pfn %d", pfn).isEqualTo(walked);
            positions += walked >= 0 ? 1 : 0;
        }
        // both zones' first frames (and what boot took) and both pagemaps
        assertThat(positions).isGreaterThanOrEqualTo(10 + 5);
    }

    @Test
    void theDeviceRegionRunsOut() {
        assertThat(alloc.memremapPages(Kernel.DEVICE_FRAMES + 1, ops)).isEqualTo(-Errno.ENOMEM);
    }

    @Test
    void aCopyHasThePagemapAndItsOwnDriversOps() {
        int first = alloc.memremapPages(2, ops);
        alloc.zoneDevicePageInit(first);
        Kernel c = k.copy();
        List<Integer> copyFreed = new ArrayList<>();
        c.pageAlloc().registerPagemapOps(new DevPagemapOps() {
            @Override
            public String name() {
                return "copy_devmem_ops";
            }

            @Override
            public void folioFree(int pfn) {
                copyFreed.add(pfn);
            }
        });
        assertThat(c.fingerprint()).isEqualTo(k.fingerprint());
        c.pageAlloc().putPage(first);
        assertThat(copyFreed).containsExactly(first);
        assertThat(freed).isEmpty();
        assertThat(k.frames().refcount(first)).isEqualTo(1);
    }

    @Test
    void aPageTheDriverFindsNoDestinationForStaysAndTheOthersMove() {
        int first = alloc.memremapPages(2, ops);
        org.mmsim.kernel.task.Task t = k.spawn("p");
        long a = org.mmsim.kernel.testing.TestKernels.mmapAnon(k, t, 2, 3);
        org.mmsim.kernel.testing.TestKernels.write(k, t, a, 0x5);
        org.mmsim.kernel.testing.TestKernels.write(k, t, a + Page.PAGE_SIZE, 0x6);
        int ram = org.mmsim.kernel.mm.pgtable.Pte.pfn(t.mm().pte(a));
        long[] src = new long[2];
        int[] dst = new int[2];
        int r = k.exports().migrateVma(t.mm(), a, a + 2 * Page.PAGE_SIZE,
                org.mmsim.kernel.mm.migrate.MigrateDevice.SELECT_SYSTEM, 0, null, src, dst, (i, e) -> {
                    if (i == 0) {
                        return -1;
                    }
                    alloc.zoneDevicePageInit(first);
                    k.exports().copyHighpage(org.mmsim.kernel.mm.migrate.MigrateDevice.pfnOf(e), first);
                    return first;
                });
        assertThat(r).isZero();
        assertThat(org.mmsim.kernel.mm.pgtable.Pte.pfn(t.mm().pte(a))).isEqualTo(ram);
        assertThat(org.mmsim.kernel.mm.pgtable.Pte.pfn(t.mm().pte(a + Page.PAGE_SIZE))).isEqualTo(first);
        assertThat(dst).containsExactly(-1, first);
        assertThat(src[0] & org.mmsim.kernel.mm.migrate.MigrateDevice.MIGRATE_PFN_MIGRATE).isZero();
        assertThat(src[1] & org.mmsim.kernel.mm.migrate.MigrateDevice.MIGRATE_PFN_MIGRATE).isNotZero();
        assertThat(k.frames().word(first, 0)).isEqualTo(0x6);
        assertThat(freed).isEmpty();
        assertThat(Invariants.checkStep(k)).isEmpty();
    }
}
