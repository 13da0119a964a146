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
    void aFreeIntoOneZoneCopiesThatZonesStackOnlyAndTheOtherStaysSharedUntilItsOwnFree() {
        Kernel k = Kernel.boot(Profiles.byName("6.18"), 64, 64);
        PageAlloc a = k.pageAlloc();
        int normal = a.allocPage(PageAlloc.GFP_KERNEL);
        int m1 = take(a);
        int m2 = take(a);
        int m3 = take(a);
        assertThat(a.zoneOf(normal)).isEqualTo(Zone.NORMAL);
        assertThat(a.zoneOf(m1)).isEqualTo(Zone.MOVABLE);
        a.putPage(m1);
        a.putPage(m2);
        Kernel c = k.copy();
        PageAlloc b = c.pageAlloc();
        long copyBefore = c.fingerprint();

        // the free into the normal zone copies that stack; the movable one is still shared, so the free of m3 below
        // must copy it before writing where the copy's stack still holds m2
        a.putPage(normal);
        assertThat(take(a)).isEqualTo(m2);
        a.putPage(m3);

        assertThat(c.fingerprint()).isEqualTo(copyBefore);
        assertThat(take(b)).isEqualTo(m2);
        assertThat(take(b)).isEqualTo(m1);
        assertThat(take(a)).isEqualTo(m3);
        assertThat(a.allocPage(PageAlloc.GFP_KERNEL)).isEqualTo(normal);
    }
}
