package org.mmsim.scenario;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mmsim.explore.Model;
import org.mmsim.kernel.profile.KernelProfile;
import org.mmsim.kernel.profile.Switch;

/**
 * A scenario under one kernel profile, as the explorer sees it: the state is a {@link Runner} stopped between
 * two steps; the threads are those of the group being run (script lines between groups run as part of the step
 * that finishes a group); a step runs one thread to its next preemption point.
 *
 * <p>A state is a value: {@link Runner#copy} copies the run with its machine, which shares frames and PTE tables
 * with the original until one of them writes them, so a copy costs what the next step touches. Replay from the
 * start is left for rendering a schedule with every step recorded.
 */
public final class ScenarioModel implements Model<Runner> {
    private final Scenario scenario;
    private final KernelProfile profile;
    private final int threads;
    private final boolean reduction;
    /** The budget inside the states' steps and of the script before the first group (see {@link Budget}). */
    private final Budget budget;

    /**
     * @param reduction whether steps report real footprints (for sleep sets); without, every step conflicts with
     *     every other
     */
    public ScenarioModel(Scenario scenario, KernelProfile profile, boolean reduction) {
        this(scenario, profile, reduction, Budget.NONE);
    }

    /**
     * As {@link #ScenarioModel(Scenario, KernelProfile, boolean)}, with the script before the first group of threads
     * and every step run within {@code budget}: past it they throw {@link Budget.Exhausted}, which the explorer takes
     * as its own time limit. Give it the deadline of the explorer's {@code --max-seconds}.
     */
    public ScenarioModel(Scenario scenario, KernelProfile profile, boolean reduction, Budget budget) {
        this.budget = budget;
        this.scenario = scenario;
        this.profile = profile;
        this.reduction = reduction;
        int n = 1;
        for (Scenario.Segment seg : scenario.program()) {
            if (seg instanceof Scenario.Group g) {
                n = Math.max(n, g.threads().size());
            }
        }
        this.threads = n;
    }

    /** Whether any group of the scenario has two or more threads, i.e. there is anything to interleave. */
    public static boolean concurrent(Scenario scenario) {
        for (Scenario.Segment seg : scenario.program()) {
            if (seg instanceof Scenario.Group g && g.threads().size() > 1) {
                return true;
            }
        }
        return false;
    }

    /** The scenario's name, memory, processes, program and condition, and the profile with every switch's value. */
    @Override
    public String identity() {
        StringBuilder sb = new StringBuilder();
        identityParts().forEach((name, value) -> sb.append(name).append('=').append(value).append('|'));
        return sb.toString();
    }

    /**
     * The parts of {@link #identity}: "scenario" (its name), "memory", "processes", "program", "condition", "kernel"
     * (the profile's name) and each switch by its key, with its value under the profile and the overrides.
     */
    @Override
    public Map<String, String> identityParts() {
        Map<String, String> parts = new LinkedHashMap<>(scenario.identityParts());
        parts.put("kernel", profile.name());
        for (Switch s : Switch.values()) {
            parts.put(s.key(), String.valueOf(profile.value(s)));
        }
        return parts;
    }

    /**
     * The booted machine, fingerprinted once: from a machine's first fingerprint on, its frames keep their hashes
     * up to date as they are written, and every copy inherits that, so a state rebuilt from this one and stepped
     * hashes only the frames its steps wrote instead of every frame boot wrote.
     */
    @Override
    public Runner initial() {
        try {
            Runner r = Runner.start(scenario, profile, false, false, budget);
            if (reduction) {
                r.trackFootprints();
            }
            r.fingerprint();
            return r;
        } catch (ScenarioException e) {
            throw new ScenarioError(e);
        }
    }

    @Override
    public Runner copy(Runner state) {
        return state.copy();
    }

    @Override
    public Runner branch(Runner state) {
        return state.branch();
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public int enabled(Runner state) {
        return state.enabled();
    }

    @Override
    public boolean done(Runner state) {
        return state.finished();
    }

    @Override
    public long step(Runner state, int thread) {
        state.stepThread(thread);
        return reduction ? state.footprint() : EVERYTHING;
    }

    /** The step without invariant checks or a footprint: the explorer checked this step when it first took it. */
    @Override
    public void replay(Runner state, int thread) {
        state.replayThread(thread);
    }

    @Override
    public long fingerprint(Runner state) {
        return state.fingerprint();
    }

    @Override
    public List<String> violations(Runner state) {
        return state.newViolations();
    }

    @Override
    public boolean holds(Runner state) {
        return state.holds();
    }
}
