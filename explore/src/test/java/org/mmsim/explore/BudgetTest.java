package org.mmsim.explore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Every limit ends the search cleanly, says why, and keeps what was found. */
class BudgetTest {
    @Test
    void maxStatesStopsAtThatManyStates() {
        Report r = Explorer.exhaustive(new Counters(2, 2), Options.defaults().withMaxStates(5));

        assertThat(r.complete()).isFalse();
        assertThat(r.stopReason()).isEqualTo("max-states");
        assertThat(r.states()).isEqualTo(5);
        assertThat(r.depth()).isEqualTo(2);
    }

    @Test
    void maxStatesEqualToTheStateCountStillCompletes() {
        Report r = Explorer.exhaustive(new Counters(2, 2), Options.defaults().withMaxStates(9));

        assertThat(r.complete()).isTrue();
        assertThat(r.stopReason()).isNull();
        assertThat(r.states()).isEqualTo(9);
    }

    @Test
    void aStopKeepsTheFindingsSoFar() {
        Report r = Explorer.exhaustive(new TwoLocks(), Options.defaults().withMaxStates(6));

        assertThat(r.stopReason()).isEqualTo("max-states");
        assertThat(r.deadlockSchedule()).containsExactly(0, 1);
        assertThat(r.deadlocks()).isEqualTo(1);
    }

    @Test
    void anInterruptStopsBeforeTheFirstStep() {
        Report r = Explorer.exhaustive(new Counters(2, 2), Options.defaults().withInterrupted(() -> true));

        assertThat(r.complete()).isFalse();
        assertThat(r.stopReason()).isEqualTo("interrupted");
        assertThat(r.states()).isEqualTo(1);
        assertThat(r.transitions()).isZero();
    }

    private static final long P = BreadthFirst.POLL_PERIOD;

    @Test
    void anInterruptIsPolledEveryPollPeriodSteps() {
        AtomicLong polls = new AtomicLong();
        Options opts = Options.defaults().withReduction(false).withInterrupted(() -> polls.incrementAndGet() > 2);

        Report r = Explorer.exhaustive(new Counters(3, 20), opts);

        assertThat(r.stopReason()).isEqualTo("interrupted");
        assertThat(r.transitions()).isEqualTo(2 * P);
        assertThat(polls).hasValue(3);
    }

    @Test
    void anInterruptStopsRandomSearchBeforeTheNextRun() {
        AtomicLong polls = new AtomicLong();
        Options opts = Options.defaults().withMode(Options.Mode.RANDOM_WALK)
                .withInterrupted(() -> polls.incrementAndGet() > 3);

        Report r = Explorer.random(new LostUpdate(), opts);

        assertThat(r.stopReason()).isEqualTo("interrupted");
        assertThat(r.executions()).isEqualTo(3);
    }

    /** The clock is read at the start, at each poll (start, P steps, 2P steps) and at the end. */
    @Test
    void theTimeLimitIsReadFromTheClock() {
        long[] now = {0};
        Options opts = Options.defaults().withReduction(false).withMaxSeconds(2)
                .withClock(() -> now[0] += 700_000_000L);

        Report r = Explorer.exhaustive(new Counters(3, 20), opts);

        assertThat(r.stopReason()).isEqualTo("max-seconds");
        assertThat(r.transitions()).isEqualTo(2 * P);
        assertThat(r.complete()).isFalse();
        assertThat(r.elapsedNanos()).isEqualTo(2_800_000_000L);
    }

    @Test
    void progressIsReportedAtEveryPollOnceASecondHasPassed() {
        long[] now = {0};
        List<Long> transitions = new ArrayList<>();
        List<Long> elapsed = new ArrayList<>();
        Options opts = Options.defaults().withReduction(false).withClock(() -> now[0] += 1_000_000_000L)
                .withProgress((s, s0, t, d, e) -> {
                    transitions.add(t);
                    elapsed.add(e);
                });

        Report r = Explorer.exhaustive(new Counters(2, 40), opts);

        assertThat(r.transitions()).isEqualTo(2 * 40 * 41);
        List<Long> everyPoll = new ArrayList<>();
        List<Long> seconds = new ArrayList<>();
        for (long t = 0; t <= 2 * 40 * 41; t += P) {
            everyPoll.add(t);
            seconds.add((everyPoll.size()) * 1_000_000_000L);
        }
        assertThat(transitions).isEqualTo(everyPoll);
        assertThat(elapsed).isEqualTo(seconds);
    }

    /** A resumed search counts the checkpoint's states as found but says so, so that a rate counts only its own. */
    @Test
    void progressOfAResumedSearchSaysHowManyStatesItBeganWith() throws java.io.IOException {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("mmsim", ".ckpt");
        try {
            List<long[]> first = new ArrayList<>();
            Report stopped = Explorer.exhaustive(new Counters(2, 40), Options.defaults().withReduction(false)
                    .withMaxStates(500).withCheckpoint(file).withClock(secondsPerRead())
                    .withProgress((s, s0, t, d, e) -> first.add(new long[] {s, s0})));
            List<long[]> resumed = new ArrayList<>();
            Report whole = Explorer.exhaustive(new Counters(2, 40), Options.defaults().withReduction(false)
                    .withResume(file).withClock(secondsPerRead())
                    .withProgress((s, s0, t, d, e) -> resumed.add(new long[] {s, s0})));

            assertThat(stopped.states()).isEqualTo(500);
            assertThat(whole.states()).isEqualTo(41 * 41);
            assertThat(first).isNotEmpty().allSatisfy(p -> assertThat(p[1]).isZero());
            assertThat(resumed).isNotEmpty().allSatisfy(p -> {
                assertThat(p[1]).isEqualTo(500);
                assertThat(p[0]).isGreaterThanOrEqualTo(500);
            });
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    /** A clock that moves one second at every read, so that every poll reports progress. */
    private static java.util.function.LongSupplier secondsPerRead() {
        long[] now = {0};
        return () -> now[0] += 1_000_000_000L;
    }

    @Test
    void progressIsReportedAtMostOncePerSecond() {
        long[] now = {0};
        List<Long> transitions = new ArrayList<>();
        List<Long> elapsed = new ArrayList<>();
        Options opts = Options.defaults().withReduction(false).withClock(() -> now[0] += 600_000_000L)
                .withProgress((s, s0, t, d, e) -> {
                    transitions.add(t);
                    elapsed.add(e);
                });

        Explorer.exhaustive(new Counters(2, 40), opts);

        // polls read 0.6 s apart: a report at every second poll after the first, 1.2 s apart
        List<Long> reported = new ArrayList<>();
        List<Long> at = new ArrayList<>();
        for (long t = P; t <= 2 * 40 * 41; t += 2 * P) {
            reported.add(t);
            at.add(reported.size() * 1_200_000_000L);
        }
        assertThat(transitions).isEqualTo(reported);
        assertThat(elapsed).isEqualTo(at);
    }

    @Test
    void aHeapLimitBelowTheLiveSetStopsTheSearch() {
        Report r = Explorer.exhaustive(new Counters(3, 20), Options.defaults().withHeapFraction(1e-9));

        assertThat(r.stopReason()).isEqualTo("heap");
        assertThat(r.states()).as("checked every 256 states").isEqualTo(256);
    }

    /**
     * The clock and the interrupt stop a search whose workers' expansions are still filed ({@code fileAfterStop}), and
     * the heap check then asks only about the heap; the state budget and the heap stop it for good.
     */
    @Test
    void aStopByTheClockOrAnInterruptLeavesTheHeapToBeAskedAlone() {
        Budget interrupted = new Budget(Options.defaults().withInterrupted(() -> true));
        assertThat(interrupted.poll(0, 0, 0)).isFalse();
        assertThat(interrupted.stoppedByClock()).isTrue();
        assertThat(interrupted.heapOk()).isFalse();
        assertThat(interrupted.heapRoom()).isTrue();
        assertThat(interrupted.stopReason()).isEqualTo("interrupted");

        long[] now = {0};
        Budget clock = new Budget(Options.defaults().withMaxSeconds(1).withClock(() -> now[0] += 2_000_000_000L));
        assertThat(clock.poll(0, 0, 0)).isFalse();
        assertThat(clock.stoppedByClock()).isTrue();

        Budget states = new Budget(Options.defaults().withMaxStates(3));
        assertThat(states.admit(3)).isFalse();
        assertThat(states.stoppedByClock()).isFalse();

        Budget heap = new Budget(Options.defaults().withHeapFraction(1e-9).withInterrupted(() -> true));
        assertThat(heap.heapOk()).isFalse();
        assertThat(heap.stopReason()).isEqualTo("heap");
        assertThat(heap.stoppedByClock()).isFalse();
        assertThat(heap.heapRoom()).isFalse();
    }

    @Test
    void badOptionsNameThemselves() {
        assertThatThrownBy(() -> Options.defaults().withMaxStates(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxStates must be at least 1: 0");
        assertThatThrownBy(() -> Options.defaults().withPctDepth(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pctDepth must be in 1..1048576: 0");
    }

    /** Counters whose steps give up, as a model's own budget does, once {@code limit} steps have run. */
    private static final class GivesUp implements Model<int[]> {
        private final Counters inner = new Counters(2, 20);
        private final long limit;
        private long steps;

        /** Whether the work it gives up on ran out of heap rather than time ({@link StepAbandoned#outOfHeap}). */
        private boolean heap;

        GivesUp(long limit) {
            this.limit = limit;
        }

        GivesUp outOfHeap() {
            heap = true;
            return this;
        }

        @Override
        public int[] initial() {
            return inner.initial();
        }

        @Override
        public int[] copy(int[] state) {
            return inner.copy(state);
        }

        @Override
        public int threads() {
            return inner.threads();
        }

        @Override
        public int enabled(int[] state) {
            return inner.enabled(state);
        }

        @Override
        public boolean done(int[] state) {
            return inner.done(state);
        }

        @Override
        public long step(int[] state, int thread) {
            if (++steps > limit) {
                throw heap ? new StepAbandoned("out of heap inside a step") {
                    @Override
                    public boolean outOfHeap() {
                        return true;
                    }
                } : new StepAbandoned("out of time inside a step");
            }
            return inner.step(state, thread);
        }

        @Override
        public long fingerprint(int[] state) {
            return inner.fingerprint(state);
        }

        @Override
        public List<String> violations(int[] state) {
            return List.of();
        }

        @Override
        public boolean holds(int[] state) {
            return true;
        }
    }

    /** A step the model abandons stops the search as its time limit does, with what was found so far. */
    @Test
    void aStepTheModelAbandonsStopsTheSearchAtMaxSeconds() {
        Report full = Explorer.exhaustive(new GivesUp(Long.MAX_VALUE), Options.defaults().withReduction(false));
        Report r = Explorer.exhaustive(new GivesUp(100), Options.defaults().withReduction(false));
        Report random = Explorer.random(new GivesUp(100), Options.defaults().withMode(Options.Mode.RANDOM_WALK));

        assertThat(full.complete()).isTrue();
        assertThat(r.stopReason()).isEqualTo("max-seconds");
        assertThat(r.complete()).isFalse();
        assertThat(r.states()).isPositive().isLessThan(full.states());
        assertThat(random.stopReason()).isEqualTo("max-seconds");
        assertThat(random.executions()).isLessThan(1000);
    }

    /** Work the model abandons because the heap ran out stops the search at its heap limit, in every mode. */
    @Test
    void workTheModelAbandonsForWantOfHeapStopsTheSearchAtHeap() {
        Report r = Explorer.exhaustive(new GivesUp(100).outOfHeap(), Options.defaults().withReduction(false));
        Report random = Explorer.random(new GivesUp(100).outOfHeap(),
                Options.defaults().withMode(Options.Mode.RANDOM_WALK));

        assertThat(r.stopReason()).isEqualTo("heap");
        assertThat(r.complete()).isFalse();
        assertThat(r.states()).isPositive();
        assertThat(random.stopReason()).isEqualTo("heap");
    }

    /** Counters whose steps run out of heap, as a worker's allocation does in a heap too small, after {@code limit}. */
    private static final class RunsOutOfHeap extends Delegating<int[]> {
        private final AtomicLong steps = new AtomicLong();
        private final long limit;

        RunsOutOfHeap(long limit) {
            super(new Counters(3, 6));
            this.limit = limit;
        }

        @Override
        public long step(int[] state, int thread) {
            if (steps.incrementAndGet() > limit) {
                throw new OutOfMemoryError("Java heap space (test)");
            }
            return super.step(state, thread);
        }
    }

    /**
     * The heap running out while states are expanded, alone or by workers, stops the search at its heap limit with
     * what it found, and a checkpoint written then resumes to the counts of a search never stopped.
     */
    @Test
    void theHeapRunningOutWhileStatesAreExpandedStopsTheSearchAtItsHeapLimit() throws java.io.IOException {
        Options opts = Options.defaults().withReduction(false);
        Report whole = new BreadthFirst<>(new Counters(3, 6), opts, 1).run();
        for (int workers = 1; workers <= 2; workers++) {
            java.nio.file.Path file = java.nio.file.Files.createTempFile("mmsim", ".ckpt");
            try {
                Report r = new BreadthFirst<>(new RunsOutOfHeap(150), opts.withWorkers(workers).withCheckpoint(file), 1)
                        .run();

                assertThat(r.stopReason()).as("%d workers", workers).isEqualTo("heap");
                assertThat(r.complete()).isFalse();
                assertThat(r.states()).isPositive().isLessThan(whole.states());
                Report resumed = new BreadthFirst<>(new Counters(3, 6), opts.withResume(file).withWorkers(workers), 1)
                        .run();
                assertThat(ReportSummary.of(resumed)).isEqualTo(ReportSummary.of(whole));
            } finally {
                java.nio.file.Files.deleteIfExists(file);
            }
        }
    }
}
