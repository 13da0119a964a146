package org.mmsim.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.TestKernels.PAGE;
import static org.mmsim.kernel.TestKernels.RW;
import static org.mmsim.kernel.TestKernels.boot;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmsim.kernel.profile.Profiles;

/** The same calls in the same order give the same PFNs, addresses and journal, byte for byte. */
class DeterminismTest {

    static Iterable<String> allProfiles() {
        return Profiles.names();
    }

    /** One fixed history; returns every address and PFN it saw, in order. */
    private static List<Long> history(Kernel k) {
        List<Long> seen = new ArrayList<>();
        Task p = k.spawn("parent");
        long a = k.mmap(p, 0, 4 * PAGE, RW, TestKernels.PRIVATE_ANON);
        seen.add(a);
        for (int i = 0; i < 3; i++) {
            k.store(p, a + i * PAGE, 100 + i);
        }
        k.load(p, a + 3 * PAGE);
        Task c = k.fork(p, "child");
        k.store(c, a, 7);
        k.store(p, a + PAGE, 8);
        GupPages g = k.gup(p, a, 2, 0, false, true);
        seen.add(g.ret());
        Pipe pipe = k.pipe();
        seen.add(k.vmsplice(c, pipe, a + 2 * PAGE, PAGE));
        k.munmap(c, a + 2 * PAGE, PAGE);
        k.store(p, a + 2 * PAGE, 9);
        k.madvise(p, a, PAGE, Mman.MADV_DONTNEED);
        k.store(p, a, 10);
        seen.add(k.pipeRead(pipe, 0).value());
        seen.add(k.mmapDevice(c, PAGE, RW));
        for (Task t : List.of(p, c)) {
            for (int i = 0; i < 4; i++) {
                seen.add(t.mm().pte(a + i * PAGE));
            }
        }
        k.release(g, false);
        k.exit(c);
        k.exit(p);
        return seen;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allProfiles")
    void twoKernelsRunningTheSameHistoryAgreeExactly(String profile) {
        Kernel first = boot(profile);
        Kernel second = boot(profile);
        RecordingJournal j1 = new RecordingJournal();
        RecordingJournal j2 = new RecordingJournal();
        first.setJournal(j1);
        second.setJournal(j2);

        List<Long> seen1 = history(first);
        List<Long> seen2 = history(second);

        assertThat(seen2).isEqualTo(seen1);
        assertThat(j2.lines()).isEqualTo(j1.lines());
        assertThat(j1.lines()).hasSizeGreaterThan(50);
        assertThat(second.time()).isEqualTo(first.time());
    }

    @Test
    void theJournalSeesFunctionsPagesPtesAndNotes() {
        Kernel k = boot("6.18");
        RecordingJournal journal = new RecordingJournal();
        k.setJournal(journal);
        Task p = k.spawn("p");
        long a = k.mmap(p, 0, PAGE, RW, TestKernels.PRIVATE_ANON);

        k.store(p, a, 5);

        assertThat(journal.lines()).contains(
                "path do_mmap",
                "path do_anonymous_page",
                "page 1 refcount 0 -> 1",
                "page 1 mapcount 0 -> 1",
                "page 1 data[0] 0 -> 5");
        assertThat(journal.lines()).anyMatch(l -> l.startsWith("note mm 1: vma "));
        assertThat(journal.lines()).anyMatch(l -> l.startsWith(String.format("pte mm 1 %#x none -> pfn 1 ", a)));
    }

    @Test
    void aDetachedJournalRecordsNothingMore() {
        Kernel k = boot("6.18");
        RecordingJournal journal = new RecordingJournal();
        k.setJournal(journal);
        Task p = k.spawn("p");
        long a = k.mmap(p, 0, PAGE, RW, TestKernels.PRIVATE_ANON);
        int before = journal.lines().size();

        k.setJournal(null);
        k.store(p, a, 5);

        assertThat(journal.lines()).hasSize(before);
    }
}
