package org.mmsim.explore;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;

/**
 * The only threads of the explorer: {@code n} daemon threads that run one job per worker number, started together
 * ({@link #forEach}) and awaited together, so that the caller can file one batch's results while the next is
 * computed. What the jobs compute must not depend on which thread runs them or when: {@link BreadthFirst} has the
 * workers claim the states of a batch ({@link #forEach}) and expand them, reading only the level being expanded, and
 * files the results itself, in order, so the report is the same for any number of workers. The threads are started
 * at the first {@link #forEach}, so a search that never needs them starts none.
 */
final class Workers implements AutoCloseable {
    private final int n;
    private ExecutorService pool;

    Workers(int n) {
        this.n = n;
    }

    /**
     * How often a caller waiting for jobs ({@link Pending#await(BooleanSupplier)}) asks whether to give them up: a
     * batch of states looked ahead from to the leaves can take seconds, and a time budget or an interrupt must not
     * wait that long.
     */
    private static final long POLL_MILLIS = 10;

    /** What a worker does with one index of a range ({@link #forEach}). */
    @FunctionalInterface
    interface IndexJob {
        /** {@code abandoned} says when the caller gave the jobs up ({@link Pending#abandon}): finish soon. */
        void run(int worker, int index, BooleanSupplier abandoned);
    }

    /**
     * Runs {@code job} for every index of {@code from .. to - 1} on the pool's threads and returns at once: the workers
     * take the indexes {@code claim} at a time, in order, whoever is free next, so that one slow index does not leave
     * the others idle, and take none once the jobs are abandoned. Which worker gets an index depends on timing; the
     * job's result must not.
     */
    Pending forEach(int from, int to, int claim, IndexJob job) {
        AtomicInteger taken = new AtomicInteger(from);
        Pending p = new Pending();
        if (pool == null) {
            pool = Executors.newFixedThreadPool(n, r -> {
                Thread t = new Thread(r, "mmsim-explore");
                t.setDaemon(true);
                return t;
            });
        }
        for (int w = 0; w < n; w++) {
            int worker = w;
            p.futures.add(pool.submit(() -> {
                for (int start; !p.abandoned && (start = taken.getAndAdd(claim)) < to; ) {
                    for (int i = start, end = Math.min(to, start + claim); i < end; i++) {
                        job.run(worker, i, p::abandoned);
                    }
                }
            }));
        }
        return p;
    }

    /** Jobs started together. */
    static final class Pending {
        private final List<Future<?>> futures = new ArrayList<>();
        /** Set by the caller that gives the jobs up; read by the workers before each index and as they work. */
        private volatile boolean abandoned;

        private Pending() {
        }

        /** Whether the caller gave these jobs up: what they compute from now on will not be used. */
        boolean abandoned() {
            return abandoned;
        }

        /** Gives the jobs up: the workers take no further index and cut short what they are doing. */
        void abandon() {
            abandoned = true;
        }

        /**
         * Waits for every job, then rethrows the first failure: no job is still running when this returns or throws
         * (one that gave up, {@link StepAbandoned}, must not race the search winding down).
         */
        void await() {
            await(() -> false);
        }

        /**
         * As {@link #await()}, asking {@code stop} every {@value #POLL_MILLIS} ms while a job runs and abandoning the
         * jobs ({@link #abandon}) once it says yes; then still waits for them to end.
         *
         * @return whether the jobs were abandoned
         */
        boolean await(BooleanSupplier stop) {
            Throwable first = null;
            for (Future<?> f : futures) {
                try {
                    while (!join(f)) {
                        if (!abandoned && stop.getAsBoolean()) {
                            abandon();
                        }
                    }
                } catch (RuntimeException | Error e) {
                    if (first == null) {
                        first = e;
                    }
                }
            }
            if (first instanceof RuntimeException r) {
                throw r;
            }
            if (first instanceof Error e) {
                throw e;
            }
            return abandoned;
        }
    }

    /** Waits up to {@value #POLL_MILLIS} ms for {@code f}; whether it is done. */
    private static boolean join(Future<?> f) {
        try {
            f.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while workers expanded states", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c);
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    /**
     * The new states of the level being built whose steps some worker has already taken ahead ({@link Lookahead}), so
     * that a worker that makes the same state from another parent leaves them to that record instead of taking them
     * again.
     *
     * <p>Why. A worker looks ahead only from a child that the visited set does not yet hold ({@link Expander#expand}),
     * but with workers the visited set lags: the children of the batches in flight are filed only after them, so a
     * state with several parents in one level looked new to each worker that made it, and had its steps taken once
     * per parent. On bench/scenarios/merge-heavy.mms (59,049 states, each reached from about four parents) two workers
     * copied the machine 543,544 times where one worker copies it 252,983 times, and ran slower than one.
     *
     * <p>How. A table of 2^{@value #BITS} words, a state's fingerprint (mixed with the level, so that no table needs
     * clearing between levels) swapped into its home slot: a worker that finds its own key there was beaten to the
     * state. Two states sharing a slot evict each other, and then both are looked ahead from, as before; either way,
     * which worker looks ahead only decides what work is saved, never a result (the records are the same from any
     * parent). Here, with the workers, because it is the explorer's other concurrent structure.
     */
    static final class Claims {
        private static final int BITS = 16;
        private final AtomicLongArray slots = new AtomicLongArray(1 << BITS);
        /** Mixed into every key: renewed for each level ({@link #renew}) before the workers start on it. */
        private long salt;

        /** The next level: nothing is claimed on it. */
        void renew(int level) {
            salt = (level + 1L) * 0x9E3779B97F4A7C15L ^ 0x6d6d73696d636c61L;
        }

        /** Whether the caller is the first to claim the state with fingerprint {@code fp} on this level, as known. */
        boolean claim(long fp) {
            long key = FingerprintSet.key(fp ^ salt);
            return slots.getAndSet(FingerprintSet.home(key, BITS), key) != key;
        }
    }
}
