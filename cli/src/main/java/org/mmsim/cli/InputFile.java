package org.mmsim.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file a command reads (a scenario, a schedule, a checkpoint): it must be there and not be a directory, and the
 * refusal says which way it is not. A scenario or a schedule is read once, so it may come through a pipe
 * ({@code ./mmsim explore <(sed s/4K/8K/ b1.mms)}), as {@code check} always took one; a checkpoint is read twice (its
 * checksum, then its contents) and must be a regular file.
 */
final class InputFile {
    private InputFile() {}

    /**
     * Throws a usage error if {@code file} cannot be read as a {@code kind} file: {@code no such KIND file: FILE} if
     * nothing is there, {@code FILE is a directory, not a KIND file}, or, when {@code regular}, {@code FILE is not a
     * regular file, not a KIND file} (a device, a pipe); {@code option} (null: a positional argument) prefixes the
     * message.
     */
    static void require(String option, String kind, Path file, boolean regular) {
        String prefix = option == null ? "" : option + ": ";
        named(prefix, kind, file, !regular);
        if (!Files.exists(file)) {
            throw new Main.UsageError(prefix + "no such " + kind + " file: " + file);
        }
        if (Files.isDirectory(file)) {
            throw new Main.UsageError(prefix + file + " is a directory, not a " + kind + " file");
        }
        if (regular && !Files.isRegularFile(file)) {
            throw new Main.UsageError(prefix + file + " is not a regular file, not a " + kind + " file");
        }
    }

    /**
     * Refuses the empty path, which the JDK takes for the working directory, and {@code -}, which in other programs
     * means standard input but here would be a file named {@code -}; {@code prefix} is the option and ": ", or
     * nothing; {@code stream}: whether the file may be a pipe, so that {@code /dev/stdin} is the thing to suggest.
     */
    static void named(String prefix, String kind, Path file, boolean stream) {
        if (file.toString().isEmpty()) {
            throw new Main.UsageError(prefix + "the path of the " + kind + " file is empty");
        }
        if (file.toString().equals("-")) {
            throw new Main.UsageError(prefix + "'-' would be a file named '-' in the working directory, not standard"
                    + " input" + (stream ? " (that is /dev/stdin)" : "") + "; write ./- if that is what you mean");
        }
    }
}
