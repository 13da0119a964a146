package org.mmsim.explore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Both cores and resumable searches change nothing a report says: a search expanded by several workers, and a search
 * stopped by a budget, checkpointed and resumed, end with exactly the report of one uninterrupted single-threaded
 * search (states, transitions, executions, outcomes, deadlocks, every shortest schedule), with and without reduction.
 */
class WorkersAndCheckpointsTest {
    @Provide
    Arbitrary<Programs> programs() {
        Arbitrary<Programs.Instr> instr = Combinators.combine(
                Arbitraries.of(Programs.Op.class), Arbitraries.integers().between(0, 1),
                Arbitraries.integers().between(0, 2)).as(Programs.Instr::new);
        return instr.list().ofMinSize(1).ofMaxSize(5).list().ofMinSize(2).ofMaxSize(4).map(Programs::new);
    }

    @Property(tries = 200)
    void workersGiveTheSingleThreadedReport(@ForAll("programs") Programs model, @ForAll boolean reduction,
            @ForAll @IntRange(min = 2, max = 4) int workers) {
        Options opts = Options.defaults().withReduction(reduction);
        Report one = new BreadthFirst<>(model, opts, 1).run();
        Report many = new BreadthFirst<>(model, opts.withWorkers(workers), 1).run();

        assertThat(summary(many)).isEqualTo(summary(one));
    }

    @Property(tries = 100)
    void workersStopWhereTheSingleThreadedSearchStops(@ForAll("programs") Programs model,
            @ForAll @IntRange(min = 1, max = 40) int maxStates) {
        Options opts = Options.defaults().withMaxStates(maxStates);
        Report one = new BreadthFirst<>(model, opts, 1).run();
        Report many = new BreadthFirst<>(model, opts.withWorkers(3), 1).run();

        assertThat(summary(many)).isEqualTo(summary(one));
    }

    @Property(tries = 150)
    void aResumedSearchEndsAsAnUninterruptedOne(@ForAll("programs") Programs model, @ForAll boolean reduction,
            @ForAll @IntRange(min = 1, max = 60) int stopAfter, @ForAll @IntRange(min = 1, max = 2) int workers)
            throws IOException {
        Options opts = Options.defaults().withReduction(reduction);
        Report whole = new BreadthFirst<>(model, opts, 1).run();
        Path file = Files.createTempFile("mmsim", ".ckpt");
        try {
            Report stopped = new BreadthFirst<>(model, opts.withMaxStates(stopAfter).withCheckpoint(file), 1).run();
            if (stopped.complete()) {
                assertThat(summary(stopped)).isEqualTo(summary(whole));
                return;
            }
            Report resumed = new BreadthFirst<>(model, opts.withResume(file).withWorkers(workers), 1).run();
            assertThat(summary(resumed)).isEqualTo(summary(whole));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Property(tries = 30)
    void aSearchResumedTwiceEndsAsAnUninterruptedOne(@ForAll @IntRange(min = 2, max = 200) int first,
            @ForAll @IntRange(min = 1, max = 200) int more) throws IOException {
        Counters model = new Counters(3, 3, c -> c[0] == 2 && c[1] == 1 ? List.of("bad: 2 and 1") : List.of());
        Options opts = Options.defaults();
        Report whole = new BreadthFirst<>(model, opts, 1).run();
        Path a = Files.createTempFile("mmsim", ".ckpt");
        Path b = Files.createTempFile("mmsim", ".ckpt");
        try {
            Report r = new BreadthFirst<>(model, opts.withMaxStates(first).withCheckpoint(a), 1).run();
            if (!r.complete()) {
                r = new BreadthFirst<>(model, opts.withResume(a).withMaxStates(first + more).withCheckpoint(b), 1)
                        .run();
                if (!r.complete()) {
                    r = new BreadthFirst<>(model, opts.withResume(b), 1).run();
                }
            }
            assertThat(summary(r)).isEqualTo(summary(whole));
        } finally {
            Files.deleteIfExists(a);
            Files.deleteIfExists(b);
        }
    }

    @Property(tries = 5)
    void aCheckpointOfAnotherModelIsRefused(@ForAll @IntRange(min = 2, max = 20) int stopAfter) throws IOException {
        Path file = Files.createTempFile("mmsim", ".ckpt");
        try {
            new BreadthFirst<>(new Counters(3, 3), Options.defaults().withMaxStates(stopAfter).withCheckpoint(file), 1)
                    .run();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BreadthFirst<>(new Counters(2, 5),
                    Options.defaults().withResume(file), 1).run())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another search");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Everything a report says but the time it took. */
    private static List<Object> summary(Report r) {
        List<Object> s = new ArrayList<>(List.of(r.states(), r.transitions(), r.depth(), r.executions(), r.positive(),
                r.negative(), r.finalStates(), r.positiveFinalStates(), r.deadlocks(), r.complete(),
                String.valueOf(r.stopReason()), String.valueOf(Arrays.toString(r.witness())),
                String.valueOf(Arrays.toString(r.counterWitness())),
                String.valueOf(Arrays.toString(r.deadlockSchedule()))));
        for (Map.Entry<String, int[]> v : r.violations().entrySet()) {
            s.add(v.getKey() + "=" + Arrays.toString(v.getValue()));
        }
        return s;
    }
}
