package org.mmsim.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.mmsim.scenario.Scenario;
import org.mmsim.scenario.ScenarioException;
import org.mmsim.scenario.ScenarioParser;

/**
 * The explorer's figures of {@code mmsim bench}, each group measured in a JVM of its own, as JMH forks one per
 * benchmark: the JVM that measured the simulation's figures has compiled the fault, the fork and the allocator with
 * what those figures ran (a process of many frames, large PTE blocks), and a search in it ran some 4% slower than
 * in a JVM that only searches (bench/README.md). A user's search starts in a JVM of its own too.
 *
 * <p>The child is this class's {@link #main}, started with the parent's JVM options and class path; it prints each
 * figure as one line, name, type and value separated by tabs, in the order they were measured, and the parent puts
 * them into its figures in that order.
 */
final class BenchForks {
    private BenchForks() {}

    /** The explore-100k figures ({@link BenchFigures#explore}) of {@code scenario}, measured in a JVM of their own. */
    static Map<String, Object> explore(Path scenario, int rounds, int warmup) {
        return run(List.of("explore", scenario.toString(), Integer.toString(rounds), Integer.toString(warmup)));
    }

    /** The large search's figures ({@link BenchFigures#exploreLarge}) of {@code scenario}, in a JVM of their own. */
    static Map<String, Object> large(Path scenario) {
        return run(List.of("large", scenario.toString()));
    }

    /** Runs the child with {@code args} and reads its figures; an {@link IllegalStateException} if it fails. */
    private static Map<String, Object> run(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin",
                "java").toString()));
        command.addAll(jvmOptions());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BenchForks.class.getName());
        command.addAll(args);
        try {
            Process p = new ProcessBuilder(command).start();
            p.getOutputStream().close();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            String out = read(p.getInputStream());
            int status = p.waitFor();
            if (status != 0) {
                throw new IllegalStateException("the bench's " + args.get(0) + " JVM exited with " + status + ": "
                        + err.join().strip());
            }
            return parse(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the bench's " + args.get(0) + " JVM", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the bench's " + args.get(0) + " JVM ran", e);
        }
    }

    /**
     * The options this JVM was started with, less those it took from {@code JAVA_TOOL_OPTIONS}, which the child reads
     * from the environment itself (twice, a flight recording would be started twice).
     */
    static List<String> jvmOptions() {
        return jvmOptions(ManagementFactory.getRuntimeMXBean().getInputArguments(), System.getenv("JAVA_TOOL_OPTIONS"));
    }

    /** {@code given}, each of {@code toolOptions}' options (a {@code JAVA_TOOL_OPTIONS} value, or null) removed once. */
    static List<String> jvmOptions(List<String> given, String toolOptions) {
        List<String> options = new ArrayList<>(given);
        if (toolOptions != null && !toolOptions.isBlank()) {
            for (String o : toolOptions.trim().split("\\s+")) {
                options.remove(o);
            }
        }
        return options;
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The child's lines back into figures: {@code L} a long, {@code D} a double, {@code Z} a boolean, else text. */
    static Map<String, Object> parse(String out) {
        Map<String, Object> figures = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", 3);
            if (f.length != 3) {
                throw new IllegalStateException("the bench's child JVM printed a line that is not a figure: " + line);
            }
            figures.put(f[0], switch (f[1]) {
                case "L" -> Long.parseLong(f[2]);
                case "D" -> Double.parseDouble(f[2]);
                case "Z" -> Boolean.parseBoolean(f[2]);
                default -> f[2];
            });
        }
        return figures;
    }

    /** {@code figures} as the lines {@link #parse} reads. */
    static String format(Map<String, Object> figures) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Object> e : figures.entrySet()) {
            Object v = e.getValue();
            String type = v instanceof Long || v instanceof Integer ? "L" : v instanceof Double ? "D"
                    : v instanceof Boolean ? "Z" : "S";
            sb.append(e.getKey()).append('\t').append(type).append('\t').append(v).append('\n');
        }
        return sb.toString();
    }

    /**
     * The child: {@code explore FILE ROUNDS WARMUP} or {@code large FILE}. Prints the figures ({@link #format}) and
     * exits 0; a scenario that does not parse exits 2 with the error.
     */
    public static void main(String[] args) {
        Scenario s;
        try {
            s = ScenarioParser.parse(Path.of(args[1]));
        } catch (ScenarioException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        switch (args[0]) {
            case "explore" -> BenchFigures.explore(s, out, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "large" -> BenchFigures.exploreLarge(s, out);
            default -> throw new IllegalArgumentException("no such bench group: " + Arrays.toString(args));
        }
        System.out.print(format(out));
        System.out.flush();
        System.exit(0);
    }
}
