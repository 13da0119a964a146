package org.mmsim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.mmsim.scenario.Checker;
import org.mmsim.scenario.Known;
import org.mmsim.scenario.Outcome;
import org.mmsim.scenario.Result;
import org.mmsim.scenario.Scenario;
import org.mmsim.scenario.ScenarioException;
import org.mmsim.scenario.ScenarioParser;

/**
 * Every scenario under scenarios/ under every kernel it names: the expectation holds. The runner checks all
 * invariants after every step, so a fixed-kernel run with a violation fails here too.
 */
class BundledScenariosTest {
    static final Path ROOT = Path.of(System.getProperty("mmsim.root", "..")).toAbsolutePath().normalize();

    static List<Scenario> bundled() throws IOException, ScenarioException {
        List<Scenario> out = new ArrayList<>();
        for (Path p : Checker.findScenarios(List.of(ROOT.resolve("scenarios")))) {
            out.add(ScenarioParser.parse(p));
        }
        return out;
    }

    /**
     * Every bundled scenario under every kernel its expectations name, checked once for all the tests here. The
     * accounting invariant checks in full at every step as well as from its ledger, and the run fails where the two
     * differ: the proof that the cheap check is the full one, over every step of every execution of the library.
     */
    private static List<Result> library;

    static synchronized List<Result> library() throws IOException, ScenarioException {
        if (library == null) {
            List<Result> out = new ArrayList<>();
            org.mmsim.kernel.check.Invariants.crossCheckAccounting(true);
            try {
                for (Scenario s : bundled()) {
                    out.addAll(Checker.check(s, Checker.kernels(s, null), Map.of()));
                }
            } finally {
                org.mmsim.kernel.check.Invariants.crossCheckAccounting(false);
            }
            library = List.copyOf(out);
        }
        return library;
    }

    @TestFactory
    Stream<DynamicTest> everyBundledScenarioMeetsItsExpectations() throws IOException, ScenarioException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Result r : library()) {
            Scenario s = r.scenario();
            tests.add(DynamicTest.dynamicTest(s.name() + " @ " + r.kernel(), () -> {
                assertThat(r.ok()).as("%s under %s: outcome %s, expected %s, violations %s", s.name(), r.kernel(),
                        r.outcome().word(), r.expected(), r.violations()).isTrue();
                if (!r.expectation().expectsBug()) {
                    assertThat(r.violations()).isEmpty();
                }
            }));
        }
        assertThat(tests).hasSizeGreaterThanOrEqualTo(20);
        return tests.stream();
    }

    /**
     * The library's results (outcome, expectation, states, executions, satisfied executions, every violation with
     * its message and step) are those committed in {@code golden/check-scenarios.json}: a refactoring that changes
     * no verdict must leave every one of them as it was. Seconds are left out (they are the clock's), files are
     * relative to the repository.
     */
    @Test
    void theLibraryGivesTheCommittedResults() throws IOException, ScenarioException {
        String json = org.mmsim.report.CheckReport.json(library());
        String root = ROOT.toString() + "/";
        StringBuilder kept = new StringBuilder();
        for (String line : json.split("\n", -1)) {
            if (!line.trim().startsWith("\"seconds\":")) {
                kept.append(line.replace(root, "")).append('\n');
            }
        }
        Golden.assertMatches("check-scenarios.json", kept.substring(0, kept.length() - 1));
    }

    @TestFactory
    Stream<DynamicTest> everyKnownFactAboutTheRealKernelAgreesWithMmsim() throws IOException, ScenarioException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Scenario s : library().stream().map(Result::scenario).distinct().toList()) {
            for (Known k : s.known()) {
                tests.add(DynamicTest.dynamicTest(s.name() + " @ " + k.kernel() + " (real kernel: " + k.word() + ")",
                        () -> {
                            Result r = library().stream()
                                    .filter(x -> x.scenario() == s && x.kernel().equals(k.kernel())).findFirst()
                                    .orElse(Checker.check(s, k.kernel(), Map.of()));
                            assertThat(r.known()).isEqualTo(k);
                            assertThat(k.admits(r.outcome())).as("%s under %s: mmsim gives %s, the real kernel is "
                                    + "known to be %s (%s)", s.name(), k.kernel(), r.outcome().word(), k.word(),
                                    k.source()).isTrue();
                        }));
            }
        }
        assertThat(tests).hasSizeGreaterThanOrEqualTo(20);
        return tests.stream();
    }

    @Test
    void theBasePageCowPortsStateWhatTheReal618KernelDid() throws IOException, ScenarioException {
        Map<String, String> oracleRows = Map.of("basic-cow-after-fork", "#1 ", "basic-cow-after-fork-mprotect", "#55 ",
                "vmsplice-unmap-in-child", "#109 ", "vmsplice-unmap-in-child-mprotect", "#163 ",
                "vmsplice-before-fork-unmap-in-parent", "#217 ", "vmsplice-after-fork-unmap-in-parent", "#271 ");
        for (Map.Entry<String, String> e : oracleRows.entrySet()) {
            Scenario s = ScenarioParser.parse(ROOT.resolve("scenarios/cow/" + e.getKey() + ".mms"));
            Known k = s.known().stream().filter(x -> x.kernel().equals("6.18")).findFirst().orElseThrow();
            assertThat(k.word()).as(s.name()).isEqualTo("forbidden");
            assertThat(k.source()).as(s.name()).startsWith("kernel-oracle.md §6.1 " + e.getValue());
        }
        Scenario b2 = ScenarioParser.parse(ROOT.resolve("scenarios/history/b2-cve-2020-29374.mms"));
        assertThat(b2.known()).extracting(Known::kernel).containsExactly("4.8", "4.9", "5.7", "5.8", "5.9", "5.11",
                "5.19", "6.18");
        assertThat(b2.known()).extracting(Known::word).containsExactly("allowed", "allowed", "allowed", "forbidden",
                "forbidden", "forbidden", "forbidden", "forbidden");
    }

    @Test
    void b2IsReachableUnder57AndNeverUnder59And618() throws IOException, ScenarioException {
        Scenario b2 = ScenarioParser.parse(ROOT.resolve("scenarios/history/b2-cve-2020-29374.mms"));
        assertThat(Checker.check(b2, "5.7", Map.of()).outcome()).isNotEqualTo(Outcome.NEVER);
        assertThat(Checker.check(b2, "5.9", Map.of()).outcome()).isEqualTo(Outcome.NEVER);
        assertThat(Checker.check(b2, "6.18", Map.of()).outcome()).isEqualTo(Outcome.NEVER);
    }

    @Test
    void historicBugsAreTestedUnderVulnerableAndFixedProfiles() throws IOException, ScenarioException {
        for (Scenario s : bundled()) {
            if (!s.file().contains("history")) {
                continue;
            }
            assertThat(s.expectations()).as(s.name()).anyMatch(e -> e.expectsBug());
            assertThat(s.expectations()).as(s.name()).anyMatch(e -> !e.expectsBug());
        }
    }
}
