package org.mmsim.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.mmsim.explore.Report;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.profile.KernelProfile;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.trace.Change;
import org.mmsim.scenario.Execution;
import org.mmsim.scenario.Outcome;
import org.mmsim.scenario.Scenario;
import org.mmsim.scenario.Step;
import org.mmsim.scenario.Value;

/**
 * The HTML report (brief §5: "where a person would rather look"): one self-contained page, with no script and nothing
 * fetched, for an exploration's verdict and counterexamples ({@code mmsim explore --html}) or for one execution
 * ({@code mmsim run --html}). Each execution is shown three ways:
 * <ul>
 *   <li>a timeline, one column per thread or process, one row per step, each linking to the step;</li>
 *   <li>each step with its kernel path and every change its journal recorded, as {@code run} prints them;</li>
 *   <li>the page tables, {@code struct page} fields and mm counters the execution touches, before and after the step,
 *       what changed marked ({@link TrackedState}).</li>
 * </ul>
 * Steps where an invariant was first seen broken are marked in the timeline and listed with links. The markup is
 * well-formed XML (every element closed, every attribute quoted), and, as the text reports, the same input gives the
 * same bytes: nothing depends on the clock.
 */
public final class HtmlReport {
    private HtmlReport() {}

    private static final String STYLE = """
            body{font-family:system-ui,sans-serif;margin:1.5em;color:#1b1b1b;max-width:110em}
            h1{font-size:1.4em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}h3{font-size:1em}
            table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;vertical-align:top;text-align:left}
            th{background:#f2f2f2}code,.v{font-family:ui-monospace,monospace;font-size:.92em}
            .facts td:first-child{font-weight:600}
            .timeline td.op{background:#f7fbff}.timeline tr.violation td{background:#fde8e8}
            .timeline td.step{text-align:right}.timeline .point{color:#6b4e00}
            .step{border:1px solid #ddd;border-radius:4px;padding:.3em .8em;margin:.8em 0}.step:target{outline:3px solid #f0b400}
            .step.violation{border-color:#d33}.path{color:#555}.changes{margin:.3em 0}
            tr.changed td,td.changed{background:#fff4c2}.freed{color:#a00}.state{display:flex;flex-wrap:wrap;gap:1.5em}
            .verdict-sometimes,.verdict-always{color:#a00}.verdict-never{color:#060}.note{color:#555}
            .violations li{color:#a00}
            """;

    /**
     * An exploration: the verdict and its counts (as {@code mmsim explore} prints them), the invariants broken, and
     * each counterexample's execution.
     */
    public static String explore(Scenario s, String kernel, Report r, Outcome outcome,
            List<ExploreReport.Counterexample> cexs, List<Violation> violations) {
        StringBuilder sb = new StringBuilder();
        head(sb, s.name() + " under " + kernel + ": " + outcome.word());
        sb.append("<h1>").append(esc(s.name())).append(" under ").append(esc(kernel)).append(": <span class=\"verdict-")
                .append(esc(outcome.word())).append("\">").append(esc(outcome.word())).append("</span></h1>\n");
        scenarioLines(sb, s);
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("Condition", "exists " + s.conditionText());
        facts.put("Search", ExploreReport.mode(r));
        facts.put("States", Long.toString(r.states()));
        facts.put("Transitions", Long.toString(r.transitions()));
        facts.put("Depth", Long.toString(r.depth()));
        facts.put("Executions", Long.toString(r.executions()));
        facts.put("Final states", r.finalStates() + " (" + r.positiveFinalStates() + " satisfy the condition)");
        facts.put("Positive / negative", r.positive() + " / " + r.negative());
        if (r.stopReason() != null) {
            facts.put("Inconclusive", "stopped at " + r.stopReason() + " after " + r.states()
                    + (r.states() == 1 ? " state" : " states"));
        } else if (!r.complete()) {
            facts.put("Sampled", r.executions() + " random executions");
        }
        facts(sb, facts);
        if (!violations.isEmpty()) {
            sb.append("<h2>Invariants broken</h2>\n<ul class=\"violations\">\n");
            for (Violation v : violations) {
                sb.append("<li><code>").append(esc(v.invariant())).append("</code>: ").append(esc(v.message()))
                        .append("</li>\n");
            }
            sb.append("</ul>\n");
        }
        if (cexs.isEmpty()) {
            sb.append("<p class=\"note\">No counterexample: the condition never holds and every invariant held in "
                    + "every state explored.</p>\n");
        }
        for (int i = 0; i < cexs.size(); i++) {
            ExploreReport.Counterexample c = cexs.get(i);
            String id = "c" + (i + 1);
            sb.append("<h2 id=\"").append(id).append("\">").append(esc(c.title())).append("</h2>\n");
            sb.append("<p>").append(c.schedule().length).append(" scheduling steps: <code>")
                    .append(esc(ExploreReport.schedule(c))).append("</code>");
            if (c.file() != null) {
                sb.append("<br/>replay: <code>./mmsim replay ").append(esc(c.file())).append("</code>");
            }
            sb.append("</p>\n");
            execution(sb, id, c.execution());
        }
        return tail(sb);
    }

    /** One execution ({@code mmsim run}), under {@code profile} with every switch's value. */
    public static String run(Scenario s, KernelProfile profile, Execution e) {
        StringBuilder sb = new StringBuilder();
        head(sb, s.name() + " under " + profile.name());
        sb.append("<h1>").append(esc(s.name())).append(" under ").append(esc(profile.name())).append("</h1>\n");
        scenarioLines(sb, s);
        StringBuilder switches = new StringBuilder();
        for (Switch sw : Switch.values()) {
            switches.append(switches.isEmpty() ? "" : " ").append(sw.key()).append('=').append(profile.value(sw));
        }
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("Condition", "exists " + s.conditionText());
        facts.put("Switches", switches.toString());
        facts(sb, facts);
        execution(sb, "r", e);
        return tail(sb);
    }

    private static void head(StringBuilder sb, String title) {
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>mmsim: ")
                .append(esc(title)).append("</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
    }

    private static String tail(StringBuilder sb) {
        return sb.append("</body>\n</html>\n").toString();
    }

    private static void scenarioLines(StringBuilder sb, Scenario s) {
        sb.append("<p>");
        if (!s.doc().isEmpty()) {
            sb.append(esc(s.doc())).append("<br/>");
        }
        sb.append("<code>").append(esc(s.file())).append("</code></p>\n");
    }

    private static void facts(StringBuilder sb, Map<String, String> facts) {
        sb.append("<table class=\"facts\">\n");
        facts.forEach((k, v) -> sb.append("<tr><td>").append(esc(k)).append("</td><td>").append(esc(v))
                .append("</td></tr>\n"));
        sb.append("</table>\n");
    }

    /** The timeline, the violations, each step with its changes and state, and the final registers. */
    static void execution(StringBuilder sb, String id, Execution e) {
        Set<Integer> broken = new TreeSet<>();
        for (Violation v : e.violations()) {
            broken.add(v.step());
        }
        timeline(sb, id, e, broken);
        if (!e.violations().isEmpty()) {
            sb.append("<ul class=\"violations\">\n");
            for (Violation v : e.violations()) {
                sb.append("<li><a href=\"#").append(id).append("-s").append(v.step()).append("\">step ")
                        .append(v.step()).append("</a>: <code>").append(esc(v.invariant())).append("</code>: ")
                        .append(esc(v.message())).append("</li>\n");
            }
            sb.append("</ul>\n");
        }
        TrackedState state = new TrackedState(e);
        if (!state.complete()) {
            sb.append("<p class=\"note\">The journal left some changes out (too many to record): the values shown "
                    + "after that point may be stale.</p>\n");
        }
        ChangeText text = new ChangeText(e.mmNames());
        for (Step st : e.steps()) {
            step(sb, id, st, broken.contains(st.index()), text, state, e.mmNames());
        }
        sb.append("<p><b>Final:</b> condition ").append(!e.finished() ? "not evaluated (the schedule stops before the "
                + "end)" : e.conditionHolds() ? "holds" : "does not hold");
        for (Map.Entry<String, Map<String, Value>> a : e.registers().entrySet()) {
            for (Map.Entry<String, Value> reg : a.getValue().entrySet()) {
                sb.append(", <code>").append(esc(a.getKey() + ":" + reg.getKey() + " = " + reg.getValue()))
                        .append("</code>");
            }
        }
        sb.append("</p>\n");
        if (!e.divergences().isEmpty()) {
            sb.append("<p>Divergences the program caused (observations, not violations):</p>\n<ul>\n");
            for (String d : e.divergences()) {
                sb.append("<li>").append(esc(d)).append("</li>\n");
            }
            sb.append("</ul>\n");
        }
    }

    /** One column per actor, in the order they first act; one row per step, in the actor's column. */
    private static void timeline(StringBuilder sb, String id, Execution e, Set<Integer> broken) {
        List<String> actors = new ArrayList<>();
        for (Step st : e.steps()) {
            if (!actors.contains(st.actor())) {
                actors.add(st.actor());
            }
        }
        sb.append("<table class=\"timeline\">\n<tr><th>step</th>");
        for (String a : actors) {
            sb.append("<th>").append(esc(a.equals("-") ? "kernel" : a)).append("</th>");
        }
        sb.append("</tr>\n");
        for (Step st : e.steps()) {
            sb.append(broken.contains(st.index()) ? "<tr class=\"violation\">" : "<tr>");
            sb.append("<td class=\"step\"><a href=\"#").append(id).append("-s").append(st.index()).append("\">")
                    .append(st.index()).append("</a></td>");
            for (String a : actors) {
                if (!a.equals(st.actor())) {
                    sb.append("<td></td>");
                    continue;
                }
                sb.append("<td class=\"op\"><code>").append(esc(st.op())).append("</code>");
                if (st.point() != null) {
                    sb.append("<br/><span class=\"point\">stops @ ").append(esc(st.point())).append("</span>");
                } else {
                    sb.append("<br/>= <code>").append(esc(st.result())).append("</code>");
                }
                sb.append("</td>");
            }
            sb.append("</tr>\n");
        }
        sb.append("</table>\n");
    }

    private static void step(StringBuilder sb, String id, Step st, boolean broken, ChangeText text,
            TrackedState state, Map<Integer, String> mmNames) {
        sb.append("<div class=\"step").append(broken ? " violation" : "").append("\" id=\"").append(id).append("-s")
                .append(st.index()).append("\">\n<h3>").append(st.index()).append(". ")
                .append(esc(st.actor().equals("-") ? "kernel" : st.actor())).append(": <code>").append(esc(st.op()))
                .append("</code> = <code>").append(esc(st.result())).append("</code>");
        if (st.point() != null) {
            sb.append(" @ <code>").append(esc(st.point())).append("</code>");
        }
        if (st.line() > 0) {
            sb.append(" <span class=\"note\">(line ").append(st.line()).append(")</span>");
        }
        sb.append("</h3>\n");
        if (!st.path().isEmpty()) {
            sb.append("<p class=\"path\">path: <code>").append(esc(String.join(" > ", st.path()))).append("</code></p>\n");
        }
        if (!st.changes().isEmpty()) {
            sb.append("<ul class=\"changes\">\n");
            for (Change c : st.changes()) {
                sb.append("<li><code>").append(esc(text.text(c))).append("</code></li>\n");
            }
            sb.append("</ul>\n");
            stateTables(sb, st.index(), state, mmNames);
        }
        sb.append("</div>\n");
    }

    /** The page tables, pages and counters before and after step {@code index}, what it changed marked. */
    private static void stateTables(StringBuilder sb, int index, TrackedState state, Map<Integer, String> mmNames) {
        TrackedState.Snapshot before = state.before(index);
        TrackedState.Snapshot after = state.after(index);
        sb.append("<div class=\"state\">\n");
        StringBuilder rows = new StringBuilder();
        for (TrackedState.PteKey k : after.ptes().keySet()) {
            long b = before.pte(k);
            long a = after.pte(k);
            if (b == 0 && a == 0) {
                continue;
            }
            rows.append(b != a ? "<tr class=\"changed\">" : "<tr>").append("<td>").append(esc(mm(k.mm(), mmNames)))
                    .append("</td><td class=\"v\">").append(String.format("%#x", k.address()))
                    .append("</td><td class=\"v\">").append(esc(Pte.describe(b))).append("</td><td class=\"v\">")
                    .append(esc(Pte.describe(a))).append("</td></tr>\n");
        }
        if (!rows.isEmpty()) {
            sb.append("<table class=\"ptes\">\n<tr><th colspan=\"4\">page tables</th></tr>\n"
                    + "<tr><th>mm</th><th>address</th><th>before</th><th>after</th></tr>\n").append(rows)
                    .append("</table>\n");
        }
        pages(sb, before, after, state);
        counters(sb, before, after, mmNames);
        sb.append("</div>\n");
    }

    /** One row per frame in use before or after the step, or that the step changed; a column per field. */
    private static void pages(StringBuilder sb, TrackedState.Snapshot before, TrackedState.Snapshot after,
            TrackedState state) {
        StringBuilder rows = new StringBuilder();
        Set<TrackedState.FieldKey> columns = new TreeSet<>();
        List<Integer> shown = new ArrayList<>();
        for (int pfn : after.pages().keySet()) {
            TrackedState.FieldKey ref = new TrackedState.FieldKey(Change.Field.REFCOUNT, 0);
            boolean changed = !before.pages().get(pfn).equals(after.pages().get(pfn))
                    || before.freed().contains(pfn) != after.freed().contains(pfn);
            if (changed || before.field(pfn, ref) != 0 || after.field(pfn, ref) != 0) {
                shown.add(pfn);
                columns.addAll(state.fields(pfn));
            }
        }
        for (int pfn : shown) {
            rows.append("<tr><td class=\"v\">").append(pfn);
            if (after.freed().contains(pfn) && !before.freed().contains(pfn)) {
                rows.append(" <span class=\"freed\">freed</span>");
            }
            rows.append("</td>");
            for (TrackedState.FieldKey f : columns) {
                if (!state.fields(pfn).contains(f)) {
                    rows.append("<td></td>");
                    continue;
                }
                long b = before.field(pfn, f);
                long a = after.field(pfn, f);
                rows.append(b != a ? "<td class=\"v changed\">" + esc(value(f, b)) + " &#8594; " + esc(value(f, a))
                        : "<td class=\"v\">" + esc(value(f, a))).append("</td>");
            }
            rows.append("</tr>\n");
        }
        if (shown.isEmpty()) {
            return;
        }
        sb.append("<table class=\"pages\">\n<tr><th colspan=\"").append(columns.size() + 1)
                .append("\">struct page</th></tr>\n<tr><th>pfn</th>");
        for (TrackedState.FieldKey f : columns) {
            sb.append("<th>").append(f.field() == Change.Field.DATA ? "data[" + f.word() + "]"
                    : f.field().name().toLowerCase(Locale.ROOT)).append("</th>");
        }
        sb.append("</tr>\n").append(rows).append("</table>\n");
    }

    private static void counters(StringBuilder sb, TrackedState.Snapshot before, TrackedState.Snapshot after,
            Map<Integer, String> mmNames) {
        StringBuilder rows = new StringBuilder();
        for (Map.Entry<TrackedState.CounterKey, Long> c : after.counters().entrySet()) {
            long b = before.counters().getOrDefault(c.getKey(), 0L);
            long a = c.getValue();
            if (b == 0 && a == 0) {
                continue;
            }
            rows.append(b != a ? "<tr class=\"changed\">" : "<tr>").append("<td>")
                    .append(esc(mm(c.getKey().mm(), mmNames))).append("</td><td>")
                    .append(esc(ChangeText.counter(c.getKey().counter()))).append("</td><td class=\"v\">").append(b)
                    .append("</td><td class=\"v\">").append(a).append("</td></tr>\n");
        }
        if (!rows.isEmpty()) {
            sb.append("<table class=\"counters\">\n<tr><th colspan=\"4\">mm counters</th></tr>\n"
                    + "<tr><th>mm</th><th>counter</th><th>before</th><th>after</th></tr>\n").append(rows)
                    .append("</table>\n");
        }
    }

    private static String value(TrackedState.FieldKey f, long v) {
        return switch (f.field()) {
            case FLAGS -> v == 0 ? "0" : PageFlags.describe(v);
            case DATA -> Value.data(v).toString();
            default -> Long.toString(v);
        };
    }

    private static String mm(int id, Map<Integer, String> names) {
        String n = names.get(id);
        return n == null ? "mm " + id : n + " (mm " + id + ")";
    }

    /** {@code s} as HTML text: the five characters markup gives meaning to, as entities. */
    static String esc(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            String rep = switch (ch) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&#39;";
                default -> null;
            };
            if (rep != null && out == null) {
                out = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (out != null) {
                out.append(rep != null ? rep : String.valueOf(ch));
            }
        }
        return out == null ? s : out.toString();
    }
}
