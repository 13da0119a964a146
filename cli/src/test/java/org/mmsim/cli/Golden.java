package org.mmsim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files: output committed under {@code cli/src/test/resources/golden/} that a test's output must equal byte for
 * byte. Regenerate them all after a deliberate change of output with
 * {@code ./mmsim test -Dmmsim.golden.update=true}, then read the diff before committing it.
 */
final class Golden {
    static final Path DIR = BundledScenariosTest.ROOT.resolve("cli/src/test/resources/golden");

    private Golden() {}

    /** Whether this run rewrites the golden files instead of comparing with them. */
    static boolean updating() {
        return Boolean.parseBoolean(System.getProperty("mmsim.golden.update", "false"));
    }

    /** {@code actual} must equal the golden file {@code name}; when updating, it becomes the golden file. */
    static void assertMatches(String name, String actual) throws IOException {
        Path file = DIR.resolve(name);
        if (updating()) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, actual, StandardCharsets.UTF_8);
            return;
        }
        assertThat(file).as("golden file %s (create it with ./mmsim test -Dmmsim.golden.update=true)", name)
                .exists();
        assertThat(actual).as("output against golden file %s; if the change is intended, regenerate with "
                + "./mmsim test -Dmmsim.golden.update=true and review the diff", name)
                .isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    }
}
