package org.mmsim.cli;

import java.io.Console;
import java.io.PrintWriter;
import java.util.function.BooleanSupplier;
import org.mmsim.explore.Options;
import picocli.CommandLine.Option;

/**
 * Options of a search: mode, seed, budgets, reduction, and the progress line (one line on standard error,
 * rewritten at most once a second, shown only when mmsim runs on an interactive console, i.e. its standard input
 * and output are a terminal: Java cannot ask about standard error alone).
 */
final class SearchOptions {
    @Option(names = "--mode", paramLabel = "MODE", description = "exhaustive (default), random or pct.")
    String mode = "exhaustive";

    // --seed, --runs, --pct-depth and --workers are null when not given: each applies to some modes only, and one given
    // for a mode that does not use it is refused (options) rather than ignored

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the random modes (default 1).")
    Long seed;

    @Option(names = "--runs", paramLabel = "N", description = "Executions the random modes run (default 1000).")
    Integer runs;

    @Option(names = "--pct-depth", paramLabel = "D", description = "PCT's bug depth: D-1 priority changes per "
            + "run (default 3).")
    Integer pctDepth;

    @Option(names = "--max-states", paramLabel = "N", description = "Stop after N distinct states (exit 4).")
    long maxStates = Long.MAX_VALUE;

    /** The time a search may take when the command line does not say: no input runs for many minutes unasked. */
    static final double DEFAULT_MAX_SECONDS = 60;

    @Option(names = "--max-seconds", paramLabel = "S", description = "Stop after S seconds of work per kernel (exit 4; "
            + "default 60, 0: no limit).")
    double maxSeconds = DEFAULT_MAX_SECONDS;

    @Option(names = "--max-heap", paramLabel = "F", description = "Stop when the used heap exceeds this fraction "
            + "of the maximum (default 0.9; exit 4).")
    double heapFraction = 0.9;

    @Option(names = "--workers", paramLabel = "N", description = "Threads that expand states in exhaustive mode "
            + "(default: the machine's cores); the results do not depend on N.")
    Integer workers;

    @Option(names = "--no-reduction", description = "Explore without sleep-set reduction.")
    boolean noReduction;

    /**
     * A testing aid, left out of {@code --help} (docs/explorer.md, "Workers"): the fewest states a level must have left
     * for the workers to expand it. {@code fuzz --differential} sets 1, so that two workers expand every level of the
     * small searches it compares, whose levels are mostly narrower than the default.
     */
    @Option(names = "--parallel-level", paramLabel = "N", hidden = true)
    int parallelLevel = Options.defaults().parallelLevel();

    @Option(names = "--progress", description = "Force (true) or suppress (false) the progress line; by default "
            + "it is shown only on an interactive terminal.", arity = "1")
    Boolean progress;

    private boolean progressShown;

    Options options(BooleanSupplier interrupted, PrintWriter err) {
        Options.Mode m = switch (mode) {
            case "exhaustive" -> Options.Mode.EXHAUSTIVE;
            case "random" -> Options.Mode.RANDOM_WALK;
            case "pct" -> Options.Mode.PCT;
            default -> throw new Main.UsageError("--mode takes exhaustive, random or pct, not '" + mode + "'");
        };
        check();
        applies(m);
        Options d = Options.defaults();
        Options o;
        try {
            o = d.withMode(m).withSeed(seed != null ? seed : d.seed()).withRuns(runs != null ? runs : d.runs())
                    .withPctDepth(pctDepth != null ? pctDepth : d.pctDepth())
                    .withMaxStates(maxStates).withMaxSeconds(maxSeconds).withHeapFraction(heapFraction)
                    .withReduction(!noReduction).withInterrupted(interrupted)
                    .withWorkers(workers != null ? workers : defaultWorkers()).withParallelLevel(parallelLevel);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError(e.getMessage());
        }
        if (progress != null ? progress : terminal()) {
            o = o.withProgress((states, statesAtStart, transitions, depth, elapsed) -> {
                double s = Math.max(elapsed / 1e9, 1e-9);
                err.printf("\r%,d states  %,.0f states/s  depth %d  %.0f s   ", states, (states - statesAtStart) / s,
                        depth, s);
                err.flush();
                progressShown = true;
            });
        }
        return o;
    }

    /**
     * Refuses a value no search can use, naming the option as the user wrote it (the explorer's own check, behind it,
     * names its fields): a budget of no states, a negative time, a heap fraction not above 0, a worker count outside
     * 1..{@value Options#MAX_WORKERS}, a negative number of runs, or a PCT depth below 1.
     */
    private void check() {
        if (maxStates < 1) {
            throw new Main.UsageError("--max-states must be at least 1, not " + maxStates);
        }
        checkMaxSeconds(maxSeconds);
        checkMaxHeap(heapFraction);
        if (workers != null && (workers < 1 || workers > Options.MAX_WORKERS)) {
            throw new Main.UsageError("--workers must be 1 to " + Options.MAX_WORKERS + ", not " + workers);
        }
        if (parallelLevel < 1) {
            throw new Main.UsageError("--parallel-level must be at least 1, not " + parallelLevel);
        }
        if (runs != null && runs < 0) {
            throw new Main.UsageError("--runs must not be negative, not " + runs);
        }
        if (pctDepth != null && (pctDepth < 1 || pctDepth > Options.MAX_PCT_DEPTH)) {
            throw new Main.UsageError("--pct-depth must be 1 to " + Options.MAX_PCT_DEPTH + ", not " + pctDepth);
        }
    }

    /**
     * Refuses an option that mode {@code m} would not use, so that nobody reads the result of a search as that of the
     * one they asked for: {@code --seed} and {@code --runs} go with the random modes, {@code --pct-depth} with PCT, and
     * {@code --workers} with the exhaustive search (random executions run one after another on one thread).
     */
    private void applies(Options.Mode m) {
        boolean random = m != Options.Mode.EXHAUSTIVE;
        String modes = "--mode random or pct";
        if (!random && seed != null) {
            throw new Main.UsageError("--seed goes with " + modes + ": an exhaustive search draws no random numbers");
        }
        if (!random && runs != null) {
            throw new Main.UsageError("--runs goes with " + modes + ": an exhaustive search runs every execution");
        }
        if (m != Options.Mode.PCT && pctDepth != null) {
            throw new Main.UsageError("--pct-depth goes with --mode pct");
        }
        if (random && workers != null) {
            throw new Main.UsageError("--workers goes with --mode exhaustive: random executions run one after another"
                    + " on one thread");
        }
    }

    /** The default of {@code --workers}: the machine's cores, at most {@value Options#MAX_WORKERS}. */
    private static int defaultWorkers() {
        return Math.min(Runtime.getRuntime().availableProcessors(), Options.MAX_WORKERS);
    }

    /** Refuses a {@code --max-heap} that is not above 0 or not a number (every command that takes one). */
    static void checkMaxHeap(double heapFraction) {
        if (!(heapFraction > 0)) {
            throw new Main.UsageError("--max-heap must be a fraction above 0 (1 or more: no limit), not "
                    + heapFraction);
        }
    }

    /** Refuses a {@code --max-seconds} that is negative or not a number (every command that takes one). */
    static void checkMaxSeconds(double maxSeconds) {
        if (!(maxSeconds >= 0)) {
            throw new Main.UsageError("--max-seconds must be 0 (no limit) or more, not " + maxSeconds);
        }
    }

    /** Clear the progress line, if one was shown. */
    void endProgress(PrintWriter err) {
        if (progressShown) {
            err.print("\r" + " ".repeat(72) + "\r");
            err.flush();
        }
    }

    /** Whether mmsim runs on an interactive console: {@code Console.isTerminal()} where the JDK has it (22+). */
    private static boolean terminal() {
        Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
