package org.mmsim.explore;

/**
 * The limits of one search: states, time, heap and the caller's interrupt, plus the once-a-second progress call.
 * Once a limit is hit, {@link #stopReason} names it and stays; the search winds down and reports what it found.
 *
 * <p>The clock is read only here, and only decides whether to stop and when to call {@link Progress}.
 *
 * <p>Heap: a {@link HeapLimit}, which forces a collection only when the used heap looks over the limit, so a search
 * that lives near the limit is not slowed down by a full collection every few thousand states.
 */
final class Budget {
    private static final long SECOND = 1_000_000_000L;

    private final Options opts;
    private final long startNanos;
    private final long maxNanos;
    private final HeapLimit heap;
    private long lastProgress;
    /** The states the search began with: a resumed search's checkpoint's ({@link #resumedWith}), else 0. */
    private long statesAtStart;
    private String stopReason;

    /** Starts the clock. */
    Budget(Options opts) {
        this.opts = opts;
        this.startNanos = opts.clock().getAsLong();
        this.lastProgress = startNanos;
        this.maxNanos = opts.maxSeconds() == 0 ? Long.MAX_VALUE : (long) (opts.maxSeconds() * SECOND);
        this.heap = new HeapLimit(opts.heapFraction());
    }

    /** The search goes on from a checkpoint that holds {@code states}: progress rates count only the states after. */
    void resumedWith(long states) {
        statesAtStart = states;
    }

    /**
     * Whether one more distinct state fits, under {@link Options#maxStates} and the capacity of the visited set
     * and the trace; if not, stops with "max-states".
     */
    boolean admit(long states) {
        if (states >= Math.min(opts.maxStates(), Math.min(Trace.MAX_STATES, FingerprintSet.MAX_SIZE))) {
            stop("max-states");
            return false;
        }
        return true;
    }

    /**
     * Checks the interrupt and the time limit and reports progress if a second has passed since the last report.
     *
     * @return false once the search should stop
     */
    boolean poll(long states, long transitions, int depth) {
        if (stopReason != null) {
            return false;
        }
        if (opts.interrupted().getAsBoolean()) {
            stop("interrupted");
            return false;
        }
        long now = opts.clock().getAsLong();
        if (now - startNanos >= maxNanos) {
            stop("max-seconds");
            return false;
        }
        if (now - lastProgress >= SECOND) {
            lastProgress = now;
            opts.progress().progress(states, statesAtStart, transitions, depth, now - startNanos);
        }
        return true;
    }

    /**
     * Checks the heap limit.
     *
     * @return false once the search should stop
     */
    boolean heapOk() {
        if (stopReason == null && heap.exceeded()) {
            stop("heap");
        }
        return stopReason == null;
    }

    /**
     * Whether the heap is still under its limit, whatever stopped the search: for the states its workers had expanded,
     * which it files after a stop by the clock or an interrupt. Stops with "heap" if not.
     */
    boolean heapRoom() {
        if (heap.exceeded()) {
            stop("heap");
            return false;
        }
        return true;
    }

    /** Whether the time limit or the caller's interrupt stopped the search (not the state budget or the heap). */
    boolean stoppedByClock() {
        return "max-seconds".equals(stopReason) || "interrupted".equals(stopReason);
    }

    /** The heap ran out while states were being expanded: stop as at the heap limit. */
    void outOfHeap() {
        stop("heap");
    }

    /** The model ran out of time inside a step ({@link StepAbandoned}): stop as at the time limit. */
    void outOfTime() {
        stop("max-seconds");
    }

    /** Null while the search may go on, else why it stopped. */
    String stopReason() {
        return stopReason;
    }

    /** Whether a limit was hit. */
    boolean stopped() {
        return stopReason != null;
    }

    /** Time since the search started. */
    long elapsedNanos() {
        return opts.clock().getAsLong() - startNanos;
    }

    private void stop(String reason) {
        if (stopReason == null) {
            stopReason = reason;
        }
    }
}
