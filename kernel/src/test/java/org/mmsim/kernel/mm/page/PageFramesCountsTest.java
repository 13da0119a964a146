package org.mmsim.kernel.mm.page;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.profile.Profiles;

/** {@link PageFrames#counts} reads what {@code refcount}, {@code mapcount} and {@code flags} read, frame by frame. */
class PageFramesCountsTest {

    private static void assertCountsMatch(PageFrames frames, int pfn) {
        int[] counts = {-7, -7, -7};
        frames.counts(pfn, counts);
        assertThat(counts).as("pfn %d", pfn)
                .containsExactly(frames.refcount(pfn), frames.mapcount(pfn), frames.flags(pfn));
    }

    @Test
    void oneLookupReadsTheThreeFieldsOfWrittenAndUnwrittenFrames() {
        Kernel k = Kernel.boot(Profiles.byName("6.18"), 64, 0);
        PageFrames frames = k.frames();
        int p = k.pageAlloc().allocPage(PageAlloc.GFP_HIGHUSER_MOVABLE);
        frames.setMapcount(p, 3);
        frames.setRefcount(p, 5);
        frames.set(p, PageFlags.PG_DIRTY);
        int freed = k.pageAlloc().allocPage(PageAlloc.GFP_HIGHUSER_MOVABLE);
        k.pageAlloc().putPage(freed);

        assertCountsMatch(frames, p);
        assertCountsMatch(frames, freed);
        assertCountsMatch(frames, 40); // in no section written yet, or in one with other frames written
        int[] counts = new int[3];
        frames.counts(p, counts);
        assertThat(counts).containsExactly(5, 3, frames.flags(p));
        assertThat(counts[2] & PageFlags.PG_DIRTY).isNotZero();
    }
}
