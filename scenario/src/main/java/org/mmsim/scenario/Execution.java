package org.mmsim.scenario;

import java.util.List;
import java.util.Map;
import org.mmsim.kernel.bug.Violation;

/**
 * The record of one execution of a scenario under one kernel: the steps (with their changes when traced), the final
 * registers, whether the condition held, the invariant violations (each reported once, at the first step after which
 * it was seen), the divergences the program caused that the final state shows (before teardown; see
 * {@code Divergences}), and the name traces give each mm (the scenario's name for the process that had it first).
 *
 * @param finished false for an execution cut short (a replayed violation or deadlock schedule that stops before the
 *     end): the condition was then never evaluated
 */
public record Execution(
        List<Step> steps,
        Map<String, Map<String, Value>> registers,
        boolean conditionHolds,
        List<Violation> violations,
        List<String> divergences,
        boolean finished,
        Map<Integer, String> mmNames) {}
