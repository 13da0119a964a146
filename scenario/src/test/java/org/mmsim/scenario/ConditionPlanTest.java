package org.mmsim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mmsim.kernel.profile.Profiles;

/**
 * The condition as a run evaluates it at its end ({@link Conditions#plan}: chains of {@code \/} and {@code /\}
 * flattened, words of memory compared without making values) gives what the condition's own truth table gives, for
 * conditions of every shape: terms of known values joined at random, with and without parentheses and negations.
 */
class ConditionPlanTest {
    private static final String TEXT = """
            scenario words
            process P
            P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
            P: mmap B 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
            P: creat F tmpfs 8K
            P: pwrite F 0 0x9
            P: mmap_file S F 8K PROT_READ MAP_SHARED
            P: store A 0x5
            P: store B 0x7
            P: munmap B 4K
            P: r0 = load A
            P: fork C
            C: exit
            exists (%s)
            expect 6.18 always
            """;

    /**
     * Terms and their values on the final state of {@link #TEXT}: memory against numbers and signals, registers, an
     * actor that has exited, and a file page no pte maps yet (read from the page cache).
     */
    private static final String[] TERMS = {"[P:A] = 0x5", "[P:A] != 0x5", "[P:A] = 0x6", "[P:A+4K] = 0",
        "[P:B] = 0x7", "[P:B] = SIGSEGV", "P:r0 = 0x5", "P:r0 = 0x6", "[P:A] = P:r0", "[C:A] = 0x5",
        "[C:A] != 0x5", "[P:S] = 0x9", "[P:S+4K] = 0", "[P:S] = 0x5"};
    private static final boolean[] VALUES = {true, false, false, true, false, true, true, false, true, false, true,
        true, true, false};

    private record Expr(String text, boolean value) {}

    private static Expr random(Random rnd, int depth) {
        int pick = depth == 0 ? 0 : rnd.nextInt(5);
        switch (pick) {
            case 1, 2 -> {
                // a chain of two to five operands under one connective, as the parser reads it: left to right
                boolean or = pick == 1;
                int n = 2 + rnd.nextInt(4);
                List<String> parts = new ArrayList<>();
                boolean value = !or;
                for (int i = 0; i < n; i++) {
                    Expr e = random(rnd, depth - 1);
                    parts.add(e.text());
                    value = or ? value || e.value() : value && e.value();
                }
                return new Expr("(" + String.join(or ? " \\/ " : " /\\ ", parts) + ")", value);
            }
            case 3 -> {
                Expr e = random(rnd, depth - 1);
                return new Expr("~" + e.text(), !e.value());
            }
            default -> {
                int t = rnd.nextInt(TERMS.length);
                return new Expr("(" + TERMS[t] + ")", VALUES[t]);
            }
        }
    }

    @Test
    void everyTermHasTheValueTheTableGivesIt() throws ScenarioException {
        for (int t = 0; t < TERMS.length; t++) {
            assertThat(holds(TERMS[t])).as(TERMS[t]).isEqualTo(VALUES[t]);
        }
    }

    @Test
    void conditionsOfEveryShapeGiveWhatTheirTermsGive() throws ScenarioException {
        Random rnd = new Random(20261207);
        for (int i = 0; i < 150; i++) {
            Expr e = random(rnd, 1 + rnd.nextInt(4));
            assertThat(holds(e.text())).as(e.text()).isEqualTo(e.value());
        }
    }

    @Test
    void wordsOfOneActorAndOneNameAreReadTogetherWithTheSameResults() throws ScenarioException {
        // a file page no pte maps: the page cache answers, as a load would fault it in
        assertThat(holds("[P:S] = 0x9 /\\ [P:S+4K] = 0")).isTrue();
        assertThat(holds("[P:S] = 0x5 \\/ [P:S+4K] = 0x1")).isFalse();
        // an actor that has exited: no word, so = matches nothing and != everything
        assertThat(holds("[C:A] = 0x5 \\/ [C:A] != 0x5")).isTrue();
        assertThat(holds("[C:A] = 0x5 \\/ [C:A+4K] = 0")).isFalse();
        // anonymous memory, stored and untouched, and a short-circuit in the middle of the run
        assertThat(holds("[P:A] = 0x6 \\/ [P:A+4K] = 0x1 \\/ [P:A] = 0x5 \\/ [P:A+4K] = 0x2")).isTrue();
        assertThat(holds("[P:A] = 0x5 /\\ [P:A+4K] = 0 /\\ [P:A] != 0x5")).isFalse();
    }

    @Test
    void aLongChainWithoutParenthesesIsReadLeftToRight() throws ScenarioException {
        String chain = String.join(" \\/ ", java.util.Collections.nCopies(1000, "[P:A] = 0x6")) + " \\/ [P:A+4K] = 0";
        assertThat(holds(chain)).isTrue();
        assertThat(holds(chain.replace("[P:A+4K] = 0", "[P:A+4K] = 1"))).isFalse();
        String all = String.join(" /\\ ", java.util.Collections.nCopies(1000, "[P:A] = 0x5")) + " /\\ ~(P:r0 = 0x6)";
        assertThat(holds(all)).isTrue();
    }

    private static boolean holds(String condition) throws ScenarioException {
        return Runner.run(ScenarioParser.parse("t.mms", TEXT.formatted(condition)), Profiles.byName("6.18"), false)
                .conditionHolds();
    }
}
