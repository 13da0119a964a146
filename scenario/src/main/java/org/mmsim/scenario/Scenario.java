package org.mmsim.scenario;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed scenario: header, the program (sequential script lines and groups of concurrent thread blocks, in
 * file order), the final condition, the per-kernel expectations (what mmsim should do) and the known facts (what
 * the real kernel did).
 *
 * @param tlb whether each thread's CPU caches translations ({@code tlb}): stale-TLB windows can then be explored
 * @param overrides switch settings from {@code set} lines, applied to every kernel it runs under
 * @param processes the processes that exist at the start, in declaration order
 * @param known the {@code known} facts, one per kernel, in file order; possibly empty
 */
public record Scenario(
        String name,
        String doc,
        String file,
        int normalFrames,
        int movableFrames,
        boolean tlb,
        Map<String, String> overrides,
        List<String> processes,
        List<Segment> program,
        Cond condition,
        String conditionText,
        List<Expectation> expectations,
        List<Known> known) {

    /**
     * What a run of this scenario depends on besides the kernel, in named parts: "scenario" (its name), "memory",
     * "processes", "program" (with the lines its thread blocks start on) and "condition". A checkpoint
     * ({@code ScenarioModel#identityParts}) or a schedule ({@link ScheduleFile#program}) made from a scenario whose
     * parts differ was made from another scenario.
     */
    public Map<String, String> identityParts() {
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("scenario", name);
        parts.put("memory", "normal=" + normalFrames + " movable=" + movableFrames + (tlb ? " tlb" : ""));
        parts.put("processes", String.valueOf(processes));
        parts.put("program", String.valueOf(program));
        parts.put("condition", conditionText);
        return parts;
    }

    /** A part of the program: a run of script lines, or a group of thread blocks that run concurrently. */
    public sealed interface Segment {}

    /** Script lines, each naming its actor, run one after another. */
    public record Script(List<Line> lines) implements Segment {}

    /** {@code ACTOR: op}. */
    public record Line(String actor, Op op) {}

    /** Consecutive {@code thread} blocks: they run concurrently. */
    public record Group(List<ThreadBlock> threads) implements Segment {}

    /**
     * {@code thread NAME [of PROCESS] { ... }}: with {@code of}, a new thread of PROCESS named NAME; without, the
     * existing actor NAME.
     */
    public record ThreadBlock(String name, String process, List<Op> ops, int line) {}
}
