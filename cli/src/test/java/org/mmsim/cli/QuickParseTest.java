package org.mmsim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@link QuickParse} fills a command's fields as picocli does, and leaves to picocli what it does not parse. */
class QuickParseTest {
    private static final Map<String, Supplier<Subcommand>> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("check", CheckCommand::new);
        COMMANDS.put("run", RunCommand::new);
        COMMANDS.put("explore", ExploreCommand::new);
        COMMANDS.put("replay", ReplayCommand::new);
        COMMANDS.put("fidelity", FidelityCommand::new);
        COMMANDS.put("kernels", KernelsCommand::new);
        COMMANDS.put("bench", BenchCommand::new);
        COMMANDS.put("fuzz", FuzzCommand::new);
    }

    /** Command lines both parse: the fields must come out the same. */
    private static final String[][] PLAIN = {
        {"check", "a.mms"},
        {"check", "a.mms", "dir", "b.mms"},
        {"check", "--kernel", "6.18", "a.mms"},
        {"check", "-k", "4.8,6.18", "a.mms", "-k", "5.7"},
        {"check", "--kernel=6.18[cow_reuse=mapcount,zap_delay_rmap=on],4.8", "a.mms"},
        {"check", "a.mms", "--set", "cow_reuse=page_count", "--set=zap_delay_rmap=on", "--json", "out.json"},
        {"check", "--max-seconds", "0.5", "--max-states=100", "--max-heap", "0.75", "--workers", "2", "a.mms"},
        {"check", "--max-seconds", "-1", "--max-states", "-3", "--workers=-2", "a.mms"},
        {"check", "--no-reduction", "--progress", "false", "--mode", "exhaustive", "a.mms"},
        {"check", "--seed", "-9", "--runs", "0", "--pct-depth", "5", "--progress=true", "a.mms"},
        {"check", "--json", "-1", "--mode", "-2.5", "a.mms", "--kernel", "all", "--kernel", "4.8"},
        {"check", "a.mms", "--set", "cow_reuse=page_count", "--set", "cow_reuse=mapcount", "b.mms"},
        {"run", "a.mms"},
        {"run", "a.mms", "-k", "4.8", "--max-seconds", "2", "--html", "t.html"},
        {"run", "a.mms", "--max-heap", "0.5", "-k", "4.8"},
        {"explore", "a.mms", "--kernel", "6.18", "--mode", "random", "--seed", "7", "--runs", "50"},
        {"explore", "--json", "e.json", "--html=e.html", "--save", "dir", "--checkpoint", "c", "a.mms"},
        {"explore", "a.mms", "--resume", "c", "--workers", "1", "--max-seconds", "0"},
        {"check", "a.mms", "--workers", "2", "--parallel-level", "1"},
        {"replay", "s.schedule"},
        {"replay", "s.schedule", "--html", "r.html"},
        {"fidelity"},
        {"fidelity", "x", "y", "--out", "f.md", "--max-seconds", "1.5"},
        {"kernels"},
        {"bench", "--fork-pages", "1024", "--explore-large", "none", "--json", "b.json"},
        {"bench", "--explore-scenario", "s.mms", "--explore-rounds", "3", "--explore-warmup", "0"},
        {"fuzz", "--count", "10", "--seed", "3", "--corpus", "c", "--out", "o", "--input-seconds", "2.5"},
    };

    /** Command lines picocli must parse (help, version, errors, forms this does not take). */
    private static final String[][] LEFT_TO_PICOCLI = {
        {"check", "--help"}, {"check", "-h"}, {"check", "-V"}, {"check", "a.mms", "--version"},
        {"check"}, {"check", "--bogus", "a.mms"}, {"check", "-x", "a.mms"}, {"check", "--", "a.mms"},
        {"check", "--json", "a", "--json", "b", "c.mms"}, {"check", "a.mms", "--json"},
        {"check", "--no-reduction", "--no-reduction", "a.mms"}, {"check", "--no-reduction=true", "a.mms"},
        {"check", "-k6.18", "a.mms"}, {"check", "-k=6.18", "a.mms"}, {"check", "--kernel", "6.18,", "a.mms"},
        {"check", "--workers", "two", "a.mms"}, {"check", "--workers", "99999999999", "a.mms"},
        {"check", "--max-seconds", "1e3", "a.mms"}, {"check", "--max-seconds", "NaN", "a.mms"},
        {"check", "--progress", "yes", "a.mms"}, {"check", "--json", "--kernel", "a.mms"},
        {"check", "--json", "", "a.mms"}, {"check", "--json", "\"x\"", "a.mms"}, {"check", "-", "a.mms"},
        {"run"}, {"run", "a.mms", "b.mms"}, {"explore", "a.mms", "--max-seconds"}, {"kernels", "extra"},
        {"replay", "a", "b"}, {"bench", "--fork-pages", "0x10"},
    };

    @Test
    void plainCommandLinesFillTheFieldsPicocliFills() throws Exception {
        for (String[] line : PLAIN) {
            Subcommand quick = COMMANDS.get(line[0]).get();
            assertThat(QuickParse.parse(quick, tail(line))).as(String.join(" ", line)).isTrue();
            Subcommand parsed = COMMANDS.get(line[0]).get();
            new CommandLine(parsed).parseArgs(tail(line));
            assertThat(fields(quick)).as(String.join(" ", line)).isEqualTo(fields(parsed));
        }
    }

    @Test
    void everythingElseIsLeftToPicocli() {
        for (String[] line : LEFT_TO_PICOCLI) {
            assertThat(QuickParse.parse(COMMANDS.get(line[0]).get(), tail(line))).as(String.join(" ", line))
                    .isFalse();
        }
    }

    /** A command whose annotations say more than this parse keeps: picocli must parse it. */
    static final class Unusual extends Subcommand {
        @Option(names = "--level", defaultValue = "3")
        int level;

        @Option(names = "--flag", arity = "0..1")
        boolean flag;

        @Override
        public Integer call() {
            return 0;
        }
    }

    @Test
    void anOptionWithADefaultValueOrAnArityOfItsOwnIsLeftToPicocli() {
        assertThat(QuickParse.parse(new Unusual(), new String[] {"--level", "4"})).isFalse();
        assertThat(QuickParse.parse(new Unusual(), new String[] {})).isFalse();
    }

    /** A new option of a type this does not take would still work, through picocli, but make every run slower. */
    @Test
    void everyOptionOfEveryCommandIsParsedQuickly() throws Exception {
        for (Map.Entry<String, Supplier<Subcommand>> c : COMMANDS.entrySet()) {
            for (Field f : optionFields(c.getValue().get())) {
                String[] names = f.getAnnotation(Option.class).names();
                List<String> args = new ArrayList<>(List.of(names[names.length - 1]));
                if (f.getType() != boolean.class) {
                    args.add(f.getType() == Boolean.class ? "true" : "1");
                }
                if (List.of("check", "run", "explore", "replay").contains(c.getKey())) {
                    args.add("a.mms");
                }
                assertThat(QuickParse.parse(c.getValue().get(), args.toArray(String[]::new)))
                        .as(c.getKey() + " " + args).isTrue();
            }
        }
    }

    /** The values a random command line gives its options: plain ones and every form the quick path declines. */
    private static final String[] VALUES = {"1", "-1", "0", "0.5", "-2.5", "1e3", "NaN", "0x10", "99999999999", "6.18",
        "4.8,6.18", "6.18[cow_reuse=mapcount,zap_delay_rmap=on],4.8", "all", "a.mms", "dir/b.mms", "x", "", "-", "--",
        "true", "false", "yes", "cow_reuse=page_count", "'q'", "-k", "--json", ",", "4.8,"};

    @Provide
    Arbitrary<String> commands() {
        return Arbitraries.of(List.copyOf(COMMANDS.keySet()));
    }

    /**
     * Random command lines of options, values and words, plain and not: whatever this parses, picocli parses without an
     * error into the same fields. Each word is one number, shrinking towards the first option and the first value:
     * its kind (a value alone, an option alone, OPTION=VALUE, or OPTION VALUE), the option and the value.
     */
    @Property(tries = 3000)
    void whatItParsesPicocliParsesTheSame(@ForAll("commands") String command,
            @ForAll @Size(max = 6) List<@IntRange(min = 0, max = 1 << 16) Integer> words) throws Exception {
        List<String> names = new ArrayList<>();
        for (Field f : optionFields(COMMANDS.get(command).get())) {
            names.addAll(List.of(f.getAnnotation(Option.class).names()));
        }
        names.addAll(List.of("--bogus", "-h", "--version", "-k6.18"));
        List<String> line = new ArrayList<>();
        for (int w : words) {
            String name = names.get(w / 4 % names.size());
            String value = VALUES[w / 4 / names.size() % VALUES.length];
            switch (w % 4) {
                case 0 -> line.add(value);
                case 1 -> line.add(name);
                case 2 -> line.add(name + "=" + value);
                default -> {
                    line.add(name);
                    line.add(value);
                }
            }
        }
        String[] args = line.toArray(String[]::new);
        Subcommand quick = COMMANDS.get(command).get();
        boolean parsed = QuickParse.parse(quick, args);
        // enough of the lines plain for the comparison to mean something
        Statistics.collect(parsed ? "parsed quickly" : "left to picocli");
        Statistics.coverage(c -> c.check("parsed quickly").percentage(p -> p >= 5));
        if (parsed) {
            Subcommand byPicocli = COMMANDS.get(command).get();
            new CommandLine(byPicocli).parseArgs(args);
            assertThat(fields(quick)).as(command + " " + line).isEqualTo(fields(byPicocli));
        }
    }

    @Test
    void aPlainCommandLineRunsAsPicocliRunsIt() {
        // the same line twice, once plain (QuickParse) and once with "--" before the path (picocli): the same exit
        // code and the same message, a usage error the command itself finds after parsing
        String[] quick = {"check", "--kernel", "6.18", "no-such.mms"};
        String[] picocli = {"check", "--kernel", "6.18", "--", "no-such.mms"};
        assertThat(QuickParse.parse(new CheckCommand(), tail(quick))).isTrue();
        assertThat(QuickParse.parse(new CheckCommand(), tail(picocli))).isFalse();
        for (String[] args : List.of(quick, picocli)) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            int code = Main.run(args, new java.io.PrintStream(out, true), new java.io.PrintStream(err, true));
            assertThat(code).as(String.join(" ", args)).isEqualTo(Main.USAGE);
            assertThat(err.toString()).isEqualTo("mmsim: no such file or directory: no-such.mms"
                    + System.lineSeparator());
            assertThat(out.toString()).isEmpty();
        }
    }

    private static String[] tail(String[] line) {
        return java.util.Arrays.copyOfRange(line, 1, line.length);
    }

    /** Every option and parameter field of {@code o} and of its mixins, by name, with its value. */
    private static Map<String, Object> fields(Object o) throws IllegalAccessException {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Field f : o.getClass().getDeclaredFields()) {
            f.setAccessible(true);
            if (f.getAnnotation(Option.class) != null || f.getAnnotation(Parameters.class) != null) {
                out.put(f.getName(), f.get(o));
            } else if (f.getAnnotation(Mixin.class) != null) {
                fields(f.get(o)).forEach((k, v) -> out.put(f.getName() + "." + k, v));
            }
        }
        return out;
    }

    private static List<Field> optionFields(Object o) throws ReflectiveOperationException {
        List<Field> out = new ArrayList<>();
        for (Field f : o.getClass().getDeclaredFields()) {
            if (f.getAnnotation(Option.class) != null) {
                out.add(f);
            } else if (f.getAnnotation(Mixin.class) != null) {
                var made = f.getType().getDeclaredConstructor();
                made.setAccessible(true);
                out.addAll(optionFields(made.newInstance()));
            }
        }
        return out;
    }
}
