package org.mmsim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mmsim.kernel.profile.Switch;

class ScenarioParserTest {
    private static final String HEADER = """
            scenario t
            process P
            P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
            """;

    private static Scenario parse(String text) throws ScenarioException {
        return ScenarioParser.parse("t.mms", text);
    }

    private static ScenarioException error(String text) {
        try {
            parse(text);
        } catch (ScenarioException e) {
            return e;
        }
        throw new AssertionError("expected a ScenarioException");
    }

    @Test
    void parsesAFullScenario() throws ScenarioException {
        Scenario s = parse(HEADER + """
                doc "a doc line"
                P: store A+8 0xd0      # comment
                P: fork C
                thread T1 of P {
                  r0 = load A+8
                }
                thread C {
                  r1 = load A
                }
                exists (P:r9 = 1 \\/ T1:r0 = 0xd0) /\\ ~(C:r1 = SIGSEGV)
                expect 5.7 6.18[cow_reuse=mapcount] allowed
                expect 5.9 forbidden
                """.replace("P:r9 = 1", "C:r1 = 1"));
        assertThat(s.name()).isEqualTo("t");
        assertThat(s.doc()).isEqualTo("a doc line");
        assertThat(s.processes()).containsExactly("P");
        assertThat(s.program()).hasSize(2);
        assertThat(s.program().get(1)).isInstanceOf(Scenario.Group.class);
        assertThat(((Scenario.Group) s.program().get(1)).threads()).extracting(Scenario.ThreadBlock::name)
                .containsExactly("T1", "C");
        assertThat(s.expectations()).extracting(Expectation::kernel).containsExactly("5.7", "6.18[cow_reuse=mapcount]", "5.9");
        assertThat(s.condition().toString()).isEqualTo("((C:r1 = 1 \\/ T1:r0 = 0xd0) /\\ ~C:r1 = SIGSEGV)");
        Op store = ((Scenario.Script) s.program().get(0)).lines().get(1).op();
        assertThat(store.kind().keyword()).isEqualTo("store");
        assertThat(store.args().get(0)).isEqualTo(new Arg.Addr("A", 8, 10));
        assertThat(store.text()).isEqualTo("store A+8 0xd0");
    }

    @Test
    void unknownOperationNamesLineColumnAndSuggests() {
        ScenarioException e = error(HEADER + "P: stor A 1\nexists (P:r0 = 1)\nexpect 6.18 never\n");
        assertThat(e.getMessage()).isEqualTo("t.mms:4:4: unknown operation 'stor' (did you mean store?)");
    }

    @Test
    void wrongArityNamesTheSignature() {
        ScenarioException e = error(HEADER + "P: store A\n");
        assertThat(e.line()).isEqualTo(4);
        assertThat(e.col()).isEqualTo(4);
        assertThat(e.reason()).isEqualTo("store takes 2 arguments: store ADDR VALUE; got 1");
    }

    @Test
    void tooManyArgumentsPointAtTheFirstExtraOne() {
        ScenarioException e = error(HEADER + "P: munmap A 4K 5\n");
        assertThat(e.col()).isEqualTo(16);
        assertThat(e.reason()).startsWith("munmap takes 2 arguments");
    }

    @Test
    void deeplyNestedOrHugeConditionsAreScenarioErrorsNotStackOverflows() {
        String deep = "(".repeat(5000) + "P:r0 = 1" + ")".repeat(5000);
        ScenarioException e = error(HEADER + "P: r0 = load A\nexists " + deep + "\nexpect 6.18 never\n");
        assertThat(e.line()).isEqualTo(5);
        assertThat(e.reason()).isEqualTo("the condition nests deeper than 64 levels");
        String wide = String.join(" /\\ ", java.util.Collections.nCopies(2000, "P:r0 = 1"));
        e = error(HEADER + "P: r0 = load A\nexists (" + wide + ")\nexpect 6.18 never\n");
        assertThat(e.reason()).isEqualTo("the condition has more than 1024 comparisons");
        String negated = "~".repeat(100) + "(P:r0 = 1)";
        assertThat(error(HEADER + "P: r0 = load A\nexists " + negated + "\nexpect 6.18 never\n").reason())
                .isEqualTo("the condition nests deeper than 64 levels");
    }

    @Test
    void moreThreadsThanTheExplorerTakesIsAScenarioError() {
        StringBuilder s = new StringBuilder(HEADER);
        for (int i = 0; i < 31; i++) {
            s.append("thread T").append(i).append(" of P {\n  store A ").append(i).append("\n}\n");
        }
        ScenarioException e = error(s + "exists ([P:A] = 99)\nexpect 6.18 never\n");
        assertThat(e.line()).isEqualTo(4 + 30 * 3);
        assertThat(e.reason()).isEqualTo("a group of concurrent threads has at most 30 thread blocks");
    }

    @Test
    void unknownKernelProfileIsReportedAtItsColumn() {
        ScenarioException e = error(HEADER + "P: r0 = load A\nexists (P:r0 = 1)\nexpect 6.18 5.99 never\n");
        assertThat(e.getMessage()).startsWith("t.mms:6:13: unknown kernel profile '5.99' (known: 2.6.19, 2.6.23, 2.6.27, 4.8, 4.9, 5.7");
    }

    @Test
    void unknownSwitchOrValueInKernelOverride() {
        assertThat(error(HEADER + "P: r0 = load A\nexists (P:r0 = 1)\nexpect 6.18[cow=x] never\n").reason())
                .startsWith("unknown switch 'cow'");
        assertThat(error(HEADER + "P: r0 = load A\nexists (P:r0 = 1)\nexpect 6.18[cow_reuse=x] never\n").reason())
                .isEqualTo("switch cow_reuse takes mapcount|page_count|anon_exclusive, not 'x'");
    }

    @Test
    void aSwitchOrMemorySizeSetTwiceIsRefusedWhereTheSecondIs() throws ScenarioException {
        String body = "process P\nP: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS\n"
                + "P: r0 = load A\nexists (P:r0 = 1)\nexpect 6.18 never\n";
        assertThat(error("scenario t\nset cow_reuse=mapcount\nset fork_copy_pinned=off cow_reuse=page_count\n"
                + body).getMessage()).isEqualTo("t.mms:3:26: switch cow_reuse is already set (line 2)");
        assertThat(error("scenario t\nset cow_reuse=mapcount cow_reuse=mapcount\n" + body).getMessage())
                .isEqualTo("t.mms:2:24: switch cow_reuse is already set on this line");
        assertThat(error("scenario t\nmemory normal=1M\nmemory movable=1M normal=2M\n" + body).getMessage())
                .isEqualTo("t.mms:3:19: memory normal is already set (line 2)");
        assertThat(error(HEADER + "P: r0 = load A\nexists (P:r0 = 1)\n"
                + "expect 6.18[cow_reuse=mapcount,cow_reuse=page_count] never\n").reason())
                .isEqualTo("kernel '6.18[cow_reuse=mapcount,cow_reuse=page_count]': switch cow_reuse is set twice");
        // different switches, and a bracket over a set line, are what they always were: the later layer wins
        Scenario s = parse("scenario t\nset cow_reuse=mapcount\nmemory normal=1M movable=1M\n"
                + body.replace("expect 6.18 never", "expect 6.18[cow_reuse=page_count] never"));
        assertThat(s.overrides()).containsExactly(java.util.Map.entry("cow_reuse", "mapcount"));
        assertThat(Checker.profile(s, "6.18[cow_reuse=page_count]", java.util.Map.of()).value(Switch.COW_REUSE))
                .isEqualTo("page_count");
    }

    @Test
    void syntaxErrorsInConditions() {
        assertThat(error(HEADER + "P: r0 = load A\nexists (P:r0 = 1\nexpect 6.18 never\n").getMessage())
                .isEqualTo("t.mms:5:16: condition ends early: expected ')'");
        assertThat(error(HEADER + "P: r0 = load A\nexists (P:r0 1)\nexpect 6.18 never\n").getMessage())
                .isEqualTo("t.mms:5:14: expected '=' or '!=' after P:r0");
        assertThat(error(HEADER + "P: r0 = load A\nexists (P:r1 = 1)\nexpect 6.18 never\n").reason())
                .startsWith("register P:r1 is never assigned");
    }

    @Test
    void flagsAreCheckedByName() {
        ScenarioException e = error("scenario t\nprocess P\nP: mmap A 4K PROT_READ|PROT_WRTE MAP_PRIVATE|MAP_ANONYMOUS\n");
        assertThat(e.col()).isEqualTo(24);
        assertThat(e.reason()).startsWith("unknown PROT flag 'PROT_WRTE'");
    }

    @Test
    void namesMustBeDefinedBeforeUse() {
        assertThat(error("scenario t\nprocess P\nQ: fork C\n").reason()).startsWith("unknown process or thread 'Q'");
        assertThat(error("scenario t\nprocess P\nP: store B 1\n").reason()).isEqualTo("unknown address 'B'");
        assertThat(error(HEADER + "P: read A\n").reason()).isEqualTo("'A' is an address, not a pipe");
    }

    @Test
    void offsetsOutsideTheModelledWordsAreRejected() {
        ScenarioException e = error(HEADER + "P: store A+0x18 1\n");
        assertThat(e.col()).isEqualTo(12);
        assertThat(e.reason()).startsWith("offset 0x18 within the page is not modelled");
    }

    @Test
    void missingPiecesAreReported() {
        assertThat(error("process P\n").reason()).isEqualTo("missing 'scenario NAME' line");
        assertThat(error(HEADER).reason()).startsWith("missing 'exists' condition");
        assertThat(error(HEADER + "P: r0 = load A\nexists (P:r0 = 1)\n").reason()).startsWith("missing 'expect");
        assertThat(error(HEADER + "thread T of P {\n r0 = load A\n").reason()).startsWith("thread block 'T' is not closed");
    }

    @Test
    void unterminatedStringAndStrayCharacters() {
        assertThat(error("scenario t\ndoc \"abc\n").getMessage()).isEqualTo("t.mms:2:5: unterminated string");
        assertThat(error("scenario t\nprocess P @\n").getMessage()).isEqualTo("t.mms:2:11: unexpected character '@'");
        // what cannot be seen, or is easily mistaken for ASCII, is named by its code point
        assertThat(error("scenario t\u2019s\n").getMessage())
                .isEqualTo("t.mms:1:11: unexpected character '\u2019' (U+2019)");
        assertThat(error("scenario t\n\u200Bprocess P\n").getMessage())
                .isEqualTo("t.mms:2:1: unexpected character U+200B (a character that shows nothing)");
        assertThat(error("scenario t\nprocess P \uD83D\uDE00\n").getMessage())
                .isEqualTo("t.mms:2:11: unexpected character '\uD83D\uDE00' (U+1F600)");
        assertThat(error("scenario t\nprocess P\u0001\n").getMessage())
                .isEqualTo("t.mms:2:10: unexpected character U+0001 (a character that shows nothing)");
    }

    /** Some editors start a UTF-8 file with a byte-order mark: it is not part of the text. */
    @Test
    void aByteOrderMarkAtTheStartOfAFileIsNotText(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        String text = HEADER + "P: r0 = load A\nexists (P:r0 = 1)\nexpect 6.18 never\n";
        java.nio.file.Path f = dir.resolve("bom.mms");
        java.nio.file.Files.writeString(f, "\uFEFF" + text);
        assertThat(ScenarioParser.read(f)).isEqualTo(text);
        assertThat(ScenarioParser.parse(f).name()).isEqualTo("t");
        // anywhere else it is a character that shows nothing
        java.nio.file.Files.writeString(f, text.replace("process P", "process \uFEFFP"));
        assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(ScenarioException.class,
                () -> ScenarioParser.parse(f)).getMessage())
                .endsWith("bom.mms:2:9: unexpected character U+FEFF (a character that shows nothing)");
    }

    @Test
    void operationWithoutActorOutsideThreadGetsAHint() {
        assertThat(error("scenario t\nprocess P\nstore A 1\n").reason())
                .isEqualTo("unknown directive 'store'; outside a thread block an operation needs its actor: P: store ...");
    }
}
