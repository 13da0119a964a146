package org.mmsim.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * A subcommand of {@code mmsim}: its options and parameters are fields (declared with picocli's annotations and
 * filled by {@link QuickParse} or by picocli), and it writes only to the two streams ({@link #stdout},
 * {@link #stderr}) {@link Main} gives it before it runs. Its result is the exit code.
 */
abstract class Subcommand implements Callable<Integer> {
    /** Standard output, or the test's. */
    PrintWriter stdout;
    /** Standard error, or the test's. */
    PrintWriter stderr;

    /** Writes to {@code out} and {@code err} from now on; returns this command. */
    final Subcommand writingTo(PrintWriter out, PrintWriter err) {
        this.stdout = out;
        this.stderr = err;
        return this;
    }
}
