package org.mmsim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.cli.MainTest.mmsim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mmsim fidelity}: the committed docs/fidelity.md is its output, and its exit codes. */
class FidelityCommandTest {
    private static final Path ROOT = BundledScenariosTest.ROOT;

    @TempDir
    Path tmp;

    private static final String GOOD = """
            scenario good
            doc "After fork the parent's write stays out of the child"
            process P
            P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
            P: store A 1
            P: fork C
            P: store A 2
            C: r0 = load A
            exists (C:r0 = 2)
            expect 5.7 6.18 forbidden
            """;

    private Path write(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    @Test
    void docsFidelityMdIsTheTableOfTheBundledScenarios() throws IOException {
        Path out = tmp.resolve("fidelity.md");
        MainTest.Outcome o = mmsim("fidelity", ROOT.resolve("scenarios").toString(), "--out", out.toString());
        assertThat(o.code()).as(o.err()).isZero();
        String committed = Files.readString(ROOT.resolve("docs/fidelity.md"), StandardCharsets.UTF_8);
        assertThat(Files.readString(out, StandardCharsets.UTF_8))
                .as("docs/fidelity.md is out of date with the scenarios: run ./mmsim fidelity --out docs/fidelity.md "
                        + "and commit the result")
                .isEqualTo(committed);
        assertThat(committed).contains("| `b2-cve-2020-29374`<br>", "## cow\n", "## history\n", "## pins\n",
                "## Sources\n");
    }

    @Test
    void writesToStandardOutputByDefaultAndIsDeterministic() throws IOException {
        write("cow/good.mms", GOOD + "known 6.18 forbidden \"a test fact\"\n");
        MainTest.Outcome a = mmsim("fidelity", tmp.toString());
        MainTest.Outcome b = mmsim("fidelity", tmp.toString());
        assertThat(a.code()).isZero();
        assertThat(a.out()).isEqualTo(b.out());
        assertThat(a.out()).contains("""
                ## cow

                | Scenario | 2.6.19 | 2.6.23 | 2.6.27 | 4.8 | 4.9 | 5.7 | 5.8 | 5.9 | 5.11 | 5.19 | 6.18 |
                |---|---|---|---|---|---|---|---|---|---|---|---|
                | `good`<br>After fork the parent's write stays out of the child<br>`cow/good.mms` | never | never \
                | never | never | never | never | never | never | never | never | never · forbidden ✓ |
                """);
        assertThat(a.out()).endsWith("- `cow/good.mms` (`good`)\n  - 6.18 forbidden: a test fact\n\n"
                + "1 cases × 11 profiles, 1 known facts, all agree.\n");
    }

    @Test
    void aDisagreementExits1AndStillWritesTheFile() throws IOException {
        write("history/wrong.mms", GOOD + "known 5.7 6.18 allowed \"a deliberately wrong fact\"\n");
        Path out = tmp.resolve("out.md");
        MainTest.Outcome o = mmsim("fidelity", tmp.resolve("history").toString(), "--out", out.toString());
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.out())
                .isEqualTo("fidelity: 1 cases × 11 profiles, 2 known facts, 2 disagree. Wrote " + out + ".\n");
        assertThat(Files.readString(out)).contains("| ! never · allowed ✗ |", "## history\n");
    }

    @Test
    void aFileGivenByItselfGoesInTheTableOfItsDirectory() throws IOException {
        Path p = write("pins/good.mms", GOOD);
        MainTest.Outcome o = mmsim("fidelity", p.toString());
        assertThat(o.code()).isZero();
        assertThat(o.out()).contains("## pins\n", "<br>`good.mms` |");
    }

    @Test
    void aScenarioErrorAtRunTimeIsACellNotTheEndOfTheTable() throws IOException {
        write("pins/gone.mms", """
                scenario gone
                process P
                P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
                P: exit
                P: r0 = load A
                exists (P:r0 = 1)
                expect 6.18 never
                """);
        MainTest.Outcome o = mmsim("fidelity", tmp.toString());
        assertThat(o.code()).isZero();
        assertThat(o.out()).contains("| `gone`<br>`pins/gone.mms` | cannot run | cannot run | cannot run | cannot run "
                + "| cannot run | cannot run | cannot run | cannot run | cannot run | cannot run | ! cannot run |\n");
        assertThat(o.out()).contains("## Cannot run\n\n- 2.6.19, 2.6.23, 2.6.27, 4.8, 4.9, 5.7, 5.8, 5.9, 5.11, 5.19, 6.18: "
                + "`pins/gone.mms:5:1: 'P' has already exited`\n");
    }

    @Test
    void invalidScenarioExits3AndMissingPathExits2() throws IOException {
        Path bad = write("cow/bad.mms", GOOD + "known 6.18 forbidden\n");
        MainTest.Outcome o = mmsim("fidelity", tmp.toString());
        assertThat(o.code()).isEqualTo(3);
        assertThat(o.firstErrLine()).startsWith(bad + ":11:21: known needs a quoted SOURCE");
        assertThat(o.out()).isEmpty();
        assertThat(mmsim("fidelity", "/nonexistent/scenarios").code()).isEqualTo(2);
    }
}
