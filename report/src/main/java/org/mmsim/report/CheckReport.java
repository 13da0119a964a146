package org.mmsim.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.scenario.Outcome;
import org.mmsim.scenario.Result;

/**
 * The results of {@code mmsim check}: a herd7-like table for terminals and the JSON document described in
 * docs/json-format.md.
 */
public final class CheckReport {
    /** Version of the JSON schema; bump when a field changes meaning. */
    public static final int SCHEMA_VERSION = 1;

    private CheckReport() {}

    /**
     * The table: one row per scenario and kernel, then under the row a known fact mmsim disagrees with (the real
     * kernel's word and where that is established) and the violations, then a summary line.
     */
    public static String table(List<Result> results) {
        int w = "Scenario".length();
        for (Result r : results) {
            w = Math.max(w, r.scenario().name().length());
        }
        int kw = "Kernel".length();
        for (Result r : results) {
            kw = Math.max(kw, r.kernel().length());
        }
        int ow = "sometimes".length();
        for (Result r : results) {
            ow = Math.max(ow, r.outcome().word().length());
        }
        StringBuilder sb = new StringBuilder();
        String fmt = "%-" + w + "s  %-" + kw + "s  %-" + ow + "s  %-9s  %s%n";
        sb.append(String.format(fmt, "Scenario", "Kernel", "Outcome", "Expected", "Ok"));
        int failed = 0;
        for (Result r : results) {
            sb.append(String.format(fmt, r.scenario().name(), r.kernel(), r.outcome().word(), r.expected(),
                    r.ok() ? "ok" : "FAIL"));
            if (!r.ok()) {
                failed++;
            }
            if (!r.agreesWithKnown()) {
                sb.append(String.format("    real kernel: %s, mmsim: %s (%s)%n", r.known().word(), r.outcome().word(),
                        r.known().source()));
            }
            if (r.stopReason() != null && r.outcome() == Outcome.INCONCLUSIVE) {
                sb.append(String.format("    stopped at %s after %d state%s%n", r.stopReason(), r.states(),
                        r.states() == 1 ? "" : "s"));
            }
            for (Violation v : r.violations()) {
                sb.append(String.format("    %s step %d: %s%n", r.ok() ? "expected" : "VIOLATION", v.step(), v));
            }
        }
        sb.append(String.format("check: %d passed, %d failed%n", results.size() - failed, failed));
        return sb.toString();
    }

    /** The JSON document: schema version, one object per result, and a summary. */
    public static String json(List<Result> results) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schema", SCHEMA_VERSION);
        List<Object> rows = new ArrayList<>();
        int ok = 0;
        for (Result r : results) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("scenario", r.scenario().name());
            row.put("file", r.scenario().file());
            row.put("kernel", r.kernel());
            row.put("outcome", r.outcome().word());
            row.put("expected", r.expected());
            if (r.known() != null) {
                Map<String, Object> known = new LinkedHashMap<>();
                known.put("word", r.known().word());
                known.put("source", r.known().source());
                row.put("known", known);
            }
            row.put("ok", r.ok());
            row.put("states", r.states());
            row.put("executions", r.executions());
            row.put("satisfied", r.satisfied());
            row.put("seconds", Math.round(r.seconds() * 1000) / 1000.0);
            if (r.stopReason() != null) {
                row.put("stopped", r.stopReason());
            }
            List<Object> vs = new ArrayList<>();
            for (Violation v : r.violations()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("invariant", v.invariant());
                m.put("message", v.message());
                m.put("step", v.step());
                vs.add(m);
            }
            row.put("violations", vs);
            rows.add(row);
            ok += r.ok() ? 1 : 0;
        }
        doc.put("results", rows);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("results", results.size());
        summary.put("ok", ok);
        summary.put("failed", results.size() - ok);
        doc.put("summary", summary);
        return Json.write(doc);
    }
}
