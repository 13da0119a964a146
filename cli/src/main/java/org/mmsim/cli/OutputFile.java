package org.mmsim.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks a file a command will write ({@code --json}, {@code --html}, {@code --out}, {@code --checkpoint}) before the
 * work starts, so that a path that cannot be written is a usage error (exit 2) up front, not an internal error after a
 * long search.
 */
final class OutputFile {
    private OutputFile() {}

    /** Throws a usage error naming {@code option} if {@code file} (null: not asked for) could not be written. */
    static void check(String option, Path file) {
        if (file == null) {
            return;
        }
        if (Files.isDirectory(file)) {
            throw new Main.UsageError(option + ": " + file + " is a directory");
        }
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new Main.UsageError(option + ": no such directory: " + (dir == null ? file : dir));
        }
        if (Files.exists(file) ? !Files.isWritable(file) : !Files.isWritable(dir)) {
            throw new Main.UsageError(option + ": cannot write " + file);
        }
    }
}
