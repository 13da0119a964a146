package org.mmsim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.trace.Change;
import org.mmsim.kernel.profile.Profiles;

class RunnerTest {

    private static Execution run(String text, String kernel, boolean trace) throws ScenarioException {
        return Runner.run(ScenarioParser.parse("t.mms", text), Profiles.byName(kernel), trace);
    }

    private static final String B2 = """
            scenario b2
            process P
            P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
            P: store A 0xd0
            P: fork C
            C: pipe F
            C: vmsplice F A 4K
            C: munmap A 4K
            P: store A 0xd1
            C: r0 = read F
            C: r1 = read F
            exists (C:r0 = 0xd1)
            expect 5.7 allowed
            """;

    @Test
    void theMachineBootsOnlyTheDriversWhoseDevicesTheProgramOpens() throws ScenarioException {
        String none = """
                scenario none
                process P
                P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
                P: store A 1
                exists ([P:A] = 1)
                expect 6.18 always
                """;
        String kvmInAThread = """
                scenario kvm
                process P
                P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
                P: mmap_device D 4K PROT_READ
                thread T of P {
                  kvm_create_vm VM
                }
                exists ([P:A] = 1)
                expect 6.18 always
                """;
        Runner plain = Runner.start(ScenarioParser.parse("none.mms", none), Profiles.byName("6.18"), false);
        Runner devices = Runner.start(ScenarioParser.parse("kvm.mms", kvmInAThread), Profiles.byName("6.18"), false);

        assertThat(plain.kernel().drivers()).isEmpty();
        assertThat(devices.kernel().drivers()).containsExactly("mmio", "kvm");
    }

    @Test
    void aScriptLineThatWouldSleepForeverIsAnErrorAtItsLine() throws ScenarioException {
        String blocking = """
                scenario sleeps
                process P
                P: ummunotify_open U
                P: r = ummunotify_read U
                exists (P:r = 0)
                expect 6.18 never
                """;
        assertThatThrownBy(() -> run(blocking, "6.18", false)).isInstanceOf(ScenarioException.class)
                .hasMessage("t.mms:4:1: 'r = ummunotify_read U' ummunotify_read would sleep forever in wait_event(ummunotify "
                        + "read_wait of mm 1 (P)): nothing else runs to wake it (outside a thread block no other thread "
                        + "runs)");
        // in a thread block, the same read waits for another thread, and the run ends when it is woken
        Execution woken = run("""
                scenario woken
                process P
                P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
                P: ummunotify_open U
                P: ummunotify_register U A 4K 3
                thread R of P {
                  r = ummunotify_read U 1 cookie
                }
                thread M of P {
                  munmap A 4K
                }
                exists (R:r = 3)
                expect 6.18 always
                """, "6.18", false);
        assertThat(woken.conditionHolds()).isTrue();
    }

    @Test
    void b2LeaksUnder57AndNotUnder618() throws ScenarioException {
        Execution old = run(B2, "5.7", false);
        assertThat(old.conditionHolds()).isTrue();
        assertThat(old.registers().get("C").get("r0")).isEqualTo(Value.data(0xd1));
        assertThat(old.registers().get("C").get("r1").toString()).isEqualTo("-EAGAIN");
        assertThat(old.violations()).extracting(v -> v.invariant()).containsExactly("isolation");
        assertThat(old.violations().get(0).step()).isEqualTo(8);

        Execution now = run(B2, "6.18", false);
        assertThat(now.conditionHolds()).isFalse();
        assertThat(now.registers().get("C").get("r0")).isEqualTo(Value.data(0xd0));
        assertThat(now.violations()).isEmpty();
    }

    private static final String B6 = """
            scenario b6
            process P
            P: creat F ext4 4K
            P: mmap_file A F 4K PROT_READ|PROT_WRITE MAP_SHARED
            P: store A 0x1
            P: get_user_pages G A 1 FOLL_WRITE
            P: writeback F
            P: r0 = reclaim F 0
            P: dma_write G 0xD
            P: put_pages_dirty G
            P: r1 = fsync F
            P: drop_caches
            P: r2 = pread F 0
            exists (oops \\/ P:r2 != 0xD)
            expect 5.11 6.18 allowed
            """;

    @Test
    void anOopsIsTheConditionsOopsAndOtherwiseFalse() throws ScenarioException {
        Execution bug = run(B6, "5.11", false);
        assertThat(bug.conditionHolds()).as("oops").isTrue();
        assertThat(bug.violations()).extracting(v -> v.invariant())
                .containsExactly("filesystem-state", "ext4_dirty_nobuffers");
        assertThat(bug.registers().get("P")).doesNotContainKey("r2");

        Execution withoutAtom = run(B6.replace("exists (oops \\/ P:r2 != 0xD)", "exists (P:r2 != 0xD)"), "5.11", false);
        assertThat(withoutAtom.conditionHolds()).as("an oops makes a condition without the atom false").isFalse();

        Execution lost = run(B6, "6.18", false);
        assertThat(lost.conditionHolds()).isTrue();
        assertThat(lost.registers().get("P").get("r0")).isEqualTo(Value.of(0));
        assertThat(lost.registers().get("P").get("r2")).isEqualTo(Value.data(0x1));
        assertThat(lost.violations()).extracting(v -> v.invariant())
                .containsExactly("filesystem-state", "no-lost-write");
    }

    @Test
    void registersCompareWithRegistersAndWords() throws ScenarioException {
        String s = """
                scenario regs
                process P
                P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
                P: store A 0x5
                P: r0 = load A
                P: r1 = pagemap A pfn
                P: fork C
                P: store A 0x6
                P: r2 = pagemap A pfn
                P: r3 = load A+4K
                %s
                expect 6.18 never
                """;
        assertThat(run(s.formatted("exists (P:r1 != P:r2)"), "6.18", false).conditionHolds())
                .as("the parent's write after fork moved it to a new page").isTrue();
        assertThat(run(s.formatted("exists (P:r0 = [P:A])"), "6.18", false).conditionHolds()).isFalse();
        assertThat(run(s.formatted("exists ([P:A+4K] = P:r3 /\\ P:r0 != P:r3)"), "6.18", false).conditionHolds())
                .isTrue();
    }

    /** A traced step keeps 10,000 changes and counts the rest: a populate of 64 MiB does not fill the heap. */
    @Test
    void aTraceKeepsABoundedNumberOfChangesPerStep() throws ScenarioException {
        Execution e = run("""
                scenario heavy
                process P
                P: mmap A 64M PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE
                P: store A 1
                exists (P:r0 = 0)
                """.replace("exists (P:r0 = 0)", "P: r0 = load A\nexists (P:r0 = 1)\nexpect 6.18 always"), "6.18", true);

        List<Change> populate = e.steps().get(0).changes();
        assertThat(populate).hasSize(StepRecorder.MAX_STEP_CHANGES + 1);
        assertThat(populate.get(populate.size() - 1)).isInstanceOfSatisfying(
                Change.Omitted.class, o -> assertThat(o.count()).isGreaterThan(16_384));
        assertThat(e.steps().get(1).changes()).as("the next step starts afresh")
                .noneMatch(c -> c instanceof Change.Omitted);
        assertThat(e.conditionHolds()).isTrue();
    }

    /**
     * A word of memory matches a number only where a load would read it: a page never touched reads 0, while an
     * address that would fault, or a task that has exited, matches no number (and so every {@code !=}), and only the
     * symbolic literal matches the signal.
     */
    @Test
    void memoryTermsMatchNumbersOnlyWhereALoadWouldReadThem() throws ScenarioException {
        String text = """
                scenario words
                process P
                P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
                P: mmap B 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
                P: store A 0x5
                P: store B 0x7
                P: munmap B 4K
                P: fork C
                C: exit
                exists (%s)
                expect 6.18 always
                """;
        for (String[] c : new String[][] {
                {"[P:A] = 0x5", "true"}, {"[P:A] != 0x5", "false"}, {"[P:A] = 0x6", "false"},
                {"[P:A+4K] = 0", "true"}, {"[P:A+4K] != 0", "false"},
                {"[P:B] = 0x7", "false"}, {"[P:B] = 0", "false"}, {"[P:B] != 0x7", "true"},
                {"[P:B] = SIGSEGV", "true"}, {"[P:A] = SIGSEGV", "false"},
                {"[C:A] = 0x5", "false"}, {"[C:A] != 0x5", "true"}}) {
            assertThat(run(text.formatted(c[0]), "6.18", false).conditionHolds()).as(c[0])
                    .isEqualTo(Boolean.parseBoolean(c[1]));
        }
    }

    /** pread at or past i_size returns EOF, which only the literal EOF matches: it is not the data word 0. */
    @Test
    void eofIsItsOwnLiteral() throws ScenarioException {
        String text = """
                scenario eof
                process P
                P: creat F tmpfs 4K
                P: r0 = pread F 0
                P: r1 = pread F 4096
                exists (%s)
                expect 6.18 always
                """;

        assertThat(run(text.formatted("P:r1 = EOF /\\ P:r0 = 0"), "6.18", false).conditionHolds()).isTrue();
        assertThat(run(text.formatted("P:r1 = 0"), "6.18", false).conditionHolds()).isFalse();
        assertThat(run(text.formatted("P:r0 = EOF"), "6.18", false).conditionHolds()).isFalse();
        assertThat(run(text.formatted("P:r1 != -EBADF"), "6.18", false).conditionHolds()).isTrue();
        assertThat(run(text.formatted("P:r1 = P:r0"), "6.18", false).conditionHolds()).as("term to term").isFalse();
    }

    @Test
    void violatedNamesAnInvariantBrokenInTheFinalState() throws ScenarioException {
        String b6Dirty = B6.replace("P: r1 = fsync F\n", "").replace("P: drop_caches\n", "")
                .replace("P: r2 = pread F 0\n", "");
        Execution dirty = run(b6Dirty.replace("exists (oops \\/ P:r2 != 0xD)", "exists (violated filesystem-state)"),
                "6.18", false);
        assertThat(dirty.conditionHolds()).as("dirty without buffers at the end").isTrue();

        Execution clean = run(B6.replace("exists (oops \\/ P:r2 != 0xD)", "exists (violated pin-tracking-sound)"),
                "6.18", false);
        assertThat(clean.conditionHolds()).isFalse();
        assertThatThrownBy(() -> run(B6.replace("exists (oops \\/ P:r2 != 0xD)", "exists (violated no-such)"), "6.18",
                false)).isInstanceOf(ScenarioException.class).hasMessageContaining("unknown invariant 'no-such'");
    }

    @Test
    void traceRecordsPathsAndChangesPerStep() throws ScenarioException {
        Execution e = run(B2, "6.18", true);
        Step write = e.steps().get(6);
        assertThat(write.op()).isEqualTo("store A 0xd1");
        assertThat(write.path()).containsSubsequence("do_user_addr_fault", "handle_mm_fault", "do_wp_page", "wp_page_copy");
        assertThat(write.changes()).anyMatch(c -> c instanceof Change.Pte p && e.mmNames().get(p.mm()).equals("P")
                && Pte.pfn(p.newPte()) == 2 && Pte.write(p.newPte()));
        assertThat(e.steps().get(e.steps().size() - 1).op()).startsWith("teardown");
    }

    @Test
    void segvIsAValueAndFaultsAreNotFatal() throws ScenarioException {
        Execution e = run("""
                scenario s
                process P
                P: mmap A 4K PROT_READ MAP_PRIVATE|MAP_ANONYMOUS
                P: r0 = store A 1
                P: r1 = load A
                P: munmap A 4K
                P: r2 = load A
                exists (P:r0 = SIGSEGV /\\ P:r1 = 0 /\\ P:r2 = SIGSEGV)
                expect 6.18 always
                """, "6.18", false);
        assertThat(e.conditionHolds()).isTrue();
        assertThat(e.violations()).isEmpty();
    }

    @Test
    void threadBlocksRunRoundRobinInDeclarationOrder() throws ScenarioException {
        Execution e = run("""
                scenario s
                process P
                P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
                thread T1 of P {
                  store A 1
                  store A 3
                }
                thread T2 of P {
                  r0 = load A
                  r1 = load A
                }
                exists (T2:r0 = 1 /\\ T2:r1 = 3)
                expect 6.18 always
                """, "6.18", false);
        assertThat(e.steps()).extracting(Step::actor).containsExactly("P", "T1", "T2", "T1", "T2", "-");
        assertThat(e.conditionHolds()).isTrue();
    }

    @Test
    void memoryTermsReadWithoutFaulting() throws ScenarioException {
        Execution e = run("""
                scenario s
                process P
                P: mmap A 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
                P: store A+4K 7
                exists ([P:A+4K] = 7 /\\ [P:A] = 0)
                expect 6.18 always
                """, "6.18", false);
        assertThat(e.conditionHolds()).isTrue();
    }

    @Test
    void pinCoherenceIsViolatedWhenTheParentCowsAwayFromAPinUnder57() throws ScenarioException {
        String b3 = """
                scenario b3
                process P
                P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
                P: store A 1
                P: pin_user_pages MR A 1 FOLL_WRITE|FOLL_LONGTERM
                P: fork C
                P: store A 2
                P: r0 = dma_read MR
                exists (P:r0 != 2)
                expect 5.7 allowed
                """;
        Execution old = run(b3, "5.7", false);
        assertThat(old.conditionHolds()).isTrue();
        assertThat(old.violations()).extracting(v -> v.invariant()).contains("pin-coherence");
        Execution now = run(b3, "6.18", false);
        assertThat(now.conditionHolds()).isFalse();
        assertThat(now.violations()).isEmpty();
    }

    @Test
    void checkerJudgesOutcomeAgainstExpectation() throws ScenarioException {
        Scenario s = ScenarioParser.parse("t.mms", B2.replace("expect 5.7 allowed", "expect 5.7 forbidden\nexpect 6.18 forbidden"));
        Result old = Checker.check(s, "5.7", Map.of());
        assertThat(old.outcome()).isEqualTo(Outcome.ALWAYS);
        assertThat(old.ok()).isFalse();
        Result now = Checker.check(s, "6.18", Map.of());
        assertThat(now.outcome()).isEqualTo(Outcome.NEVER);
        assertThat(now.ok()).isTrue();
        Result override = Checker.check(s, "6.18", Map.of("cow_reuse", "mapcount"));
        assertThat(override.outcome()).isEqualTo(Outcome.ALWAYS);
    }

    @Test
    void aFailedMmapUsedAsAnAddressIsSigsegvNotAnException() throws ScenarioException {
        Execution e = run("""
                scenario s
                process P
                P: r0 = mmap A 0 PROT_READ MAP_PRIVATE|MAP_ANONYMOUS
                P: r1 = load A
                P: r2 = store A 1
                exists (P:r0 = -EINVAL /\\ P:r1 = SIGSEGV /\\ P:r2 = SIGSEGV)
                expect 6.18 always
                """, "6.18", false);
        assertThat(e.conditionHolds()).isTrue();
    }

    /**
     * The argument checks the kernel selftest ports disagreed on (issue 14): do_mprotect_pkey changes the VMA before
     * a gap and then returns -ENOMEM; vmsplice of 0 bytes is 0 and an in-page address splices the bytes asked for;
     * do_mmap's MAP_FIXED_NOREPLACE is -EEXIST over a mapping, MAP_SHARED_VALIDATE anonymous -EINVAL, and a hint is
     * rounded down to its page (round_hint_to_min).
     */
    @Test
    void argumentChecksAndPartialEffectsAreTheKernels() throws ScenarioException {
        Execution e = run("""
                scenario s
                process P
                P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS 0x10000000
                P: r0 = mprotect A 8K PROT_READ
                P: r1 = store A 1
                P: pipe Q
                P: r2 = vmsplice Q A 0
                P: r3 = vmsplice Q A+8 8
                P: r4 = mmap B 4K PROT_READ MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE A
                P: r5 = mmap C 4K PROT_READ MAP_SHARED_VALIDATE|MAP_ANONYMOUS
                P: r6 = mmap D 4K PROT_READ MAP_PRIVATE|MAP_ANONYMOUS 0x20000008
                exists (P:r0=-ENOMEM /\\ P:r1=SIGSEGV /\\ P:r2=0 /\\ P:r3=8 /\\ P:r4=-EEXIST /\\ P:r5=-EINVAL)
                expect 6.18 always
                """, "6.18", false);
        assertThat(e.conditionHolds()).as("%s", e.registers()).isTrue();
        assertThat(e.registers().get("P").get("r6").toString()).isEqualTo("0x20000000");
    }

    @Test
    void negativeDataPrintsAsHexButReturnsPrintErrnoNames() throws ScenarioException {
        Execution e = run("""
                scenario s
                process P
                P: r9 = mmap_device D 4K PROT_READ|PROT_WRITE
                P: r0 = load D
                P: r1 = munmap D 3
                exists (P:r0 = -1)
                expect 6.18 always
                """, "6.18", false);
        assertThat(e.registers().get("P").get("r0").toString()).isEqualTo("0xffffffffffffffff");
        assertThat(e.registers().get("P").get("r1").toString()).isEqualTo("0");
        assertThat(Value.of(-14).toString()).isEqualTo("-EFAULT");
        assertThat(e.conditionHolds()).isTrue();
    }

    @Test
    void bracketSettingsBeatSetLinesAndCommandLineBeatsBoth() throws ScenarioException {
        Scenario s = ScenarioParser.parse("t.mms", B2.replace("process P", "set cow_reuse=page_count\nprocess P"));
        assertThat(Checker.profile(s, "6.18", Map.of()).value(org.mmsim.kernel.profile.Switch.COW_REUSE))
                .isEqualTo("page_count");
        assertThat(Checker.profile(s, "6.18[cow_reuse=mapcount]", Map.of()).value(org.mmsim.kernel.profile.Switch.COW_REUSE))
                .isEqualTo("mapcount");
        assertThat(Checker.profile(s, "6.18[cow_reuse=mapcount]", Map.of("cow_reuse", "anon_exclusive"))
                .value(org.mmsim.kernel.profile.Switch.COW_REUSE)).isEqualTo("anon_exclusive");
    }
}
