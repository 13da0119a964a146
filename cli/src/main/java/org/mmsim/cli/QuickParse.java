package org.mmsim.cli;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The command lines that need nothing of picocli but its annotations, parsed without it. picocli builds a command's
 * model by reflection in classes compiled for Java 5, which the JVM verifies with its old verifier and the JDK's AOT
 * cache cannot hold: that was 110-170 ms of every run, about half of {@code mmsim check} of a history scenario
 * (bench/README.md). This reads the same {@code @Option}, {@code @Parameters} and {@code @Mixin} annotations, from the
 * class files ({@link FieldAnnotations}), and fills
 * the same fields, for the plain cases only: options by their full names, each value after its option or after
 * {@code =}, positional parameters within their arity, values of the field types the commands use. Anything else —
 * help, version, an unknown or repeated option, a missing or malformed value, {@code --}, a short option with its
 * value attached, a command whose annotations set what this does not read ({@code defaultValue}, {@code required},
 * ...) — is left to picocli, which then parses the whole command line again (on a fresh command) and
 * reports exactly what it always did. {@code QuickParseTest} holds the fields this fills equal to picocli's on
 * every command.
 */
final class QuickParse {
    private QuickParse() {}

    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,18}");
    private static final Pattern DECIMAL = Pattern.compile("-?[0-9]{1,15}(\\.[0-9]{1,15})?");

    private static final String OPTION = "picocli.CommandLine$Option";
    private static final String PARAMETERS = "picocli.CommandLine$Parameters";
    private static final String MIXIN = "picocli.CommandLine$Mixin";
    /**
     * The attributes of {@code @Option} and {@code @Parameters} whose meaning this parse keeps ({@code hidden} only
     * leaves an option out of the help); an annotation that sets any other ({@code defaultValue}, {@code required},
     * {@code converter}, {@code negatable}, ...) is left to picocli.
     */
    private static final Set<String> OPTION_ATTRIBUTES = Set.of("names", "paramLabel", "description", "split",
            "splitSynopsisLabel", "arity", "hidden");
    private static final Set<String> PARAMETERS_ATTRIBUTES = Set.of("index", "arity", "paramLabel", "description");

    /** One declared option: the field it fills, on the command or on one of its mixins, and its split regex. */
    private record Declared(Object owner, Field field, String split) {}

    /** The positional parameters' field, with its {@code @Parameters}. */
    private record Positional(Field field, FieldAnnotations.Annotation parameters) {}

    /**
     * Fills {@code command}'s option and parameter fields from {@code args} (the words after the command's name).
     *
     * @return whether it did; false if the command line needs picocli (then the command's fields may be half
     *     filled, and the caller must give picocli a new one)
     */
    static boolean parse(Object command, String[] args) {
        try {
            return fill(command, args);
        } catch (ReflectiveOperationException | IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean fill(Object command, String[] args) throws ReflectiveOperationException, IOException {
        Map<String, Declared> options = new LinkedHashMap<>();
        List<Positional> positional = new ArrayList<>();
        declare(command, options, positional);
        if (positional.size() > 1) {
            return false;
        }
        List<String> words = new ArrayList<>();
        List<Declared> seen = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("-")) {
                words.add(a);
                continue;
            }
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 2) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            Declared d = options.get(name);
            if (d == null) {
                return false;
            }
            if (d.field.getType() == boolean.class) {
                if (value != null || seen.contains(d)) {
                    return false;
                }
                seen.add(d);
                d.field.setBoolean(d.owner, true);
                continue;
            }
            if (value == null) {
                if (i + 1 == args.length) {
                    return false;
                }
                value = args[++i];
            }
            if (!take(d, value, seen)) {
                return false;
            }
        }
        return positional(command, positional.isEmpty() ? null : positional.get(0), words);
    }

    /**
     * {@code value} for option {@code d}, which takes one: added to a list option's values, or set once on another;
     * false for a value picocli must judge (empty, quoted, or starting with {@code -} and not a number, which might be
     * an option) or a second value of a single-valued option.
     */
    private static boolean take(Declared d, String value, List<Declared> seen) throws IllegalAccessException {
        if (value.isEmpty() || value.indexOf('"') >= 0 || value.indexOf('\'') >= 0
                || value.startsWith("-") && !DECIMAL.matcher(value).matches()) {
            return false;
        }
        if (List.class.isAssignableFrom(d.field.getType())) {
            return addAll(d, value, seen);
        }
        if (seen.contains(d) || !set(d.owner, d.field, value)) {
            return false;
        }
        seen.add(d);
        return true;
    }

    /** The options of {@code o} and of its mixins (made here, as picocli makes them), and its positional fields. */
    private static void declare(Object o, Map<String, Declared> options, List<Positional> positional)
            throws ReflectiveOperationException, IOException {
        for (Class<?> c = o.getClass(); c != Object.class; c = c.getSuperclass()) {
            for (Map.Entry<String, List<FieldAnnotations.Annotation>> e : FieldAnnotations.of(c).entrySet()) {
                Field f = c.getDeclaredField(e.getKey());
                for (FieldAnnotations.Annotation a : e.getValue()) {
                    switch (a.type()) {
                        case OPTION -> {
                            // arity "1" is what a single value takes anyway; "0..1" and the like are picocli's to read
                            String arity = a.string("arity", "");
                            if (!OPTION_ATTRIBUTES.containsAll(a.values().keySet()) || !List.of("", "1").contains(arity)
                                    || f.getType() == boolean.class && !arity.isEmpty()) {
                                throw new UnsupportedOperationException("option " + f.getName());
                            }
                            f.setAccessible(true);
                            for (String name : a.strings("names")) {
                                if (options.put(name, new Declared(o, f, a.string("split", ""))) != null) {
                                    throw new IllegalStateException("option " + name + " declared twice");
                                }
                            }
                        }
                        case PARAMETERS -> {
                            if (!PARAMETERS_ATTRIBUTES.containsAll(a.values().keySet())) {
                                throw new UnsupportedOperationException("parameters " + f.getName());
                            }
                            f.setAccessible(true);
                            positional.add(new Positional(f, a));
                        }
                        case MIXIN -> {
                            f.setAccessible(true);
                            Object mixin = f.get(o);
                            if (mixin == null) {
                                var made = f.getType().getDeclaredConstructor();
                                made.setAccessible(true);
                                mixin = made.newInstance();
                                f.set(o, mixin);
                            }
                            declare(mixin, options, positional);
                        }
                        default -> { }
                    }
                }
            }
        }
    }

    /** A value of a list option: split as its annotation says, added after those given before. */
    @SuppressWarnings("unchecked")
    private static boolean addAll(Declared d, String value, List<Declared> seen) throws IllegalAccessException {
        if (!d.field.getGenericType().getTypeName().equals("java.util.List<java.lang.String>")) {
            return false;
        }
        List<String> list;
        if (seen.contains(d)) {
            list = (List<String>) d.field.get(d.owner);
        } else {
            // picocli replaces a list field's initial value with the values given
            list = new ArrayList<>();
            d.field.set(d.owner, list);
            seen.add(d);
        }
        String split = d.split();
        for (String v : split.isEmpty() ? new String[] {value} : value.split(split, -1)) {
            if (v.isEmpty()) {
                return false;
            }
            list.add(v);
        }
        return true;
    }

    /** Converts {@code value} to {@code field}'s type and sets it; false for a type or a value left to picocli. */
    private static boolean set(Object owner, Field field, String value) throws IllegalAccessException {
        Class<?> type = field.getType();
        if (type == String.class) {
            field.set(owner, value);
        } else if (type == Path.class) {
            field.set(owner, Path.of(value));
        } else if ((type == int.class || type == Integer.class) && INTEGER.matcher(value).matches()
                && value.length() <= 9) {
            field.set(owner, Integer.valueOf(value));
        } else if ((type == long.class || type == Long.class) && INTEGER.matcher(value).matches()) {
            field.set(owner, Long.valueOf(value));
        } else if (type == double.class && DECIMAL.matcher(value).matches()) {
            field.setDouble(owner, Double.parseDouble(value));
        } else if (type == Boolean.class && (value.equals("true") || value.equals("false"))) {
            field.set(owner, Boolean.valueOf(value));
        } else {
            return false;
        }
        return true;
    }

    /** The positional parameters: one field, a single {@code Path} (index 0) or a list of paths within its arity. */
    private static boolean positional(Object command, Positional p, List<String> words) throws IllegalAccessException {
        if (p == null) {
            return words.isEmpty();
        }
        Field field = p.field();
        String arity = p.parameters().string("arity", "");
        if (field.getType() == Path.class) {
            if (!p.parameters().string("index", "").equals("0") || !arity.isEmpty() || words.size() != 1) {
                return false;
            }
            field.set(command, Path.of(words.get(0)));
            return true;
        }
        if (!field.getGenericType().getTypeName().equals("java.util.List<java.nio.file.Path>")
                || !(arity.equals("1..*") && !words.isEmpty() || arity.equals("0..*"))) {
            return false;
        }
        if (!words.isEmpty()) {
            List<Path> paths = new ArrayList<>();
            for (String w : words) {
                paths.add(Path.of(w));
            }
            field.set(command, paths);
        }
        return true;
    }
}
