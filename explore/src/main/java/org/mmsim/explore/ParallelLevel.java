package org.mmsim.explore;

import java.util.ArrayDeque;

/**
 * The rest of a wide level of a {@link BreadthFirst} search, expanded by the pool's workers a batch at a time and
 * filed by the search's own thread in order, so that the report is the one a single thread would make.
 *
 * <p>As an interleaving, with two workers and three batches in flight:
 * <pre>
 *   search thread:  start b0 b1 b2 | await b0, file b0, start b3 | await b1, file b1, start b4 | ...
 *   worker 0:       claim 8 states of b0, expand them, claim 8 more, ... then of b1, b2 ...
 *   worker 1:       likewise, whoever is free next
 * </pre>
 * The workers read the level being expanded and a frozen view of the trace, and write only their batch's expansions;
 * the search's own data (visited set, trace, next level, counts) changes only while a batch is filed
 * ({@link BreadthFirst#merge}). The batch started {@value #IN_FLIGHT} batches earlier is filed by the time its set of
 * worker machines is used again.
 *
 * <p>A stop by the clock or an interrupt gives up every batch in flight and then files what the workers had expanded
 * ({@link #fileAfterStop}); a stop by the state budget or the heap files nothing more ({@link #waitFor}).
 *
 * @param <S> the model state
 */
final class ParallelLevel<S> {
    /** States expanded per worker between two merges. */
    private static final int BATCH_PER_WORKER = 256;
    /** Batches the workers may be expanding while the search files an earlier one. */
    private static final int IN_FLIGHT = 3;
    /** States a worker claims at a time within a batch. */
    private static final int CLAIM = 8;

    private final BreadthFirst<S> search;
    private final Workers pool;
    /** The children that workers look ahead from, level by level ({@link Workers.Claims}). */
    private final Workers.Claims claims = new Workers.Claims();

    ParallelLevel(BreadthFirst<S> search, Workers pool) {
        this.search = search;
        this.pool = pool;
    }

    /** The rest of the current level, expanded by the pool's workers a batch at a time and merged in order. */
    void expand() {
        claims.renew(search.level);
        int workers = search.opts.workers();
        @SuppressWarnings("unchecked")
        Expander.Worker<S>[][] ws = new Expander.Worker[IN_FLIGHT][workers];
        for (int set = 0; set < IN_FLIGHT; set++) {
            for (int w = 0; w < workers; w++) {
                ws[set][w] = new Expander.Worker<>();
                ws[set][w].initial = search.model.copy(search.initial);
            }
        }
        int size = search.current.size();
        int batchSize = BATCH_PER_WORKER * workers;
        // batches started and not yet filed, oldest first: while one is filed here, the workers expand the others, and
        // a worker done with its share of one goes straight on to the next instead of waiting for this thread
        ArrayDeque<Batch<S>> pending = new ArrayDeque<>();
        int next = search.cursor;
        // the batch started IN_FLIGHT batches earlier is filed by the time its worker set is used again
        for (int started = 0; ; ) {
            while (pending.size() < IN_FLIGHT && next < size) {
                int to = Math.min(size, next + batchSize);
                pending.add(startBatch(next, to, ws[started++ % IN_FLIGHT]));
                next = to;
            }
            Batch<S> batch = pending.poll();
            if (batch == null) {
                return;
            }
            boolean abandoned;
            try {
                // polling the budget while the workers work: a batch looked ahead from to the leaves can take seconds;
                // once it says stop, every batch in flight is given up at once, so that no worker starts on the next
                abandoned = batch.jobs.await(() -> {
                    if (search.budget.poll(search.trace.size(), search.transitions, search.level)) {
                        return false;
                    }
                    pending.forEach(b -> b.jobs.abandon());
                    return true;
                });
            } catch (OutOfMemoryError oom) {
                // what the batches hold is garbage once the workers are done with them
                settle(pending);
                throw BreadthFirst.HeapExhausted.INSTANCE;
            }
            if (abandoned || !file(batch)) {
                if (search.budget.stoppedByClock()) {
                    fileAfterStop(batch, pending);
                } else {
                    waitFor(pending);
                }
                return;
            }
        }
    }

    /**
     * Files the states of {@code batch} from the search's {@link BreadthFirst#cursor} on: all of them, as the workers
     * expanded them all, or, after a stop ({@link BreadthFirst#draining}), up to the first state no worker took.
     *
     * @return whether all were filed: false at a stop (the cursor and {@link BreadthFirst#applied} then say where), or,
     *     while draining, at the first state no worker took, or when the state budget or the heap stopped the filing
     */
    private boolean file(Batch<S> batch) {
        for (int i = search.cursor; i < batch.to; i++) {
            Expander.Expansion<S> e = batch.expansions[i - batch.from];
            // an open state without an expansion is one no worker took after a stop
            if (e == null ? search.draining && search.current.kind(i) == Level.OPEN : !search.merge(e)) {
                return false;
            }
            filed(batch, i);
            if (!search.draining && search.budget.stopped()) {
                return false;
            }
        }
        return true;
    }

    /** State {@code i} of {@code batch} is filed: the cursor goes on to the next. */
    private void filed(Batch<S> batch, int i) {
        batch.expansions[i - batch.from] = null;
        search.current.release(i);
        search.cursor = i + 1;
        search.applied = 0;
    }

    /**
     * After a stop by the clock or an interrupt while the workers expanded {@code batch} or while it was filed: files
     * what they had expanded, in order, as an uninterrupted search would have, up to the first state no worker took
     * (the batches after it only once it is filed whole), so that a checkpoint keeps their work. With the batches in
     * flight given up, they took no further state and cut short the steps they took ahead of the children
     * ({@link Lookahead.Builder#full}), so every state they took is expanded once they end, with records that cover
     * less. Why: with two workers the first batch of a level can be most of a search, so dropping the batches in
     * flight would drop most of the work (stopped after 705,257 of the 1.1 million steps of explore-1m, such a
     * checkpoint held 337 states and no records, and the resumed search took every step again). A stop by the state
     * budget or the heap files nothing more ({@link #waitFor}).
     */
    private void fileAfterStop(Batch<S> batch, ArrayDeque<Batch<S>> rest) {
        rest.forEach(b -> b.jobs.abandon());
        search.draining = true;
        try {
            if (!file(batch)) {
                return;
            }
            for (Batch<S> b; (b = rest.poll()) != null; ) {
                try {
                    b.jobs.await();
                } catch (OutOfMemoryError dropped) {
                    return;
                }
                if (!file(b)) {
                    return;
                }
            }
        } finally {
            search.draining = false;
            waitFor(rest);
        }
    }

    /** A batch of states being expanded by the workers. */
    private record Batch<S>(int from, int to, Expander.Expansion<S>[] expansions, Workers.Pending jobs) {}

    private Batch<S> startBatch( int from, int to, Expander.Worker<S>[] ws) {
        @SuppressWarnings("unchecked")
        Expander.Expansion<S>[] expansions = new Expander.Expansion[to - from];
        Trace.View frozen = search.trace.view();
        int ahead = search.lookaheadDepth();
        // the batches in flight took their share of the budget's room from the same count of steps taken ahead
        int treeStates = search.treeStates((to - from) * IN_FLIGHT);
        boolean carry = search.mayKeep();
        // claimed a few at a time, whoever is free next: a state that is rebuilt and looked ahead from costs a hundred
        // times one expanded from its record, so fixed shares would leave a worker idle; in a small batch (a narrow
        // level of such states) one or two at a time, so that no worker is left alone with the last big claim
        int claim = Math.max(1, Math.min(CLAIM, (to - from) / (16 * ws.length)));
        // the batch these workers expanded last is filed: its expansions are free
        for (Expander.Worker<S> w : ws) {
            w.recycle();
        }
        Workers.Pending jobs = pool.forEach(from, to, claim, (w, i, abandoned) -> {
            if (search.current.kind(i) == Level.OPEN) {
                expansions[i - from] = search.expander.expand(search.current, i, ws[w], frozen, search.visited, claims,
                        ahead, treeStates, carry, abandoned);
            }
        });
        return new Batch<>(from, to, expansions, jobs);
    }

    /** Lets the batches started ahead finish, whatever they throw: the search is stopping and drops them. */
    private static void settle(ArrayDeque<? extends Batch<?>> batches) {
        for (Batch<?> b : batches) {
            try {
                b.jobs.await();
            } catch (RuntimeException | Error dropped) {
                // the search stops at its heap limit whatever else a dropped batch ran into
            }
        }
        batches.clear();
    }

    /**
     * Lets the batches started ahead finish before the search goes on (their results are not used). One that ran out
     * of heap is dropped like the others: the search is stopping, often because its heap check found the heap full.
     */
    private static void waitFor(ArrayDeque<? extends Batch<?>> batches) {
        for (Batch<?> b : batches) {
            b.jobs.abandon();
        }
        for (Batch<?> b : batches) {
            try {
                b.jobs.await();
            } catch (OutOfMemoryError dropped) {
                // what it held is garbage now
            }
        }
    }
}
