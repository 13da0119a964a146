package org.mmsim.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code mmsim} command. {@link #main} only calls {@link #run} and exits with its code, so every command is
 * testable in-process. Exit codes: 0 every expectation held; 1 some did not (for {@code fidelity}: a known fact
 * about the real kernel disagrees); 2 usage error; 3 invalid scenario; 4 inconclusive (an exploration budget ran
 * out first); 70 internal error (a bug in mmsim itself).
 */
@Command(name = "mmsim", mixinStandardHelpOptions = true, version = "mmsim 0.1.0",
        description = "An executable model of the Linux memory-management core as devices see it.")
public final class Main implements Runnable {
    /**
     * The subcommands, in the order usage lists them. Only the one a command line names is given to picocli (all of
     * them for {@code help}, the top-level options or a name that is none of them), when {@link QuickParse} leaves the
     * command line to it: building a command's model by reflection is most of a short run's start-up. (A
     * switch, not a static map of constructor references: the JDK's AOT cache must not hold a lambda that refers
     * to picocli, whose Java 5 classes it cannot archive.)
     */
    private static final List<String> COMMANDS = List.of("check", "run", "explore", "replay", "fidelity", "kernels",
            "bench", "fuzz", "help");

    private static Object command(String name) {
        return switch (name) {
            case "check" -> new CheckCommand();
            case "run" -> new RunCommand();
            case "explore" -> new ExploreCommand();
            case "replay" -> new ReplayCommand();
            case "fidelity" -> new FidelityCommand();
            case "kernels" -> new KernelsCommand();
            case "bench" -> new BenchCommand();
            case "fuzz" -> new FuzzCommand();
            case "help" -> new CommandLine.HelpCommand();
            default -> throw new IllegalArgumentException(name);
        };
    }

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int INVALID_SCENARIO = 3;
    public static final int INTERNAL = 70;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Run the command line {@code args}, writing to {@code out} and {@code err}; returns the exit code. A plain command
     * line is parsed by {@link QuickParse} and its command run here; picocli parses the rest (help, version, errors,
     * anything unusual) and runs the command itself.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        PrintWriter o = new PrintWriter(out, true);
        PrintWriter e = new PrintWriter(err, true);
        String first = args.length > 0 ? args[0] : "";
        int code;
        Object quick = COMMANDS.contains(first) && !first.equals("help") ? command(first) : null;
        if (quick instanceof Subcommand c && QuickParse.parse(c, Arrays.copyOfRange(args, 1, args.length))) {
            try {
                code = c.writingTo(o, e).call();
            } catch (Exception ex) {
                code = failed(ex, e);
            }
        } else {
            code = picocli(args, first, o, e);
        }
        o.flush();
        e.flush();
        return code;
    }

    /** {@code args} parsed and run by picocli, with only the command {@code first} names when it names one. */
    private static int picocli(String[] args, String first, PrintWriter o, PrintWriter e) {
        CommandLine cl = new CommandLine(new Main());
        for (String name : COMMANDS.contains(first) && !first.equals("help") ? List.of(first) : COMMANDS) {
            Object command = command(name);
            if (command instanceof Subcommand c) {
                c.writingTo(o, e);
            }
            cl.addSubcommand(name, command);
        }
        cl.setOut(o);
        cl.setErr(e);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> failed(ex, e));
        return cl.execute(args);
    }

    /** What a command threw: a usage error (exit 2) or a bug in mmsim (exit 70). */
    private static int failed(Exception ex, PrintWriter e) {
        if (ex instanceof UsageError) {
            e.println("mmsim: " + ex.getMessage());
            return USAGE;
        }
        e.println("mmsim: internal error: " + ex);
        if (System.getenv("MMSIM_DEBUG") != null) {
            ex.printStackTrace(e);
        } else {
            e.println("(set MMSIM_DEBUG=1 for the stack trace, and please report it)");
        }
        return INTERNAL;
    }

    /** A bad command line found after parsing (unknown kernel, unreadable path): exit code 2. */
    static final class UsageError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }
}
