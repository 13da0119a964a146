package org.mmsim.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file a command reads whole (a scenario, a schedule, a checkpoint): it must be a regular file, and the refusal says
 * which way it is not.
 */
final class InputFile {
    private InputFile() {}

    /**
     * Throws a usage error if {@code file} is not a regular file: {@code no such KIND file: FILE} if nothing is there,
     * {@code FILE is a directory, not a KIND file} or {@code FILE is not a regular file, not a KIND file} (a device, a
     * pipe) otherwise; {@code option} (null: a positional argument) prefixes the message.
     */
    static void require(String option, String kind, Path file) {
        String prefix = option == null ? "" : option + ": ";
        if (Files.isRegularFile(file)) {
            return;
        }
        if (!Files.exists(file)) {
            throw new Main.UsageError(prefix + "no such " + kind + " file: " + file);
        }
        throw new Main.UsageError(prefix + file + (Files.isDirectory(file) ? " is a directory" : " is not a regular "
                + "file") + ", not a " + kind + " file");
    }
}
