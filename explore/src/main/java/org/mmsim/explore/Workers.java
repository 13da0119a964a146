package org.mmsim.explore;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The only threads of the explorer: {@code n} daemon threads that run one job per worker number, started together
 * ({@link #start}) and awaited together, so that the caller can file one batch's results while the next is
 * computed. What the jobs compute must not depend on which thread runs them or when: {@link BreadthFirst} has the
 * workers claim the states of a batch ({@link #forEach}) and expand them, reading only the level being expanded, and
 * files the results itself, in order, so the report is the same for any number of workers. The threads are started
 * at the first {@link #start}, so a search that never needs them starts none.
 */
final class Workers implements AutoCloseable {
    private final int n;
    private ExecutorService pool;

    Workers(int n) {
        this.n = n;
    }

    /** What a worker does with one index of a range ({@link #forEach}). */
    @FunctionalInterface
    interface IndexJob {
        void run(int worker, int index);
    }

    /**
     * Runs {@code job} for every index of {@code from .. to - 1} on the pool's threads and returns at once: the workers
     * take the indexes {@code claim} at a time, in order, whoever is free next, so that one slow index does not leave
     * the others idle. Which worker gets an index depends on timing; the job's result must not.
     */
    Pending forEach(int from, int to, int claim, IndexJob job) {
        AtomicInteger taken = new AtomicInteger(from);
        return start(w -> {
            for (int start; (start = taken.getAndAdd(claim)) < to; ) {
                for (int i = start, end = Math.min(to, start + claim); i < end; i++) {
                    job.run(w, i);
                }
            }
        });
    }

    /** Runs {@code job} for workers 0..n-1 on the pool's threads and returns at once; {@link Pending#await} waits. */
    Pending start(IntConsumer job) {
        if (pool == null) {
            pool = Executors.newFixedThreadPool(n, r -> {
                Thread t = new Thread(r, "mmsim-explore");
                t.setDaemon(true);
                return t;
            });
        }
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < n; w++) {
            int worker = w;
            futures.add(pool.submit(() -> job.accept(worker)));
        }
        return new Pending(futures);
    }

    /** Jobs started together. */
    static final class Pending {
        private final List<Future<?>> futures;

        private Pending(List<Future<?>> futures) {
            this.futures = futures;
        }

        /**
         * Waits for every job, then rethrows the first failure: no job is still running when this returns or throws
         * (one that gave up, {@link StepAbandoned}, must not race the search winding down).
         */
        void await() {
            Throwable first = null;
            for (Future<?> f : futures) {
                try {
                    join(f);
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
        }
    }

    private static void join(Future<?> f) {
        try {
            f.get();
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
}
