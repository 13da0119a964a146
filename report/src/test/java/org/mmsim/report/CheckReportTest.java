package org.mmsim.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mmsim.scenario.Checker;
import org.mmsim.scenario.Result;
import org.mmsim.scenario.Scenario;
import org.mmsim.scenario.ScenarioParser;

class CheckReportTest {
    private static final String B2 = B2Text.scenario(null, "expect 5.7 allowed\nexpect 6.18 forbidden\n");

    private static List<Result> results() throws Exception {
        Scenario s = ScenarioParser.parse("b2.mms", B2);
        return Checker.check(s, Checker.kernels(s, null), Map.of());
    }

    @Test
    void tableHasOneRowPerKernelExpectedViolationsAndASummary() throws Exception {
        assertThat(CheckReport.table(results())).isEqualTo("""
                Scenario  Kernel  Outcome    Expected   Ok
                b2        5.7     always     allowed    ok
                    expected step 8: isolation: pipe 1 read by mm 2 (C) sees data mm 1 (P) stored into pfn 1 after the two were separated by fork
                b2        6.18    never      forbidden  ok
                check: 2 passed, 0 failed
                """);
    }

    @Test
    void jsonCarriesEveryDocumentedField() throws Exception {
        String json = CheckReport.json(results());
        assertThat(json).startsWith("{\n  \"schema\": 1,\n  \"results\": [\n");
        assertThat(json).contains("""
                      "scenario": "b2",
                      "file": "b2.mms",
                      "kernel": "5.7",
                      "outcome": "always",
                      "expected": "allowed",
                      "ok": true,
                      "states": 1,
                      "executions": 1,
                      "satisfied": 1,
                      "seconds": 0.0,
                      "violations": [
                        {
                          "invariant": "isolation",
                """);
        assertThat(json).contains("\"step\": 8").endsWith("""
                  "summary": {
                    "results": 2,
                    "ok": 2,
                    "failed": 0
                  }
                }
                """);
    }

    private static List<Result> withKnown(String known) throws Exception {
        Scenario s = ScenarioParser.parse("b2.mms", B2 + known);
        return Checker.check(s, Checker.kernels(s, null), Map.of());
    }

    @Test
    void tableShowsTheRealKernelWhereMmsimDisagreesWithIt() throws Exception {
        List<Result> results = withKnown("known 5.7 allowed \"kernel-mm.md §10 B2\"\n"
                + "known 6.18 allowed \"a deliberately wrong fact\"\n");
        assertThat(CheckReport.table(results)).isEqualTo("""
                Scenario  Kernel  Outcome    Expected   Ok
                b2        5.7     always     allowed    ok
                    expected step 8: isolation: pipe 1 read by mm 2 (C) sees data mm 1 (P) stored into pfn 1 after the two were separated by fork
                b2        6.18    never      forbidden  FAIL
                    real kernel: allowed, mmsim: never (a deliberately wrong fact)
                check: 1 passed, 1 failed
                """);
    }

    @Test
    void jsonCarriesTheKnownFactOnlyWhereThereIsOne() throws Exception {
        String json = CheckReport.json(withKnown("known 6.18 forbidden \"kernel-oracle.md §6.1 #109: ok\"\n"));
        assertThat(json).contains("""
                      "kernel": "6.18",
                      "outcome": "never",
                      "expected": "forbidden",
                      "known": {
                        "word": "forbidden",
                        "source": "kernel-oracle.md §6.1 #109: ok"
                      },
                      "ok": true,
                """);
        assertThat(json).contains("""
                      "expected": "allowed",
                      "ok": true,
                """);
        assertThat(json.split("\"known\"", -1)).hasSize(2);
    }
}
