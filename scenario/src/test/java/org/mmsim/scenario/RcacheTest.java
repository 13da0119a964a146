package org.mmsim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mmsim.kernel.profile.Profiles;

/**
 * The registration cache of {@link RcacheOps}: hits and misses, eviction by the events ummunotify queued, a failed
 * registration that leaves nothing behind, and the registration-cache invariant at a stale hit.
 */
class RcacheTest {
    private static Execution run(String body) throws ScenarioException {
        return Runner.run(ScenarioParser.parse("t.mms", "scenario t\nprocess P\n" + body
                + "exists (P:r = 0)\nexpect 6.18 sometimes\n"), Profiles.byName("6.18"), false);
    }

    private static String reg(Execution e, String r) {
        return e.registers().get("P").get(r).toString();
    }

    @Test
    void aSecondRegistrationOfTheSameRangeHitsAndAContainedOneToo() throws ScenarioException {
        Execution e = run("""
                P: rcache_init R
                P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
                P: store A 1
                P: store A+4K 1
                P: a = rcache_reg M1 R A 8K
                P: b = rcache_reg M2 R A 8K
                P: c = rcache_reg M3 R A+4K 4K
                P: d = rcache_reg M4 R A 12K
                P: r = rdma_write M3 4K 5
                P: v = load A+4K
                """);
        assertThat(reg(e, "a")).isEqualTo("0");
        assertThat(reg(e, "b")).isEqualTo("1");
        assertThat(reg(e, "c")).as("contained in the first entry").isEqualTo("1");
        assertThat(reg(e, "d")).as("reaches past every entry: REG_MR of an unmapped page fails").isEqualTo("-EFAULT");
        assertThat(reg(e, "v")).as("the hit's MR is the first registration, offset from its start").isEqualTo("5");
        assertThat(e.violations()).isEmpty();
    }

    @Test
    void anEventEvictsTheEntryItNamesAndTheNextLookupRegistersAfresh() throws ScenarioException {
        Execution e = run("""
                P: rcache_init R
                P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
                P: mmap B 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
                P: store A 1
                P: store B 1
                P: a = rcache_reg M1 R A 8K
                P: b = rcache_reg M2 R B 4K
                P: madvise A 4K MADV_DONTNEED
                P: c = rcache_reg M3 R B 4K
                P: d = rcache_reg M4 R A 8K
                P: r = rdma_write M4 0 9
                P: v = load A
                """);
        assertThat(reg(e, "c")).as("B's entry was not named: a hit, after the drain").isEqualTo("1");
        assertThat(reg(e, "d")).as("A's entry was evicted: a new registration").isEqualTo("0");
        assertThat(reg(e, "v")).isEqualTo("9");
        assertThat(e.violations()).isEmpty();
    }

    @Test
    void aStaleHitIsARegistrationCacheViolationAtItsStep() throws ScenarioException {
        Execution e = run("""
                P: rcache_init R none
                P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
                P: store A 1
                P: a = rcache_reg M1 R A 4K
                P: madvise A 4K MADV_DONTNEED
                P: store A 2
                P: b = rcache_reg M2 R A 4K
                P: r = rdma_write M2 0 9
                P: v = load A
                """);
        assertThat(reg(e, "b")).isEqualTo("1");
        assertThat(reg(e, "v")).as("the HCA wrote the page MADV_DONTNEED dropped").isEqualTo("2");
        assertThat(e.violations()).hasSize(1);
        assertThat(e.violations().get(0).invariant()).isEqualTo("registration-cache");
        assertThat(e.violations().get(0).step()).isEqualTo(7);
        assertThat(e.violations().get(0).message()).contains("R's cache handed out its registration of")
                .contains("(cookie 1) at line 9").contains("used after its memory changed");
    }

    @Test
    void aHitInACacheWithoutAMonitorIsAStepOfItsOwnInAThread() throws ScenarioException {
        // its first call must exist for the thread to be scheduled at all (fuzzing found a hit that made none)
        Execution e = Runner.run(ScenarioParser.parse("t.mms", """
                scenario t
                process P
                P: rcache_init R none
                P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
                P: store A 1
                P: a = rcache_reg M1 R A 4K
                thread U of P {
                  r = rcache_reg M2 R A 4K
                }
                thread V of P {
                  x = load A
                }
                exists (U:r = 1)
                expect 6.18 always
                """), Profiles.byName("6.18"), false);
        assertThat(e.conditionHolds()).isTrue();
        assertThat(e.violations()).isEmpty();
    }

    @Test
    void twoThreadsOfOneGroupMayNotShareACache() {
        assertThatThrownBy(() -> ScenarioParser.parse("t.mms", """
                scenario t
                process P
                P: rcache_init R
                P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
                thread U of P {
                  a = rcache_reg M1 R A 4K
                }
                thread V of P {
                  b = rcache_reg M2 R A 4K
                }
                exists (U:a = 0)
                expect 6.18 sometimes
                """)).isInstanceOf(ScenarioException.class).hasMessage("t.mms:9:21: registration cache 'R' is used by "
                        + "threads U and V of one group: the library's lock is not modelled, so a cache is one "
                        + "thread's at a time (give each thread a cache of its own)");
    }

    @Test
    void pinFirstWatchesAfterTheMrIsRegistered() throws ScenarioException {
        Execution e = Runner.run(ScenarioParser.parse("t.mms", """
                scenario t
                process P
                P: rcache_init R ummunotify pin_first
                P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
                P: store A 1
                P: r = rcache_reg M1 R A 4K
                exists (P:r = 0)
                expect 6.18 always
                """), Profiles.byName("6.18"), true);
        Step reg = e.steps().get(3);
        assertThat(reg.path()).containsSubsequence("ib_uverbs_reg_mr", "ummunotify_register_region");
        assertThat(e.conditionHolds()).isTrue();
    }

    @Test
    void aMonitorMustBeKnownAndACacheMustExist() {
        assertThatThrownBy(() -> run("P: rcache_init R uffd\n")).isInstanceOf(ScenarioException.class)
                .hasMessage("t.mms:3:18: unknown cache monitor 'uffd' (known: ummunotify, none)");
        assertThatThrownBy(() -> run("P: mmap A 4K PROT_READ MAP_PRIVATE|MAP_ANONYMOUS\nP: r = rcache_reg M Q A 4K\n"))
                .isInstanceOf(ScenarioException.class).hasMessageContaining("unknown rcache 'Q'");
    }
}
