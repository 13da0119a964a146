package org.mmsim.explore;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Every setting of a search, typed and documented in one place. Start from {@link #defaults()} and change what
 * you need with the {@code with…} methods; each returns a new value.
 *
 * @param mode               how to search (default {@link Mode#EXHAUSTIVE})
 * @param reduction          sleep-set partial-order reduction in exhaustive mode (default on); ignored by the
 *                           random modes
 * @param maxStates          stop after this many distinct states (default unlimited); the random modes check it
 *                           before each run
 * @param maxSeconds         stop after this much time, read from {@link #clock} (default 0 = no limit)
 * @param heapFraction       stop when the used heap exceeds this fraction of {@link Runtime#maxMemory()} even
 *                           after a garbage collection (default 0.9; 1 or more disables the check); checked every
 *                           256 states in exhaustive mode, every fourth run and every 256 steps in the random modes
 *                           (reading the used heap is cheap; only crossing the limit forces a collection)
 * @param seed               the seed of the random modes; the same seed gives the same report
 * @param runs               how many executions the random modes run (default 1000)
 * @param pctDepth           PCT's bug depth d: d - 1 priority change points per run (default 3, at most
 *                           {@link #MAX_PCT_DEPTH})
 * @param pctSteps           PCT's estimate k of the run length, among whose steps the change points are drawn;
 *                           0 (the default) means the longest run seen so far, 64 before the first run ends
 * @param keepFrontierStates keep deep states (from depth {@code LookaheadPolicy.KEEP_DEPTH}, at most
 *                           {@code KEEP_LIMIT} per level) until they are expanded (default false: a state is
 *                           expanded from the record of its steps taken ahead, or rebuilt by replaying its schedule
 *                           from an ancestor's machine, which was measured to cost less than keeping it)
 * @param interrupted        polled before the search, every 1024 steps, every 10 ms while workers expand a batch
 *                           and before every random run; true stops the search
 * @param progress           called at most once per second while searching (default: nothing)
 * @param clock              nanosecond clock for {@code maxSeconds} and progress only (default
 *                           {@link System#nanoTime}); it never influences which states are explored except
 *                           through the time budget
 * @param workers            threads that expand states in exhaustive mode (default 1); the report is the same
 *                           for any number (see {@link Explorer}, "Workers")
 * @param checkpoint         where an exhaustive search that a budget or an interrupt stops writes what it needs to
 *                           go on (null: nowhere)
 * @param resume             a checkpoint to go on from instead of starting at the initial state (null: none); the
 *                           resumed search ends with the report an uninterrupted one would have given
 * @param parallelLevel      with more than one worker, the fewest states a level must have left for the workers to
 *                           expand it (default 64); a narrower level is expanded by the search's own thread, since
 *                           workers would cost more than they win there. 1 has the workers expand every level, which
 *                           only a test of the workers wants (the report is the same either way)
 */
public record Options(
        Mode mode,
        boolean reduction,
        long maxStates,
        double maxSeconds,
        double heapFraction,
        long seed,
        int runs,
        int pctDepth,
        int pctSteps,
        boolean keepFrontierStates,
        BooleanSupplier interrupted,
        Progress progress,
        LongSupplier clock,
        int workers,
        Path checkpoint,
        Path resume,
        int parallelLevel) {

    /** How the state space is searched. */
    public enum Mode {
        /** Breadth-first search of every reachable state (see {@link Explorer#exhaustive}). */
        EXHAUSTIVE,
        /** Random executions, each step uniform among the enabled threads. */
        RANDOM_WALK,
        /** Random executions under PCT (Burckhardt et al., ASPLOS 2010). */
        PCT
    }

    /** Checks every setting; a bad one names itself and its value. */
    public Options {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(interrupted, "interrupted");
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(clock, "clock");
        require(maxStates >= 1, "maxStates must be at least 1: " + maxStates);
        require(maxSeconds >= 0, "maxSeconds must not be negative: " + maxSeconds);
        require(heapFraction > 0, "heapFraction must be positive: " + heapFraction);
        require(runs >= 0, "runs must not be negative: " + runs);
        require(pctDepth >= 1 && pctDepth <= MAX_PCT_DEPTH, "pctDepth must be in 1.." + MAX_PCT_DEPTH + ": "
                + pctDepth);
        require(pctSteps >= 0, "pctSteps must not be negative: " + pctSteps);
        require(workers >= 1 && workers <= MAX_WORKERS, "workers must be in 1.." + MAX_WORKERS + ": " + workers);
        require(parallelLevel >= 1, "parallelLevel must be at least 1: " + parallelLevel);
    }

    /** The most worker threads an exhaustive search uses. */
    public static final int MAX_WORKERS = 64;

    /**
     * The deepest PCT bug depth: a run of more steps than a simulated machine could take in a minute has no more change
     * points to draw, and the priorities (d to d + threads - 1) must not overflow.
     */
    public static final int MAX_PCT_DEPTH = 1 << 20;

    /** The defaults listed in the class comment. */
    public static Options defaults() {
        return new Options(Mode.EXHAUSTIVE, true, Long.MAX_VALUE, 0, 0.9, 1, 1000, 3, 0, false,
                () -> false, Progress.NONE, System::nanoTime, 1, null, null, BreadthFirst.PARALLEL_LEVEL);
    }

    /** These options with another {@link #mode}. */
    public Options withMode(Mode mode) {
        return new Options(mode, reduction, maxStates, maxSeconds, heapFraction, seed, runs, pctDepth, pctSteps,
                keepFrontierStates, interrupted, progress, clock, workers, checkpoint, resume, parallelLevel);
    }

    /** These options with {@link #reduction} on or off. */
    public Options withReduction(boolean reduction) {
        return new Options(mode, reduction, maxStates, maxSeconds, heapFraction, seed, runs, pctDepth, pctSteps,
                keepFrontierStates, interrupted, progress, clock, workers, checkpoint, resume, parallelLevel);
    }

    /** These options with another {@link #maxStates}. */
    public Options withMaxStates(long maxStates) {
        return new Options(mode, reduction, maxStates, maxSeconds, heapFraction, seed, runs, pctDepth, pctSteps,
                keepFrontierStates, interrupted, progress, clock, workers, checkpoint, resume, parallelLevel);
    }

    /** These options with another {@link #maxSeconds}. */
    public Options withMaxSeconds(double maxSeconds) {
        return new Options(mode, reduction, maxStates, maxSeconds, heapFraction, seed, runs, pctDepth, pctSteps,
                keepFrontierStates, interrupted, progress, clock, workers, checkpoint, resume, parallelLevel);
    }

    /** These options with another {@link #heapFraction}. */
    public Options withHeapFraction(double heapFraction) {
        return new Options(mode, reduction, maxStates, maxSeconds, heapFraction, seed, runs, pctDepth, pctSteps,
                keepFrontierStates, interrupted, progress, clock, workers, checkpoint, resume, parallelLevel);
    }

    /** These options with another {@link #seed}. */
    public Options withSeed(long seed) {
        return new Options(mode, reduction, maxStates, maxSeconds, heapFraction, seed, runs, pctDepth, pctSteps,
                keepFrontierStates, interrupted, progress, clock, workers, checkpoint, resume, parallelLevel);
    }

    /** These options with another number of {@link #runs}. */
    public Options withRuns(int runs) {
        return new Options(mode, reduction, maxStates, maxSeconds, heapFraction, seed, runs, pctDepth, pctSteps,
                keepFrontierStates, interrupted, progress, clock, workers, checkpoint, resume, parallelLevel);
    }

    /** These options with another {@link #pctDepth}. */
    public Options withPctDepth(int pctDepth) {
        return new Options(mode, reduction, maxStates, maxSeconds, heapFraction, seed, runs, pctDepth, pctSteps,
                keepFrontierStates, interrupted, progress, clock, workers, checkpoint, resume, parallelLevel);
    }

    /** These options with another {@link #pctSteps}. */
    public Options withPctSteps(int pctSteps) {
        return new Options(mode, reduction, maxStates, maxSeconds, heapFraction, seed, runs, pctDepth, pctSteps,
                keepFrontierStates, interrupted, progress, clock, workers, checkpoint, resume, parallelLevel);
    }

    /** These options with {@link #keepFrontierStates} on or off. */
    public Options withKeepFrontierStates(boolean keepFrontierStates) {
        return new Options(mode, reduction, maxStates, maxSeconds, heapFraction, seed, runs, pctDepth, pctSteps,
                keepFrontierStates, interrupted, progress, clock, workers, checkpoint, resume, parallelLevel);
    }

    /** These options with another {@link #interrupted} supplier. */
    public Options withInterrupted(BooleanSupplier interrupted) {
        return new Options(mode, reduction, maxStates, maxSeconds, heapFraction, seed, runs, pctDepth, pctSteps,
                keepFrontierStates, interrupted, progress, clock, workers, checkpoint, resume, parallelLevel);
    }

    /** These options with another {@link #progress} callback. */
    public Options withProgress(Progress progress) {
        return new Options(mode, reduction, maxStates, maxSeconds, heapFraction, seed, runs, pctDepth, pctSteps,
                keepFrontierStates, interrupted, progress, clock, workers, checkpoint, resume, parallelLevel);
    }

    /** These options with another {@link #clock} (tests use a fake one). */
    public Options withClock(LongSupplier clock) {
        return new Options(mode, reduction, maxStates, maxSeconds, heapFraction, seed, runs, pctDepth, pctSteps,
                keepFrontierStates, interrupted, progress, clock, workers, checkpoint, resume, parallelLevel);
    }

    /** These options with another number of {@link #workers}. */
    public Options withWorkers(int workers) {
        return new Options(mode, reduction, maxStates, maxSeconds, heapFraction, seed, runs, pctDepth, pctSteps,
                keepFrontierStates, interrupted, progress, clock, workers, checkpoint, resume, parallelLevel);
    }

    /** These options writing a {@link #checkpoint} to {@code file} when a budget or an interrupt stops the search. */
    public Options withCheckpoint(Path file) {
        return new Options(mode, reduction, maxStates, maxSeconds, heapFraction, seed, runs, pctDepth, pctSteps,
                keepFrontierStates, interrupted, progress, clock, workers, file, resume, parallelLevel);
    }

    /** These options continuing the search a checkpoint {@code file} holds ({@link #resume}). */
    public Options withResume(Path file) {
        return new Options(mode, reduction, maxStates, maxSeconds, heapFraction, seed, runs, pctDepth, pctSteps,
                keepFrontierStates, interrupted, progress, clock, workers, checkpoint, file, parallelLevel);
    }

    /** These options with another {@link #parallelLevel}: 1 has workers expand every level (tests of the workers). */
    public Options withParallelLevel(int parallelLevel) {
        return new Options(mode, reduction, maxStates, maxSeconds, heapFraction, seed, runs, pctDepth, pctSteps,
                keepFrontierStates, interrupted, progress, clock, workers, checkpoint, resume, parallelLevel);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
