package org.mmsim.kernel.mm.page;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.profile.Profiles;

/**
 * A copy of the allocator shares its free stacks until either side frees a frame: each side then takes frames in its
 * own order, and the fingerprint (the stacks' running hashes) follows.
 */
class PageAllocCopyTest {

    private static int take(PageAlloc alloc) {
        return alloc.allocPage(PageAlloc.GFP_HIGHUSER_MOVABLE);
    }

    @Test
    void framesFreedOnOneSideAfterACopyAreTakenOnlyOnThatSide() {
        Kernel k = Kernel.boot(Profiles.byName("6.18"), 64, 0);
        PageAlloc a = k.pageAlloc();
        int p1 = take(a);
        int p2 = take(a);
        int p3 = take(a);
        a.putPage(p1);
        Kernel c = k.copy();
        PageAlloc b = c.pageAlloc();
        long before = c.fingerprint();

        a.putPage(p2);
        assertThat(c.fingerprint()).isEqualTo(before);
        b.putPage(p3);

        assertThat(take(a)).isEqualTo(p2);
        assertThat(take(b)).isEqualTo(p3);
        assertThat(take(a)).isEqualTo(p1);
        assertThat(take(b)).isEqualTo(p1);
        // both have taken back what they freed: the same frames allocated, the same empty stacks
        assertThat(k.fingerprint()).isEqualTo(c.fingerprint());
    }

    @Test
    void equalStacksReachedInDifferentWaysHashAlike() {
        Kernel k = Kernel.boot(Profiles.byName("6.18"), 64, 0);
        PageAlloc a = k.pageAlloc();
        int p1 = take(a);
        int p2 = take(a);
        Kernel c = k.copy();
        PageAlloc b = c.pageAlloc();

        a.putPage(p1);
        a.putPage(p2);
        take(a);
        a.putPage(p2);
        b.putPage(p1);
        b.putPage(p2);

        assertThat(k.fingerprint()).isEqualTo(c.fingerprint());
    }

    @Test
    void aFreeInOneZoneLeavesTheOtherZonesStackSharedButBothSidesApart() {
        Kernel k = Kernel.boot(Profiles.byName("6.18"), 64, 64);
        PageAlloc a = k.pageAlloc();
        int normal1 = a.allocPage(PageAlloc.GFP_KERNEL);
        int normal2 = a.allocPage(PageAlloc.GFP_KERNEL);
        int movable1 = take(a);
        int movable2 = take(a);
        assertThat(a.zoneOf(movable1)).isEqualTo(Zone.MOVABLE);
        assertThat(a.zoneOf(normal1)).isEqualTo(Zone.NORMAL);
        Kernel c = k.copy();
        PageAlloc b = c.pageAlloc();

        // each side frees into the normal zone first (copying only that stack), then into the movable zone
        a.putPage(normal1);
        b.putPage(normal2);
        long copyBefore = c.fingerprint();
        a.putPage(movable1);
        assertThat(c.fingerprint()).isEqualTo(copyBefore);
        b.putPage(movable2);

        assertThat(take(a)).isEqualTo(movable1);
        assertThat(take(b)).isEqualTo(movable2);
        assertThat(a.allocPage(PageAlloc.GFP_KERNEL)).isEqualTo(normal1);
        assertThat(b.allocPage(PageAlloc.GFP_KERNEL)).isEqualTo(normal2);
        assertThat(k.fingerprint()).isEqualTo(c.fingerprint());
    }
}
