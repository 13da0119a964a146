package org.mmsim.kernel.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The fields of a module's compiled classes, for the guards that keep state and its fingerprint together
 * ({@code FingerprintCoverageTest}): every class under a package, nested ones included, read from the classes
 * directory (or jar-less build output) that holds an anchor class.
 */
public final class MutableFields {

    private MutableFields() {}

    /** Every class compiled under {@code pkg} (subpackages included) in the output that holds {@code anchor}. */
    public static List<Class<?>> classesUnder(Class<?> anchor, String pkg) {
        try {
            Path root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path dir = root.resolve(pkg.replace('.', '/'));
            if (!Files.isDirectory(dir)) {
                throw new IllegalStateException("no classes directory for " + pkg + " at " + dir);
            }
            List<Class<?>> classes = new ArrayList<>();
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
                    String name = root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), ".")
                            .replaceAll("\\.class$", "");
                    classes.add(Class.forName(name, false, anchor.getClassLoader()));
                }
            }
            return classes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException | ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A field whose value can change after construction, or whose contents can. */
    public static boolean mutable(Field f) {
        if (f.isSynthetic()) {
            return false;
        }
        boolean isFinal = Modifier.isFinal(f.getModifiers());
        if (Modifier.isStatic(f.getModifiers())) {
            return !isFinal;
        }
        Class<?> type = f.getType();
        return !isFinal || type.isArray() || Collection.class.isAssignableFrom(type)
                || Map.class.isAssignableFrom(type);
    }

    /** {@code c} relative to {@code pkg}, nested classes as {@code Outer$Inner}: {@code "mm.Mm"}. */
    public static String key(Class<?> c, String pkg) {
        return c.getName().substring(pkg.length() + 1);
    }

    /** Every mutable field of the classes under {@code pkg}, as {@code "mm.Mm.flags"}, each with its class. */
    public static Map<String, Class<?>> mutableFields(Class<?> anchor, String pkg) {
        Map<String, Class<?>> out = new TreeMap<>();
        for (Class<?> c : classesUnder(anchor, pkg)) {
            for (Field f : c.getDeclaredFields()) {
                if (mutable(f)) {
                    out.put(key(c, pkg) + "." + f.getName(), c);
                }
            }
        }
        return out;
    }

    /** Every declared field of the classes under {@code pkg}, as {@code "mm.Mm.flags"}. */
    public static List<String> declaredFields(Class<?> anchor, String pkg) {
        List<String> out = new ArrayList<>();
        for (Class<?> c : classesUnder(anchor, pkg)) {
            for (Field f : c.getDeclaredFields()) {
                out.add(key(c, pkg) + "." + f.getName());
            }
        }
        return out;
    }
}
