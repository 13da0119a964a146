package org.mmsim.kernel.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.mm.page.DevPagemapOps;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.profile.Profiles;

/**
 * The leak check at the end of an execution ({@link Invariants#checkAllFree}) names every frame still referenced, in
 * frame order and at most eight, whichever sections they lie in; it scans a section at a time
 * ({@code PageFrames.firstReferenced}).
 */
class CheckAllFreeTest {

    /** A machine that allocated {@code n} frames and freed all but those at the positions {@code kept}. */
    private static Kernel leaking(int n, int... kept) {
        Kernel k = Kernel.boot(Profiles.byName("6.18"), 256, 0);
        int[] pfns = new int[n];
        for (int i = 0; i < n; i++) {
            pfns[i] = k.pageAlloc().allocPage(PageAlloc.GFP_HIGHUSER_MOVABLE);
        }
        Set<Integer> keep = Arrays.stream(kept).boxed().collect(Collectors.toSet());
        for (int i = 0; i < n; i++) {
            if (!keep.contains(i)) {
                k.pageAlloc().putPage(pfns[i]);
            }
        }
        return k;
    }

    private static List<String> leaked(Kernel k) {
        return Invariants.checkAllFree(k).stream().map(Violation::message).map(m -> m.split(" ")[1]).toList();
    }

    @Test
    void namesEveryReferencedFrameInOrderAcrossSections() {
        Kernel k = leaking(40, 2, 15, 16, 39);
        List<Integer> pfns = new ArrayList<>();
        for (int pfn = 0; pfn < k.frames().nrFrames(); pfn++) {
            if (pfn != PageAlloc.ZERO_PFN && k.frames().refcount(pfn) != 0) { // the zero page is never allocated
                pfns.add(pfn);
            }
        }
        assertThat(pfns).hasSize(4);
        assertThat(leaked(k)).containsExactly(pfns.stream().map(String::valueOf).toArray(String[]::new));
        assertThat(Invariants.checkAllFree(k).get(0).message()).contains("refcount 1, mapcount 0");
    }

    @Test
    void withEveryFrameOfRamFreedItStillNamesADevicePageInUse() {
        Kernel k = leaking(20);
        int first = k.pageAlloc().memremapPages(2, new DevPagemapOps() {
            @Override
            public String name() {
                return "test_devmem_ops";
            }

            @Override
            public void folioFree(int pfn) {
            }
        });
        k.pageAlloc().zoneDevicePageInit(first + 1);

        assertThat(k.pageAlloc().nrAllocated()).isZero();
        assertThat(leaked(k)).containsExactly(String.valueOf(first + 1));
        k.pageAlloc().putPage(first + 1);
        assertThat(Invariants.checkAllFree(k)).isEmpty();
    }

    @Test
    void stopsAtEightAndIsEmptyWhenNothingLeaks() {
        assertThat(leaked(leaking(40, 0, 3, 6, 9, 12, 15, 18, 21, 24, 27))).hasSize(8);
        assertThat(Invariants.checkAllFree(leaking(40))).isEmpty();
    }
}
