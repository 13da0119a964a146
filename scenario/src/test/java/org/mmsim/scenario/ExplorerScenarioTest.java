package org.mmsim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mmsim.explore.Explorer;
import org.mmsim.explore.Options;
import org.mmsim.explore.Report;
import org.mmsim.kernel.trace.Change;
import org.mmsim.kernel.profile.KernelProfile;

/**
 * The concurrent history scenarios under the explorer: the outcome each kernel gives, the witness schedule it
 * finds and what that schedule does when replayed, and that the witness is the shortest there is.
 */
class ExplorerScenarioTest {

    @Test
    void dirtyCowIsSometimesUnder48AndNeverOnceFollCowOrAnonExclusiveClosesIt() throws ScenarioException {
        Scenario b1 = Library.scenario(Library.B1);

        Result old = Checker.check(b1, "4.8", Map.of());
        assertThat(old.outcome()).isEqualTo(Outcome.SOMETIMES);
        assertThat(old.ok()).isTrue();
        assertThat(old.states()).isEqualTo(17);
        assertThat(old.satisfied()).isEqualTo(1);
        assertThat(old.witness()).containsExactly(0, 0, 0, 1, 0, 0, 0);
        assertThat(old.stopReason()).isNull();

        for (String fixed : List.of("4.9", "6.18")) {
            Result r = Checker.check(b1, fixed, Map.of());
            assertThat(r.outcome()).as(fixed).isEqualTo(Outcome.NEVER);
            assertThat(r.ok()).as(fixed).isTrue();
            assertThat(r.satisfied()).as(fixed).isZero();
            assertThat(r.witness()).as(fixed).isNull();
            assertThat(r.violations()).as(fixed).isEmpty();
        }
    }

    /**
     * Dirty COW's madvise needs MADV_DONTNEED under mmap_lock held for read, which came in 2.6.22 (Nick Piggin, "mm:
     * madvise avoid exclusive mmap_sem"): under 2.6.19 the DONTNEED waits for the GUP, which holds the lock for read
     * from its fault to its retry, so the race that "existed since 2.6.22" cannot happen.
     */
    @Test
    void dirtyCowNeedsTheMadviseReadLockOf2622() throws ScenarioException {
        Scenario b1 = Library.scenario(Library.B1);

        assertThat(Checker.check(b1, "2.6.19", Map.of()).outcome()).isEqualTo(Outcome.NEVER);
        assertThat(Checker.check(b1, "2.6.23", Map.of()).outcome()).isEqualTo(Outcome.SOMETIMES);
        assertThat(Checker.check(b1, "2.6.19", Map.of("madvise_dontneed_read_lock", "on")).outcome())
                .isEqualTo(Outcome.SOMETIMES);
    }

    @Test
    void gupFastAgainstForkIsSometimesUnder59AndNeverOnceWriteProtectSeqIsChecked() throws ScenarioException {
        Scenario b7 = Library.scenario(Library.B7);

        Result old = Checker.check(b7, "5.9", Map.of());
        assertThat(old.outcome()).isEqualTo(Outcome.SOMETIMES);
        assertThat(old.ok()).isTrue();
        assertThat(old.witness()).containsExactly(0, 0, 1, 0, 0, 1);
        Runner replayed = Runner.replay(b7, Library.profile(b7, "5.9"), true, old.witness());
        assertThat(replayed.finished()).isTrue();
        assertThat(replayed.holds()).isTrue();
        Execution e = replayed.execution();
        assertThat(e.registers().get("T").get("r0")).isEqualTo(Value.of(1));
        assertThat(e.registers().get("P").get("r1")).isEqualTo(Value.data(0x1));
        int check = indexOf(e.steps(), 0, "P", "copy_page_range");
        assertThat(check).isGreaterThanOrEqualTo(0);
        assertThat(e.steps().get(check).point())
                .isEqualTo("copy_present_pte checked 0x7efffffff000: page shared, parent pte not yet write-protected");
        Step grab = e.steps().get(check + 1);
        assertThat(grab.actor()).isEqualTo("T");
        assertThat(grab.point()).isEqualTo("gup_fast: try_grab_folio took pfn 1");
        assertThat(indexOf(e.steps(), check + 1, "P", "wp_page_copy")).isGreaterThan(check + 1);

        for (String fixed : List.of("5.11", "6.18")) {
            Result r = Checker.check(b7, fixed, Map.of());
            assertThat(r.outcome()).as(fixed).isEqualTo(Outcome.NEVER);
            assertThat(r.ok()).as(fixed).isTrue();
            assertThat(r.witness()).as(fixed).isNull();
            assertThat(r.violations()).as(fixed).isEmpty();
        }
    }

    @Test
    void theDirtyCowWitnessWritesThePageCacheAfterMadviseZapsThePrivateCopy() throws ScenarioException {
        Scenario b1 = Library.scenario(Library.B1);
        Result r = Checker.check(b1, "4.8", Map.of());

        Runner replayed = Runner.replay(b1, Library.profile(b1, "4.8"), true, r.witness());
        assertThat(replayed.finished()).isTrue();
        assertThat(replayed.holds()).isTrue();
        Execution e = replayed.execution();
        assertThat(e.registers().get("P").get("r1")).isEqualTo(Value.data(0x666));
        assertThat(e.registers().get("W").get("r0")).isEqualTo(Value.of(8));

        List<Step> steps = e.steps();
        int copy = indexOf(steps, 0, "W", "wp_page_copy");
        int zap = indexOf(steps, copy + 1, "D", "zap_pte_range");
        int write = indexOf(steps, zap + 1, "W", "copy_to_user_page");
        assertThat(copy).isGreaterThanOrEqualTo(0);
        assertThat(zap).isGreaterThan(copy);
        assertThat(write).isGreaterThan(zap);
        assertThat(steps.get(copy).point()).isEqualTo("faultin_page done, FOLL_WRITE dropped; cond_resched, retry");
        assertThat(steps.get(zap).changes()).contains(new Change.PageFreed(2));
        assertThat(steps.get(write).path()).containsExactly("follow_page_pte", "copy_to_user_page", "set_page_dirty_lock");
        assertThat(steps.get(write).changes()).contains(new Change.PageField(1, Change.Field.DATA, 0, 1, 0x666));
        assertThat(steps.get(write).result()).isEqualTo("8");
    }

    @Test
    void theDirtyCowWitnessIsTheShortestScheduleThatReachesTheCondition() throws ScenarioException {
        Scenario b1 = Library.scenario(Library.B1);
        KernelProfile p = Library.profile(b1, "4.8");
        int[] witness = Checker.check(b1, "4.8", Map.of()).witness();

        ScenarioModel model = new ScenarioModel(b1, p, false);
        List<int[]> all = new ArrayList<>();
        List<int[]> positive = new ArrayList<>();
        enumerate(model, new int[0], all, positive);

        assertThat(positive).isNotEmpty();
        int shortest = positive.stream().mapToInt(s -> s.length).min().orElseThrow();
        assertThat(shortest).isEqualTo(witness.length).isEqualTo(7);
        assertThat(positive).noneMatch(s -> s.length < witness.length);
        assertThat(positive.stream().filter(s -> s.length == shortest).map(Arrays::toString))
                .contains(Arrays.toString(witness));
        Report full = Explorer.explore(model, Options.defaults().withReduction(false));
        assertThat(full.executions()).isEqualTo(all.size());
        assertThat(full.positive()).isEqualTo(positive.size());
    }

    private static final String PREFIXES = """
            scenario prefixes
            memory normal=1M
            process P
            P: mmap A 36K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
            thread T1 of P {
              store A 0x10
              store A+4K 0x11
              store A+8K 0x12
            }
            thread T2 of P {
              store A+12K 0x20
              store A+16K 0x21
              store A+20K 0x22
            }
            thread T3 of P {
              store A+24K 0x30
              store A+28K 0x31
              store A+32K 0x32
            }
            exists ([P:A] != 0x10 \\/ [P:A+20K] != 0x22 \\/ [P:A+32K] != 0x32)
            expect 6.18 never
            """;

    /**
     * Each store ticks the event clock onto a page of its own, so every interleaving prefix is a distinct state
     * and the state graph is a tree: sum over i, j, k in 0..3 of (i+j+k)!/(i!j!k!) states, 9!/(3!3!3!) of them
     * final. A count off by one means the explorer or the fingerprint made or lost a state.
     */
    @Test
    void threeThreadsStoringToPagesOfTheirOwnReachEveryInterleavingPrefixOnce() throws ScenarioException {
        Scenario s = ScenarioParser.parse("prefixes.mms", PREFIXES);

        Report r = Checker.explore(s, Library.profile(s, "6.18"), Options.defaults());

        assertThat(r.states()).isEqualTo(5248);
        assertThat(r.transitions()).isEqualTo(5247);
        assertThat(r.finalStates()).isEqualTo(1680);
        assertThat(r.executions()).isEqualTo(1680);
        assertThat(r.positiveFinalStates()).isZero();
        assertThat(r.depth()).isEqualTo(9);
        assertThat(r.deadlocks()).isZero();
        assertThat(r.violations()).isEmpty();
        assertThat(r.counterWitness()).containsExactly(0, 0, 0, 1, 1, 1, 2, 2, 2);
    }

    /** The first step at or after {@code from} that {@code actor} took through kernel function {@code fn}; -1 if none. */
    private static int indexOf(List<Step> steps, int from, String actor, String fn) {
        for (int i = Math.max(from, 0); i < steps.size(); i++) {
            if (steps.get(i).actor().equals(actor) && steps.get(i).path().contains(fn)) {
                return i;
            }
        }
        return -1;
    }

    /** Every complete schedule from {@code prefix}, depth first, replaying each prefix from the initial state. */
    private static void enumerate(ScenarioModel model, int[] prefix, List<int[]> all, List<int[]> positive) {
        Runner state = Explorer.replay(model, prefix);
        if (model.done(state)) {
            all.add(prefix);
            if (model.holds(state)) {
                positive.add(prefix);
            }
            return;
        }
        int enabled = model.enabled(state);
        assertThat(enabled).as("deadlock after %s", Arrays.toString(prefix)).isNotZero();
        for (int t = 0; t < model.threads(); t++) {
            if ((enabled & (1 << t)) != 0) {
                int[] next = Arrays.copyOf(prefix, prefix.length + 1);
                next[prefix.length] = t;
                enumerate(model, next, all, positive);
            }
        }
    }
}
