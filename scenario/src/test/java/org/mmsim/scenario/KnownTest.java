package org.mmsim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code known KERNEL... WORD "SOURCE"} directive: parsing, its errors, and how a known fact is judged. */
class KnownTest {
    /** Nine lines; under every profile the parent's write after fork never reaches the child. */
    private static final String COW = """
            scenario t
            process P
            P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
            P: store A 1
            P: fork C
            P: store A 2
            C: r0 = load A
            exists (C:r0 = 2)
            expect 5.7 6.18 forbidden
            """;

    private static final String USAGE = "known KERNEL... always|sometimes|never|allowed|forbidden \"SOURCE\"";

    private static Scenario parse(String text) throws ScenarioException {
        return ScenarioParser.parse("t.mms", text);
    }

    private static String error(String knownLines) {
        try {
            parse(COW + knownLines);
        } catch (ScenarioException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected a ScenarioException");
    }

    @Test
    void parsesOneFactPerKernelWithItsWordSourceAndLine() throws ScenarioException {
        Scenario s = parse(COW + """
                known 5.7 6.18 forbidden "kernel-oracle.md §6.1 #1: ok"   # a comment after the source
                known 4.8 allowed "kernel-mm.md §10 B2"
                """);
        assertThat(s.known()).containsExactly(
                new Known("5.7", "forbidden", "kernel-oracle.md §6.1 #1: ok", 10),
                new Known("6.18", "forbidden", "kernel-oracle.md §6.1 #1: ok", 10),
                new Known("4.8", "allowed", "kernel-mm.md §10 B2", 11));
    }

    @Test
    void mayStandInTheHeaderBeforeTheProgram() throws ScenarioException {
        Scenario s = parse(COW.replace("process P\n", "known 6.18 forbidden \"src\"\nprocess P\n"));
        assertThat(s.known()).containsExactly(new Known("6.18", "forbidden", "src", 2));
        assertThat(s.expectations()).hasSize(2);
    }

    @Test
    void isOptional() throws ScenarioException {
        assertThat(parse(COW).known()).isEmpty();
    }

    @Test
    void missingSourceIsReportedJustAfterTheLine() {
        assertThat(error("known 6.18 forbidden\n")).isEqualTo("t.mms:10:21: known needs a quoted SOURCE after the "
                + "outcome, saying where the fact comes from: " + USAGE);
        assertThat(error("known 6.18 forbidden \"\"\n"))
                .isEqualTo("t.mms:10:22: the SOURCE of a known fact must not be empty: say where the fact comes from");
    }

    @Test
    void missingKernelOrWordIsAUsageError() {
        assertThat(error("known forbidden \"src\"\n")).isEqualTo("t.mms:10:1: expected: " + USAGE);
        assertThat(error("known\n")).isEqualTo("t.mms:10:1: expected: " + USAGE);
    }

    @Test
    void badWordIsReportedAtTheWord() {
        assertThat(error("known 6.18 fixed \"src\"\n")).isEqualTo("t.mms:10:12: 'fixed' is not an outcome: write "
                + "always, sometimes, never, allowed or forbidden");
    }

    @Test
    void unknownKernelIsReportedAtTheKernel() {
        assertThat(error("known 6.18 6.81 forbidden \"src\"\n"))
                .startsWith("t.mms:10:12: unknown kernel profile '6.81' (known: 2.6.19, 2.6.23, 2.6.27, 4.8, 4.9, 5.7, 5.8, 5.9, 5.11, 5.19");
    }

    @Test
    void kernelWithSwitchOverridesIsNotARealKernel() {
        assertThat(error("known 6.18[cow_reuse=mapcount] forbidden \"src\"\n")).isEqualTo("t.mms:10:7: a known fact "
                + "is about a real kernel: name a profile without switch overrides, not 6.18[cow_reuse=mapcount]");
    }

    @Test
    void sameKernelTwiceAcrossKnownLines() {
        assertThat(error("known 6.18 forbidden \"a\"\nknown 5.7 6.18 forbidden \"b\"\n"))
                .isEqualTo("t.mms:11:11: kernel 6.18 already has a known fact (line 10)");
        assertThat(error("known 6.18 6.18 forbidden \"a\"\n"))
                .isEqualTo("t.mms:10:12: kernel 6.18 already has a known fact (line 10)");
    }

    @Test
    void onlyTheSourceIsQuotedAndItEndsTheLine() {
        assertThat(error("known \"6.18\" forbidden \"src\"\n")).isEqualTo("t.mms:10:7: only the SOURCE is quoted: "
                + USAGE);
        assertThat(error("known 6.18 forbidden \"src\" extra\n"))
                .isEqualTo("t.mms:10:28: nothing may follow the quoted SOURCE: " + USAGE);
    }

    @Test
    void admitsOutcomesAsExpectDoes() {
        Known forbidden = new Known("6.18", "forbidden", "src", 1);
        Known allowed = new Known("5.7", "allowed", "src", 1);
        assertThat(forbidden.admits(Outcome.NEVER)).isTrue();
        assertThat(forbidden.admits(Outcome.ALWAYS)).isFalse();
        assertThat(allowed.admits(Outcome.SOMETIMES)).isTrue();
        assertThat(allowed.admits(Outcome.NEVER)).isFalse();
        assertThat(new Known("6.18", "always", "src", 1).admits(Outcome.SOMETIMES)).isFalse();
    }

    @Test
    void aResultAgreeingWithItsKnownFactIsOk() throws ScenarioException {
        Scenario s = parse(COW + "known 6.18 forbidden \"src\"\n");
        Result r = Checker.check(s, "6.18", Map.of());
        assertThat(r.outcome()).isEqualTo(Outcome.NEVER);
        assertThat(r.known()).isEqualTo(new Known("6.18", "forbidden", "src", 10));
        assertThat(r.agreesWithKnown()).isTrue();
        assertThat(r.ok()).isTrue();
        assertThat(Checker.check(s, "5.7", Map.of()).known()).isNull();
    }

    @Test
    void aResultMeetingItsExpectationButNotTheRealKernelIsNotOk() throws ScenarioException {
        Scenario s = parse(COW + "known 6.18 allowed \"a deliberately wrong fact\"\n");
        Result r = Checker.check(s, "6.18", Map.of());
        assertThat(r.expectation().admits(r.outcome())).isTrue();
        assertThat(r.agreesWithKnown()).isFalse();
        assertThat(r.ok()).isFalse();
    }

    @Test
    void aKnownFactIsMatchedOnlyByItsExactKernel() throws ScenarioException {
        Scenario s = parse(COW + "known 6.18 allowed \"src\"\n");
        Result r = Checker.check(s, "6.18[cow_reuse=page_count]", Map.of());
        assertThat(r.known()).isNull();
        assertThat(r.ok()).isTrue();
    }
}
