package org.mmsim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.cli.MainTest.mmsim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What users read, byte for byte: {@code run}, {@code explore} and {@code check} output, as text and as JSON, against
 * golden files under {@code cli/src/test/resources/golden/}. A deliberate change of output is committed by
 * regenerating them ({@code ./mmsim test -Dmmsim.golden.update=true}) and reading the diff. Temporary paths become
 * {@code TMP}; the seconds a search took are left out.
 */
class GoldenOutputTest {
    private static final String B1 = "../scenarios/history/b1-dirty-cow.mms";
    private static final String B2 = "../scenarios/history/b2-cve-2020-29374.mms";
    private static final String IOURING = "../scenarios/gup_longterm/iouring-shared-tmpfile.mms";

    @TempDir
    Path tmp;

    private String scrub(String s) {
        StringBuilder out = new StringBuilder();
        for (String line : s.split("\n", -1)) {
            if (!line.trim().startsWith("\"seconds\":")) {
                out.append(line.replace(tmp.toString(), "TMP")).append('\n');
            }
        }
        return out.substring(0, out.length() - 1);
    }

    private String json(Path p) throws IOException {
        return scrub(Files.readString(p, StandardCharsets.UTF_8));
    }

    @Test
    void runShowsEveryStepPathAndChange() throws IOException {
        MainTest.Outcome o = mmsim("run", B2, "--kernel", "5.7");
        assertThat(o.code()).isZero();
        Golden.assertMatches("run-b2-5.7.txt", scrub(o.out()));
    }

    @Test
    void runOfFilesPipesAndRingsShowsTheirChanges() throws IOException {
        MainTest.Outcome o = mmsim("run", IOURING, "--kernel", "6.18");
        assertThat(o.code()).isZero();
        Golden.assertMatches("run-iouring-shared-tmpfile-6.18.txt", scrub(o.out()));
    }

    @Test
    void exploreShowsTheVerdictAndAShortestWitness() throws IOException {
        Path json = tmp.resolve("b1.json");
        MainTest.Outcome o = mmsim("explore", B1, "-k", "4.8", "--save", tmp.toString(), "--json", json.toString());
        assertThat(o.code()).isZero();
        Golden.assertMatches("explore-b1-4.8.txt", scrub(o.out()));
        Golden.assertMatches("explore-b1-4.8.json", json(json));
    }

    @Test
    void checkTabulatesTheHistoricBugsUnderEveryKernelTheyName() throws IOException {
        Path json = tmp.resolve("check.json");
        MainTest.Outcome o = mmsim("check", "../scenarios/history", "--json", json.toString());
        assertThat(o.code()).isZero();
        Golden.assertMatches("check-history.txt", scrub(o.out()));
        Golden.assertMatches("check-history.json", json(json));
    }
}
