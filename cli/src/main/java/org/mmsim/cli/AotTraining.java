package org.mmsim.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The launcher's training runs for its class caches (the JDK's AOT cache, or a class-data-sharing archive before JDK
 * 25): the commands a user runs most, each once, in one JVM, so that a cache holds the classes they load. There are
 * two, because a JVM loads every class of its cache as it starts, and a cache that also held what the other family
 * needs made its commands slower:
 * <ul>
 *   <li>{@code check}, for every command but those below: {@code check} of the history scenarios under 4.8 and
 *       6.18;</li>
 *   <li>{@code trace}, for {@code run}, {@code replay} and {@code explore}, which print steps: {@code explore} of b1
 *       under 4.8 with its JSON and HTML, {@code run} of b2 under 5.7, and {@code replay} of b1's witness.</li>
 * </ul>
 * A cache trained on {@code check} alone left out what the others print with (the counterexample's steps, the HTML
 * page, the schedule file): {@code explore} of b1 under 4.8 loaded those 120-odd classes from the jars at every run.
 *
 * <p>Not a command: the launcher runs this class directly, with the repository root and the family as its arguments,
 * and nothing it prints is shown. It writes only into a temporary directory, which it deletes.
 */
public final class AotTraining {
    private AotTraining() {}

    public static void main(String[] args) throws IOException {
        train(Path.of(args.length > 0 ? args[0] : "."), args.length > 1 ? args[1] : "check");
    }

    /**
     * Runs the commands of {@code family} ("check" or "trace") from {@code root}, the repository; returns their exit
     * codes, in order.
     */
    static List<Integer> train(Path root, String family) throws IOException {
        Path history = root.resolve("scenarios/history");
        List<Integer> codes = new ArrayList<>();
        if (!family.equals("trace")) {
            codes.add(run("check", history.toString(), "--kernel", "4.8,6.18"));
            return codes;
        }
        Path tmp = Files.createTempDirectory("mmsim-training");
        try {
            codes.add(run("explore", history.resolve("b1-dirty-cow.mms").toString(), "--kernel", "4.8",
                    "--save", tmp.toString(), "--json", tmp.resolve("b1.json").toString(),
                    "--html", tmp.resolve("b1.html").toString()));
            codes.add(run("run", history.resolve("b2-cve-2020-29374.mms").toString(), "--kernel", "5.7"));
            for (Path schedule : under(tmp)) {
                if (schedule.toString().endsWith(".sched")) {
                    codes.add(run("replay", schedule.toString()));
                }
            }
        } finally {
            for (Path p : under(tmp).reversed()) {
                Files.deleteIfExists(p);
            }
        }
        return codes;
    }

    private static int run(String... args) {
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        return Main.run(args, nowhere, nowhere);
    }

    /** {@code dir} and everything under it, in path order (a directory before what it holds). */
    private static List<Path> under(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return new ArrayList<>(s.sorted(Comparator.naturalOrder()).toList());
        }
    }
}
