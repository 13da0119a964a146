package org.mmsim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fuzz harness and what it found: a short fixed-seed campaign over the bundled scenarios (the CI run; the long
 * one is {@code ./mmsim fuzz --count N --seed S}), and every reproducer it ever saved, which must now end in a verdict
 * or a scenario error, never an internal error.
 */
class FuzzCommandTest {
    static final Path REPRODUCERS = BundledScenariosTest.ROOT.resolve("cli/src/test/resources/fuzz");

    @TempDir
    Path tmp;

    @Test
    void aShortCampaignFindsNothing() {
        MainTest.Outcome o = MainTest.mmsim("fuzz", "--count", "300", "--seed", "1", "--corpus",
                BundledScenariosTest.ROOT.resolve("scenarios").toString(), "--out", tmp.resolve("f").toString());
        assertThat(o.code()).as(o.out()).isZero();
        assertThat(o.out()).contains("fuzz: 300 mutants (seed 1)", "0 internal errors, 0 uncaught, 0 over");
        assertThat(Files.exists(tmp.resolve("f"))).as("no finding saved").isFalse();
    }

    @Test
    void aShortDifferentialCampaignComparesSearchesAndFindsNoDisagreement() {
        MainTest.Outcome o = MainTest.mmsim("fuzz", "--count", "200", "--seed", "2", "--differential", "--corpus",
                BundledScenariosTest.ROOT.resolve("scenarios").toString(), "--out", tmp.resolve("f").toString());
        assertThat(o.code()).as(o.out()).isZero();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("; 0 of (\\d+) searches compared disagree")
                .matcher(o.out());
        assertThat(m.find()).as(o.out()).isTrue();
        assertThat(Integer.parseInt(m.group(1))).as("mutants compared").isGreaterThan(10);
        assertThat(Files.exists(tmp.resolve("f"))).as("no finding saved").isFalse();
    }

    @Test
    void everyReproducerEndsInAVerdictOrAScenarioError() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(REPRODUCERS)) {
            files = s.filter(p -> p.toString().endsWith(".mms")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        for (Path f : files) {
            MainTest.Outcome o = MainTest.mmsim("check", f.toString(), "--max-states", "20000", "--max-seconds", "10");
            assertThat(o.code()).as("%s: %s", f, o.err()).isIn(Main.OK, Main.FAILED, Main.INVALID_SCENARIO, 4);
        }
    }

    @Test
    void theSameSeedGivesTheSameMutants() {
        List<String> vocab = List.of("store", "A", "4K", "P:");
        String text = "scenario x\nprocess P\nP: store A 1\n";
        assertThat(FuzzCommand.mutate(text, vocab, new Random(7))).isEqualTo(FuzzCommand.mutate(text, vocab,
                new Random(7)));
    }
}
