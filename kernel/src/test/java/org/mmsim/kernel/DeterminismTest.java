package org.mmsim.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.PRIVATE_ANON;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmsim.kernel.testing.TestKernels;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.profile.Profiles;
import org.mmsim.kernel.syscall.FileSyscalls;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.InvariantsNotChecked;
import org.mmsim.kernel.testing.RecordingJournal;
import org.mmsim.kernel.trace.Change;
import org.mmsim.kernel.uapi.Mman;

/**
 * The same calls in the same order give the same PFNs, addresses, fds and journal, byte for byte. The drivers module's
 * {@code MmioDriverTest} runs a history with a device mapping.
 */
class DeterminismTest {

    static Iterable<String> allProfiles() {
        return Profiles.names();
    }

    /** One fixed history; returns every address, fd, return value and pte it saw, in order. */
    static List<Long> history(Kernel k) {
        Syscalls sys = k.syscalls();
        FileSyscalls fs = k.fileSyscalls();
        List<Long> seen = new ArrayList<>();
        Task p = k.spawn("parent");
        long a = sys.mmap(p, 0, 4 * PAGE, RW, PRIVATE_ANON).run();
        seen.add(a);
        for (int i = 0; i < 3; i++) {
            sys.store(p, a + i * PAGE, 100 + i).run();
        }
        sys.load(p, a + 3 * PAGE).run();
        Task c = sys.fork(p, "child").complete();
        sys.store(c, a, 7).run();
        sys.store(p, a + PAGE, 8).run();
        GupPages g = sys.getUserPagesFast(p, a, 2, 0).complete();
        seen.add(g.ret());
        int[] pipe = fs.pipe(c).complete();
        seen.add((long) pipe[0]);
        seen.add(fs.vmsplice(c, pipe[1], a + 2 * PAGE, PAGE).run());
        sys.munmap(c, a + 2 * PAGE, PAGE).run();
        sys.store(p, a + 2 * PAGE, 9).run();
        sys.madvise(p, a, PAGE, Mman.MADV_DONTNEED).run();
        sys.store(p, a, 10).run();
        seen.add(fs.read(c, pipe[0], 0).complete().value());
        for (Task t : List.of(p, c)) {
            for (int i = 0; i < 4; i++) {
                seen.add(t.mm().pte(a + i * PAGE));
            }
        }
        TestKernels.release(sys, p, g, false).run();
        sys.exit(c).run();
        sys.exit(p).run();
        return seen;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allProfiles")
    @InvariantsNotChecked(value = "the history is CVE-2020-29374's sequence, which leaks under the profiles before "
            + "5.8; what is checked here is that two machines agree", profiles = {"2.6.19", "2.6.23", "2.6.27", "4.8", "4.9", "5.7"})
    void twoKernelsRunningTheSameHistoryAgreeExactly(String profile) {
        Kernel first = boot(profile);
        Kernel second = boot(profile);
        RecordingJournal j1 = new RecordingJournal();
        RecordingJournal j2 = new RecordingJournal();
        first.attach(j1);
        second.attach(j2);

        List<Long> seen1 = history(first);
        List<Long> seen2 = history(second);

        assertThat(seen2).isEqualTo(seen1);
        assertThat(j2.lines()).isEqualTo(j1.lines());
        assertThat(j1.lines()).hasSizeGreaterThan(50);
        assertThat(second.mm().epoch(1)).isEqualTo(first.mm().epoch(1)).isPositive();
        assertThat(second.fingerprint()).isEqualTo(first.fingerprint());
    }

    @Test
    void theJournalSeesFunctionsPageFieldsPtesAndVmas() {
        Kernel k = boot("6.18");
        RecordingJournal journal = new RecordingJournal();
        k.attach(journal);
        Task p = k.spawn("p");
        long a = k.syscalls().mmap(p, 0, PAGE, RW, PRIVATE_ANON).run();

        k.syscalls().store(p, a, 5).run();

        assertThat(journal.lines()).contains("path do_mmap", "path do_anonymous_page");
        assertThat(journal.changes()).contains(
                new Change.PageField(1, Change.Field.REFCOUNT, 0, 0, 1),
                new Change.PageField(1, Change.Field.MAPCOUNT, 0, 0, 1),
                new Change.PageField(1, Change.Field.DATA, 0, 0, 5));
        assertThat(journal.changes()).anySatisfy(c -> assertThat(c).isInstanceOfSatisfying(Change.Vma.class,
                v -> assertThat(v).extracting(Change.Vma::mm, Change.Vma::event, Change.Vma::start)
                        .containsExactly(1, Change.VmaEvent.CREATED, a)));
        assertThat(journal.changes()).anySatisfy(c -> assertThat(c).isInstanceOfSatisfying(Change.Pte.class,
                pte -> {
                    assertThat(pte.mm()).isEqualTo(1);
                    assertThat(pte.address()).isEqualTo(a);
                    assertThat(pte.oldPte()).isZero();
                    assertThat(Pte.pfn(pte.newPte())).isEqualTo(1);
                }));
    }

    @Test
    void aDetachedJournalRecordsNothingMore() {
        Kernel k = boot("6.18");
        RecordingJournal journal = new RecordingJournal();
        k.attach(journal);
        Task p = k.spawn("p");
        long a = k.syscalls().mmap(p, 0, PAGE, RW, PRIVATE_ANON).run();
        int before = journal.lines().size();

        k.attach(null);
        k.syscalls().store(p, a, 5).run();

        assertThat(journal.lines()).hasSize(before);
    }
}
