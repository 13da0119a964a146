package org.mmsim.explore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** What tests compare of two searches' reports: every count, outcome and shortest schedule, not the measures. */
final class ReportSummary {
    private ReportSummary() {}

    static List<Object> of(Report r) {
        List<Object> s = new ArrayList<>(List.of(r.states(), r.transitions(), r.depth(), r.executions(), r.positive(),
                r.negative(), r.finalStates(), r.positiveFinalStates(), r.deadlocks(), r.complete(),
                String.valueOf(r.stopReason()), String.valueOf(Arrays.toString(r.witness())),
                String.valueOf(Arrays.toString(r.counterWitness())),
                String.valueOf(Arrays.toString(r.deadlockSchedule()))));
        for (Map.Entry<String, int[]> v : r.violations().entrySet()) {
            s.add(v.getKey() + "=" + Arrays.toString(v.getValue()));
        }
        return s;
    }
}
