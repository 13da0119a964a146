package org.mmsim.report;

import java.util.Map;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.profile.KernelProfile;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.trace.Change;
import org.mmsim.scenario.Execution;
import org.mmsim.scenario.Scenario;
import org.mmsim.scenario.Step;
import org.mmsim.scenario.Value;

/** {@code mmsim run}: one execution, step by step, with the kernel path and every change of each step. */
public final class TraceReport {
    private TraceReport() {}

    public static String render(Scenario s, KernelProfile profile, Execution e) {
        StringBuilder sb = new StringBuilder();
        sb.append("scenario ").append(s.name()).append(" (").append(s.file()).append(")\n");
        if (!s.doc().isEmpty()) {
            sb.append("  ").append(s.doc()).append('\n');
        }
        sb.append("kernel ").append(profile.name()).append(':');
        for (Switch sw : Switch.values()) {
            sb.append(' ').append(sw.key()).append('=').append(profile.value(sw));
        }
        sb.append("\n\n");
        ChangeText text = new ChangeText(e.mmNames());
        for (Step st : e.steps()) {
            sb.append(String.format("%3d  %-4s %s", st.index(), st.actor(), st.op()));
            sb.append("  = ").append(st.result());
            if (st.point() != null) {
                sb.append("  @ ").append(st.point());
            }
            sb.append('\n');
            if (!st.path().isEmpty()) {
                sb.append("       path: ").append(String.join(" > ", st.path())).append('\n');
            }
            for (Change c : st.changes()) {
                sb.append("       ").append(text.text(c)).append('\n');
            }
        }
        sb.append('\n');
        sb.append("exists ").append(s.conditionText()).append(": ")
                .append(!e.finished() ? "not evaluated (the schedule stops before the end)"
                        : e.conditionHolds() ? "true" : "false").append('\n');
        for (Map.Entry<String, Map<String, Value>> a : e.registers().entrySet()) {
            for (Map.Entry<String, Value> r : a.getValue().entrySet()) {
                sb.append("  ").append(a.getKey()).append(':').append(r.getKey()).append(" = ").append(r.getValue())
                        .append('\n');
            }
        }
        if (!e.divergences().isEmpty()) {
            sb.append("divergences the program caused (observations, not violations):\n");
            for (String d : e.divergences()) {
                sb.append("  ").append(d).append('\n');
            }
        }
        if (e.violations().isEmpty()) {
            sb.append("invariants: all held\n");
        } else {
            sb.append("invariants violated:\n");
            for (Violation v : e.violations()) {
                sb.append("  step ").append(v.step()).append(": ").append(v).append('\n');
            }
        }
        return sb.toString();
    }
}
