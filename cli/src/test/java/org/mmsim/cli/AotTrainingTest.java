package org.mmsim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The launcher's training run: every command it trains on succeeds, and it leaves no file behind. */
class AotTrainingTest {
    @Test
    void everyCommandSucceedsAndTheTemporaryDirectoryGoes() throws IOException {
        Path tmpRoot = Path.of(System.getProperty("java.io.tmpdir"));
        List<Path> before = trainingDirs(tmpRoot);

        List<Integer> check = AotTraining.train(BundledScenariosTest.ROOT, "check");
        List<Integer> trace = AotTraining.train(BundledScenariosTest.ROOT, "trace");

        assertThat(check).containsExactly(0);
        // explore, run, one replay of b1's witness under 4.8
        assertThat(trace).containsExactly(0, 0, 0);
        assertThat(trainingDirs(tmpRoot)).isEqualTo(before);
    }

    private static List<Path> trainingDirs(Path tmpRoot) throws IOException {
        try (Stream<Path> s = Files.list(tmpRoot)) {
            return s.filter(p -> p.getFileName().toString().startsWith("mmsim-training")).sorted().toList();
        }
    }
}
