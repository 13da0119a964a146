package org.mmsim.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Files a command writes ({@code --json}, {@code --html}, {@code --out}, {@code --checkpoint}, and the schedules
 * {@code --save} puts in a directory): checked before the work starts, so that a path that cannot be written is a usage
 * error (exit 2) up front, not an internal error after a long search; and written so that a write that fails all the
 * same (a disk that filled up meanwhile) is one too, naming the option, the file and the reason. The check tries what
 * the write will do (it creates a file in the directory and removes it, or opens the existing file to append nothing),
 * since permission bits say nothing where the file system refuses anyway ({@code /proc}, a read-only mount) or the
 * user is root.
 */
final class OutputFile {
    private OutputFile() {}

    /** Throws a usage error naming {@code option} if {@code file} (null: not asked for) could not be written. */
    static void check(String option, Path file) {
        if (file == null) {
            return;
        }
        named(option, file, "a file", true);
        if (Files.isDirectory(file)) {
            throw new Main.UsageError(option + ": " + file + " is a directory");
        }
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new Main.UsageError(option + ": no such directory: " + (dir == null ? file : dir));
        }
        boolean exists = Files.exists(file);
        if (exists && !Files.isRegularFile(file)) {
            // a device or a pipe (/dev/stdout, a FIFO another program reads): opening it to try is not without effect
            return;
        }
        try {
            if (exists) {
                Files.newOutputStream(file, StandardOpenOption.APPEND).close();
            } else {
                probe(dir);
            }
        } catch (IOException e) {
            throw new Main.UsageError(option + ": cannot write " + file + ": " + reason(e));
        }
    }

    /**
     * {@link #check} for a file that is written beside its name and moved over it (a checkpoint, so that an interrupted
     * write leaves the old one whole): it must be a regular file or not be there. Moved over a device, it would take
     * the device's place: {@code --checkpoint /dev/null}, run as root, replaced the machine's {@code /dev/null} with a
     * regular file.
     */
    static void checkReplaceable(String option, Path file) {
        if (file == null) {
            return;
        }
        named(option, file, "a checkpoint file", false);
        if (Files.exists(file) && !Files.isDirectory(file) && !Files.isRegularFile(file)) {
            throw new Main.UsageError(option + ": " + file + " is not a regular file, and the file written beside it "
                    + "would be moved over it");
        }
        check(option, file);
    }

    /**
     * Throws a usage error naming {@code option} if files could not be written in directory {@code dir}: if it exists,
     * it must be a directory one can make a file in; if not, the nearest directory above it that exists must be one
     * (the command makes the rest when it first saves something).
     */
    static void checkDirectory(String option, Path dir) {
        named(option, dir, "a directory", false);
        Path d = dir.toAbsolutePath();
        while (d != null && !Files.exists(d)) {
            d = d.getParent();
        }
        if (d == null || !Files.isDirectory(d)) {
            throw new Main.UsageError(option + ": " + (d == null ? dir : d) + " is not a directory");
        }
        try {
            probe(d);
        } catch (IOException e) {
            throw new Main.UsageError(option + ": cannot write in " + d + ": " + reason(e));
        }
    }

    /**
     * Refuses the two paths that name no file the user meant: the empty one, which the JDK takes for the working
     * directory, and {@code -}, which in other programs' options means standard output but here would be
     * {@code what} named {@code -} in the working directory; {@code stream}: whether the output may be a stream, so
     * that {@code /dev/stdout} is the thing to suggest ({@code --json}, {@code --html}, {@code --out}; a checkpoint is
     * moved into place, and the schedules are files in a directory).
     */
    private static void named(String option, Path file, String what, boolean stream) {
        String name = file.toString();
        if (name.isEmpty()) {
            throw new Main.UsageError(option + ": the path is empty");
        }
        if (name.equals("-")) {
            throw new Main.UsageError(option + ": '-' would be " + what + " named '-' in the working directory, not"
                    + " standard output" + (stream ? " (that is /dev/stdout)" : "")
                    + "; write ./- if that is what you mean");
        }
    }

    /** Makes directory {@code dir} (and those above it), which {@code option} named, if it is not there yet. */
    static void makeDirectory(String option, Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new Main.UsageError(option + ": cannot make directory " + dir + ": " + reason(e));
        }
    }

    /** Writes {@code text} to {@code file}, which {@code option} named; a failure is a usage error that says why. */
    static void write(String option, Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Main.UsageError(option + ": cannot write " + file + ": " + reason(e));
        }
    }

    /** Makes a file in {@code dir} and removes it. */
    private static void probe(Path dir) throws IOException {
        Files.delete(Files.createTempFile(dir, ".mmsim-", ".probe"));
    }

    /** What went wrong, in words: the JDK's exceptions for these say only the path. */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "a file that is not a directory is in the way";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
