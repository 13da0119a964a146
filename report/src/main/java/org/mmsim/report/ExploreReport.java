package org.mmsim.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mmsim.explore.Options;
import org.mmsim.explore.Report;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.trace.Change;
import org.mmsim.scenario.Execution;
import org.mmsim.scenario.Outcome;
import org.mmsim.scenario.Scenario;
import org.mmsim.scenario.Step;
import org.mmsim.scenario.Value;

/**
 * {@code mmsim explore}: a herd7-like verdict for one scenario under one kernel, then each counterexample as
 * numbered steps, and the same as JSON (docs/json-format.md, "Exploration"). Nothing here depends on the clock,
 * so the same search prints the same bytes.
 */
public final class ExploreReport {
    /** Version of the exploration JSON document. */
    public static final int SCHEMA_VERSION = 2;

    private ExploreReport() {}

    /**
     * One counterexample: what it shows, the schedule that reaches it, where it was saved, and its execution
     * replayed with the journal on.
     *
     * @param kind {@code witness} (the condition holds), {@code violation} or {@code deadlock}
     * @param title one line saying what it shows
     * @param schedule the thread chosen at each step of the concurrent part
     * @param threads the thread names, by schedule number
     * @param file where the schedule was saved, or null
     */
    public record Counterexample(String kind, String title, int[] schedule, List<String> threads, String file,
                                 Execution execution) {}

    /** The verdict and counterexamples as text. */
    public static String text(Scenario s, String kernel, Report r, Outcome outcome, List<Counterexample> cexs,
                              List<Violation> violations) {
        StringBuilder sb = new StringBuilder();
        sb.append("Test ").append(s.name()).append(' ').append(title(outcome)).append('\n');
        sb.append("Kernel ").append(kernel).append('\n');
        sb.append("Search ").append(mode(r)).append('\n');
        sb.append("States ").append(r.states()).append('\n');
        sb.append("Transitions ").append(r.transitions()).append('\n');
        sb.append("Depth ").append(r.depth()).append('\n');
        sb.append("Executions ").append(r.executions()).append('\n');
        sb.append("Final states ").append(r.finalStates()).append(" (").append(r.positiveFinalStates())
                .append(" satisfy the condition)\n");
        sb.append("Positive: ").append(r.positive()).append(" Negative: ").append(r.negative()).append('\n');
        sb.append("Condition exists ").append(s.conditionText()).append('\n');
        sb.append("Observation ").append(s.name()).append(' ').append(title(outcome)).append(' ')
                .append(r.positive()).append(' ').append(r.negative()).append('\n');
        for (Violation v : violations) {
            sb.append("Flag ").append(v.invariant()).append(": ").append(v.message()).append('\n');
        }
        if (r.stopReason() != null) {
            sb.append("Inconclusive: stopped at ").append(r.stopReason()).append(" after ").append(r.states())
                    .append(r.states() == 1 ? " state, depth " : " states, depth ").append(r.depth()).append('\n');
        } else if (!r.complete()) {
            sb.append("Sampled: ").append(r.executions()).append(" random executions cover ").append(r.states())
                    .append(" states; only a positive and a negative final state settle the outcome\n");
        }
        for (Counterexample c : cexs) {
            sb.append('\n').append(c.title()).append(" (").append(c.schedule().length).append(" scheduling steps)\n");
            sb.append("  schedule: ").append(schedule(c)).append('\n');
            if (c.file() != null) {
                sb.append("  replay:   ./mmsim replay ").append(c.file()).append('\n');
            }
            steps(sb, c.execution());
        }
        return sb.toString();
    }

    private static String title(Outcome o) {
        String w = o.word();
        return Character.toUpperCase(w.charAt(0)) + w.substring(1);
    }

    static String mode(Report r) {
        return switch (r.mode()) {
            case EXHAUSTIVE -> "exhaustive, breadth-first, " + (r.reduction() ? "sleep-set reduction" : "no reduction");
            case RANDOM_WALK -> "random walk";
            case PCT -> "PCT";
        };
    }

    static String schedule(Counterexample c) {
        StringBuilder sb = new StringBuilder();
        for (int t : c.schedule()) {
            sb.append(sb.isEmpty() ? "" : " ").append(t < c.threads().size() ? c.threads().get(t) : "#" + t);
        }
        return sb.toString();
    }

    /** Each step: number, actor, operation, result or the point it stopped at, path, and every change marked. */
    static void steps(StringBuilder sb, Execution e) {
        ChangeText text = new ChangeText(e.mmNames());
        for (Step st : e.steps()) {
            sb.append(String.format("%4d  %-4s %s  = %s", st.index(), st.actor(), st.op(), st.result()));
            if (st.point() != null) {
                sb.append("  @ ").append(st.point());
            }
            sb.append('\n');
            if (!st.path().isEmpty()) {
                sb.append("        path: ").append(String.join(" > ", st.path())).append('\n');
            }
            for (Change c : st.changes()) {
                sb.append("        * ").append(text.text(c)).append('\n');
            }
        }
        sb.append("  final: condition ").append(!e.finished() ? "not evaluated (stopped before the end)"
                : e.conditionHolds() ? "holds" : "does not hold");
        for (Map.Entry<String, Map<String, Value>> a : e.registers().entrySet()) {
            for (Map.Entry<String, Value> reg : a.getValue().entrySet()) {
                sb.append(", ").append(a.getKey()).append(':').append(reg.getKey()).append('=').append(reg.getValue());
            }
        }
        sb.append('\n');
    }

    /** The same as JSON. */
    public static String json(Scenario s, String kernel, Report r, Options o, Outcome outcome,
                              List<Counterexample> cexs, List<Violation> violations) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schema", SCHEMA_VERSION);
        doc.put("scenario", s.name());
        doc.put("file", s.file());
        doc.put("kernel", kernel);
        doc.put("mode", r.mode().name().toLowerCase(Locale.ROOT));
        doc.put("reduction", r.reduction());
        if (r.mode() != Options.Mode.EXHAUSTIVE) {
            doc.put("seed", o.seed());
            doc.put("runs", o.runs());
        }
        doc.put("outcome", outcome.word());
        doc.put("complete", r.complete());
        doc.put("stopped", r.stopReason());
        doc.put("states", r.states());
        doc.put("transitions", r.transitions());
        doc.put("depth", r.depth());
        doc.put("executions", r.executions());
        doc.put("positive", r.positive());
        doc.put("negative", r.negative());
        doc.put("finalStates", r.finalStates());
        doc.put("positiveFinalStates", r.positiveFinalStates());
        doc.put("deadlocks", r.deadlocks());
        doc.put("condition", s.conditionText());
        List<Object> vs = new ArrayList<>();
        for (Violation v : violations) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("invariant", v.invariant());
            m.put("message", v.message());
            m.put("step", v.step());
            vs.add(m);
        }
        doc.put("violations", vs);
        List<Object> list = new ArrayList<>();
        for (Counterexample c : cexs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", c.kind());
            m.put("title", c.title());
            List<Object> sched = new ArrayList<>();
            for (int t : c.schedule()) {
                sched.add(t < c.threads().size() ? c.threads().get(t) : "#" + t);
            }
            m.put("schedule", sched);
            m.put("scheduleFile", c.file());
            m.put("steps", stepsJson(c.execution()));
            Map<String, Object> fin = new LinkedHashMap<>();
            fin.put("finished", c.execution().finished());
            fin.put("conditionHolds", c.execution().finished() ? c.execution().conditionHolds() : null);
            Map<String, Object> regs = new LinkedHashMap<>();
            for (Map.Entry<String, Map<String, Value>> a : c.execution().registers().entrySet()) {
                for (Map.Entry<String, Value> reg : a.getValue().entrySet()) {
                    regs.put(a.getKey() + ":" + reg.getKey(), reg.getValue().toString());
                }
            }
            fin.put("registers", regs);
            fin.put("divergences", c.execution().divergences());
            m.put("final", fin);
            list.add(m);
        }
        doc.put("counterexamples", list);
        return Json.write(doc);
    }

    static List<Object> stepsJson(Execution e) {
        ChangeText text = new ChangeText(e.mmNames());
        List<Object> out = new ArrayList<>();
        for (Step st : e.steps()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", st.index());
            m.put("actor", st.actor());
            m.put("op", st.op());
            m.put("line", st.line());
            m.put("result", st.result());
            m.put("point", st.point());
            m.put("path", new ArrayList<Object>(st.path()));
            List<Object> changes = new ArrayList<>();
            for (Change c : st.changes()) {
                changes.add(text.json(c));
            }
            m.put("changes", changes);
            out.add(m);
        }
        return out;
    }
}
