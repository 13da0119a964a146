package org.mmsim.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Guards {@link MachineFingerprint} against new state: every mutable field of every class in
 * {@code org.mmsim.kernel} (a non-final instance field, a final array or collection, or a non-final static) must
 * be listed here as hashed by the fingerprint or as deliberately left out. A class that gains a field fails this
 * test until the fingerprint hashes it (or its Javadoc says why not) and the field is added below.
 *
 * <p>Subclasses of {@link KernelCall} are skipped: a suspended call's state is the caller's, hashed by
 * {@link KernelCall#fingerprint()}.
 */
class FingerprintCoverageTest {
    private static final String PACKAGE = "org.mmsim.kernel";

    /** Mutable fields {@link MachineFingerprint} hashes, by simple class name ({@code Outer$Inner} for nested). */
    private static final Map<String, Set<String>> HASHED = Map.ofEntries(
            Map.entry("Kernel", Set.of("tasks", "mms", "lineage", "anonVmas", "pipes", "gupHolders", "observations",
                    "inodes", "files", "rings", "userLockedVm", "nextAnonVmaId", "nextMmioPfn", "nextPid", "time",
                    "nrFollPinAcquired", "nrFollPinReleased")),
            Map.entry("PageFrames", Set.of("sections")),
            Map.entry("PageFrames$Section", Set.of("refcount", "mapcount", "flags", "mapping", "index", "data",
                    "writer", "writeTime")),
            Map.entry("PageAlloc", Set.of("start", "end", "next", "freeStack", "freeTop", "nrAllocated",
                    "memallocPin")),
            Map.entry("PageTable", Set.of("pgd")),
            Map.entry("Mm", Set.of("vmas", "flags", "rssAnon", "rssFile", "rssShmem", "hiwaterRss", "pinnedVm",
                    "rlimitMemlock", "writeProtectSeq", "mmapLockReaders", "mmapLockWriter", "ptlHeld", "mmapBase",
                    "users", "dead")),
            Map.entry("Vma", Set.of("start", "end", "flags", "pgoff", "anonVma")),
            Map.entry("AnonVma", Set.of("vmas")),
            Map.entry("Task", Set.of("mm")),
            Map.entry("Inode", Set.of("size", "count", "nlink", "evicted", "pages", "iMmap", "disk")),
            Map.entry("OpenFile", Set.of("closed")),
            Map.entry("Pipe", Set.of("bufs", "closed")),
            Map.entry("GupPages", Set.of("pfns", "nr", "ret", "released")),
            Map.entry("IoRing", Set.of("ubuf", "len", "pages", "accounted", "closed")));

    /**
     * Mutable fields the fingerprint leaves out on purpose (see {@link MachineFingerprint}), and the working state
     * of the fingerprint computation itself, which lives only while {@link Kernel#fingerprint()} runs.
     */
    private static final Map<String, Set<String>> LEFT_OUT = Map.of(
            "Kernel", Set.of("journal", "lastSignal"),
            "PageFrames", Set.of("journal"),
            "Footprint", Set.of("on", "bits"),
            "MachineFingerprint", Set.of("fileIndex", "ptes"),
            "StateHasher", Set.of("h"));

    @Test
    void everyMutableFieldOfTheKernelPackageIsHashedOrDeliberatelyLeftOut() throws Exception {
        List<String> unknown = new ArrayList<>();
        for (Class<?> c : kernelClasses()) {
            for (Field f : c.getDeclaredFields()) {
                if (mutable(f) && !listed(HASHED, c, f) && !listed(LEFT_OUT, c, f)) {
                    unknown.add(key(c) + "." + f.getName());
                }
            }
        }

        assertThat(unknown).as("mutable fields MachineFingerprint does not know; hash them there and list them"
                + " in HASHED, or say in its Javadoc why not and list them in LEFT_OUT").isEmpty();
    }

    @Test
    void everyListedFieldExists() throws Exception {
        Set<String> declared = new TreeSet<>();
        for (Class<?> c : kernelClasses()) {
            for (Field f : c.getDeclaredFields()) {
                declared.add(key(c) + "." + f.getName());
            }
        }
        Set<String> listed = new TreeSet<>();
        Stream.of(HASHED, LEFT_OUT).forEach(table -> table.forEach((c, fields) ->
                fields.forEach(f -> listed.add(c + "." + f))));

        assertThat(declared).as("fields named by this test").containsAll(listed);
    }

    /** A field whose value can change after construction, or whose contents can. */
    private static boolean mutable(Field f) {
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

    private static boolean listed(Map<String, Set<String>> table, Class<?> c, Field f) {
        return table.getOrDefault(key(c), Set.of()).contains(f.getName());
    }

    private static String key(Class<?> c) {
        return c.getName().substring(PACKAGE.length() + 1);
    }

    /** The classes compiled into this package (not its subpackages), nested ones included, calls excluded. */
    private static List<Class<?>> kernelClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        Path dir = Path.of(Kernel.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve(PACKAGE.replace('.', '/'));
        assertThat(dir).as("the kernel's classes directory").isDirectory();
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
                String name = p.getFileName().toString().replace(".class", "");
                Class<?> c = Class.forName(PACKAGE + "." + name, false, Kernel.class.getClassLoader());
                if (!isKernelCall(c)) {
                    classes.add(c);
                }
            }
        }
        assertThat(classes).contains(Kernel.class, Mm.class, PageFrames.class);
        return classes;
    }

    private static boolean isKernelCall(Class<?> c) {
        for (Class<?> s = c; s != null; s = s.getSuperclass()) {
            if (s.getName().equals(PACKAGE + ".KernelCall")) {
                return true;
            }
        }
        return false;
    }
}
