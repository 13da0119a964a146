package org.mmsim.kernel.mm.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.profile.Profiles;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.testing.RecordingJournal;
import org.mmsim.kernel.trace.Change;
import org.mmsim.kernel.trace.Change.Field;

/**
 * The updates of {@link PageFrames} that read and write a frame in one access: they write what the separate reads and
 * setters wrote, journal the same changes in the same order, and a refused update writes nothing.
 */
class PageFramesUpdateTest {
    private Kernel k;
    private PageFrames frames;
    private RecordingJournal journal;
    private int pfn;

    @BeforeEach
    void boot() {
        k = Kernel.boot(Profiles.byName("6.18"), 64, 0);
        frames = k.frames();
        pfn = k.pageAlloc().allocPage(PageAlloc.GFP_HIGHUSER_MOVABLE);
        journal = new RecordingJournal();
        k.attach(journal);
    }

    @Test
    void addRefcountWritesOnlyFromItsMinimumAndReturnsTheCountBefore() {
        assertThat(frames.addRefcount(pfn, 2, 1)).isEqualTo(1);
        assertThat(frames.refcount(pfn)).isEqualTo(3);
        assertThat(frames.addRefcount(pfn, -3, 4)).as("refused: 3 is below 4").isEqualTo(3);
        assertThat(frames.refcount(pfn)).isEqualTo(3);
        assertThat(frames.addRefcount(pfn, -3, 3)).isEqualTo(3);
        assertThat(frames.refcount(pfn)).isZero();
        assertThat(journal.changes()).containsExactly(
                new Change.PageField(pfn, Field.REFCOUNT, 0, 1, 3),
                new Change.PageField(pfn, Field.REFCOUNT, 0, 3, 0));
    }

    @Test
    void addMapcountCountsWithoutTheBiasAndRefusesBelowItsMinimum() {
        assertThat(frames.addMapcount(pfn, -1, 1)).as("unmapped: refused").isZero();
        assertThat(frames.mapcount(pfn)).isZero();
        assertThat(frames.addMapcount(pfn, 2, Integer.MIN_VALUE)).isZero();
        assertThat(frames.addMapcount(pfn, -1, 1)).isEqualTo(2);
        assertThat(frames.mapcount(pfn)).isEqualTo(1);
        assertThat(journal.changes()).containsExactly(
                new Change.PageField(pfn, Field.MAPCOUNT, 0, 0, 2),
                new Change.PageField(pfn, Field.MAPCOUNT, 0, 2, 1));
    }

    @Test
    void setAndClearChangeOneFlagAndJournalOnlyAChange() {
        frames.set(pfn, PageFlags.PG_DIRTY);
        frames.set(pfn, PageFlags.PG_DIRTY);
        frames.set(pfn, PageFlags.PG_LRU);
        frames.clear(pfn, PageFlags.PG_DIRTY);
        assertThat(frames.flags(pfn)).isEqualTo(PageFlags.PG_LRU);
        assertThat(journal.changes()).containsExactly(
                new Change.PageField(pfn, Field.FLAGS, 0, 0, PageFlags.PG_DIRTY),
                new Change.PageField(pfn, Field.FLAGS, 0, PageFlags.PG_DIRTY, PageFlags.PG_DIRTY | PageFlags.PG_LRU),
                new Change.PageField(pfn, Field.FLAGS, 0, PageFlags.PG_DIRTY | PageFlags.PG_LRU, PageFlags.PG_LRU));
    }

    @Test
    void setNewRmapWritesMapcountFlagsMappingAndIndexInTheSettersOrder() {
        frames.set(pfn, PageFlags.PG_LRU);
        frames.setNewRmap(pfn, 1, PageFlags.PG_ANON, 7, 0x42);
        assertThat(frames.mapcount(pfn)).isEqualTo(1);
        assertThat(frames.flags(pfn)).isEqualTo(PageFlags.PG_LRU | PageFlags.PG_ANON);
        assertThat(frames.mapping(pfn)).isEqualTo(7);
        assertThat(frames.index(pfn)).isEqualTo(0x42);
        assertThat(journal.changes()).containsExactly(
                new Change.PageField(pfn, Field.FLAGS, 0, 0, PageFlags.PG_LRU),
                new Change.PageField(pfn, Field.MAPCOUNT, 0, 0, 1),
                new Change.PageField(pfn, Field.FLAGS, 0, PageFlags.PG_LRU, PageFlags.PG_LRU | PageFlags.PG_ANON),
                new Change.PageField(pfn, Field.MAPPING, 0, 0, 7));
    }

    @Test
    void storeWordWritesTheWordAndItsWriter() {
        frames.storeWord(pfn, 1, 0x99, 3, 2);
        frames.storeWord(pfn, 1, 0x99, 4, 5);
        assertThat(frames.word(pfn, 1)).isEqualTo(0x99);
        assertThat(frames.writer(pfn)).isEqualTo(4);
        assertThat(frames.writeEpoch(pfn)).isEqualTo(5);
        assertThat(journal.changes()).as("the same value again is no change of the data")
                .containsExactly(new Change.PageField(pfn, Field.DATA, 1, 0, 0x99));
    }

    @Test
    void freePrepareKeepsTheDataAndDropsFlagsAndMapping() {
        frames.setMapping(pfn, 5, 9);
        frames.set(pfn, PageFlags.PG_ANON);
        frames.setWord(pfn, 0, 0x10);
        RecordingJournal after = new RecordingJournal();
        k.attach(after);
        assertThat(frames.freePrepare(pfn)).as("page_mapcount").isZero();
        assertThat(frames.flags(pfn)).isZero();
        assertThat(frames.mapping(pfn)).isZero();
        assertThat(frames.index(pfn)).isZero();
        assertThat(frames.word(pfn, 0)).isEqualTo(0x10);
        assertThat(after.changes()).containsExactly(
                new Change.PageField(pfn, Field.FLAGS, 0, PageFlags.PG_ANON, 0),
                new Change.PageField(pfn, Field.MAPPING, 0, 5, 0));
    }

    @Test
    void freePrepareLeavesAFrameStillMappedAsItWas() {
        frames.setMapping(pfn, 5, 9);
        frames.set(pfn, PageFlags.PG_ANON);
        frames.setMapcount(pfn, 2);
        RecordingJournal after = new RecordingJournal();
        k.attach(after);
        assertThat(frames.freePrepare(pfn)).as("page_mapcount, for bad_page").isEqualTo(2);
        assertThat(frames.flags(pfn)).isEqualTo(PageFlags.PG_ANON);
        assertThat(frames.mapping(pfn)).isEqualTo(5);
        assertThat(frames.index(pfn)).isEqualTo(9);
        assertThat(after.changes()).isEmpty();
    }

    @Test
    void putPageOfAFrameStillMappedIsBadPageAndFreesNothing() {
        frames.set(pfn, PageFlags.PG_ANON);
        frames.setMapcount(pfn, 1);
        int allocated = k.pageAlloc().nrAllocated();

        assertThatThrownBy(() -> k.pageAlloc().putPage(pfn)).hasMessageContaining("bad_page")
                .hasMessageContaining("pfn " + pfn + " freed while mapped 1 times");
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(allocated);
        assertThat(frames.flags(pfn)).isEqualTo(PageFlags.PG_ANON);

        frames.setMapcount(pfn, 0);
        frames.addRefcount(pfn, 1, 0);
        k.pageAlloc().putPage(pfn);
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(allocated - 1);
        assertThat(frames.flags(pfn)).isZero();
    }

    @Test
    void unmapAndPutWritesWhatTheRmapRemovalAndThePutWroteInTheirOrder() {
        frames.set(pfn, PageFlags.PG_ANON);
        frames.setMapcount(pfn, 2);
        frames.addRefcount(pfn, 1, 1);
        RecordingJournal after = new RecordingJournal();
        k.attach(after);

        assertThat(frames.unmapAndPut(pfn, true)).as("refcount 2, mapcount 2 before").isEqualTo(StateHasher.pack(2, 2));
        assertThat(frames.mapcount(pfn)).isEqualTo(1);
        assertThat(frames.refcount(pfn)).isEqualTo(1);
        assertThat(after.changes()).containsExactly(
                new Change.PageField(pfn, Field.MAPCOUNT, 0, 2, 1),
                new Change.PageField(pfn, Field.REFCOUNT, 0, 2, 1));
    }

    @Test
    void unmapAndPutFreesThePageWhenItsLastReferenceGoes() {
        frames.set(pfn, PageFlags.PG_ANON);
        frames.setMapcount(pfn, 1);
        int allocated = k.pageAlloc().nrAllocated();

        k.pageAlloc().unmapAndPut(pfn);

        assertThat(frames.mapcount(pfn)).isZero();
        assertThat(frames.refcount(pfn)).isZero();
        assertThat(frames.flags(pfn)).as("free_pages_prepare").isZero();
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(allocated - 1);
        assertThat(k.pageAlloc().allocPage(PageAlloc.GFP_HIGHUSER_MOVABLE)).as("freed last, allocated first")
                .isEqualTo(pfn);
    }

    @Test
    void unmapAndPutOfTheLastReferenceJournalsThePrepareForFreeingAfterTheCounts() {
        frames.set(pfn, PageFlags.PG_ANON);
        frames.setMapcount(pfn, 1);
        RecordingJournal after = new RecordingJournal();
        k.attach(after);

        k.pageAlloc().unmapAndPut(pfn);

        assertThat(after.changes()).containsExactly(
                new Change.PageField(pfn, Field.MAPCOUNT, 0, 1, 0),
                new Change.PageField(pfn, Field.REFCOUNT, 0, 1, 0),
                new Change.PageField(pfn, Field.FLAGS, 0, PageFlags.PG_ANON, 0),
                new Change.PageFreed(pfn));
    }

    @Test
    void unmapAndPutOfTheLastReferenceToAPageStillMappedIsBadPage() {
        frames.set(pfn, PageFlags.PG_ANON);
        frames.setMapcount(pfn, 2);
        int allocated = k.pageAlloc().nrAllocated();

        assertThatThrownBy(() -> k.pageAlloc().unmapAndPut(pfn)).hasMessageContaining("bad_page")
                .hasMessageContaining("pfn " + pfn + " freed while mapped 1 times");
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(allocated);
        assertThat(frames.flags(pfn)).as("left as it was").isEqualTo(PageFlags.PG_ANON);
        assertThat(frames.mapcount(pfn)).isEqualTo(1);
    }

    @Test
    void unmapAndPutOfAnUnmappedPageIsAMapcountBugThatWritesNothing() {
        long before = frames.fingerprint();
        assertThatThrownBy(() -> k.pageAlloc().unmapAndPut(pfn)).hasMessageContaining("mapcount")
                .hasMessageContaining("pfn " + pfn + " unmapped more often than mapped");
        assertThat(frames.refcount(pfn)).isEqualTo(1);
        assertThat(frames.fingerprint()).isEqualTo(before);
    }

    @Test
    void unmapAndPutOfAMappedPageWithNoReferenceDropsOnlyTheMapcount() {
        frames.setMapcount(pfn, 1);
        frames.setRefcount(pfn, 0);
        assertThatThrownBy(() -> k.pageAlloc().unmapAndPut(pfn)).hasMessageContaining("page_ref")
                .hasMessageContaining("refcount of pfn " + pfn + " dropped below zero");
        assertThat(frames.mapcount(pfn)).isZero();
        assertThat(frames.refcount(pfn)).isZero();
    }

    @Test
    void aRefusedUpdateLeavesTheFingerprintAsItWas() {
        long before = frames.fingerprint();
        frames.addRefcount(pfn, -5, 5);
        frames.addMapcount(pfn, -1, 1);
        assertThat(frames.fingerprint()).isEqualTo(before);
        frames.addRefcount(pfn, 1, 1);
        assertThat(frames.fingerprint()).isNotEqualTo(before);
    }

    @Test
    void everyWriteChecksItsFrameNumber() {
        int beyond = frames.nrFrames();
        assertThatThrownBy(() -> frames.addRefcount(beyond, 1, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pfn out of range");
        assertThatThrownBy(() -> frames.storeWord(-1, 0, 1, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> frames.setRefcount(beyond, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
