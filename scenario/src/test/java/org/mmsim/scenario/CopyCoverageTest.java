package org.mmsim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The scenario layer's half of the copy guard (the kernel's is {@code org.mmsim.kernel.state.CopyTest}): every field of
 * the classes a {@link Runner#copy} copies is listed here as carried by the copy, with how, or as left out, with why.
 * A class that gains a field fails this test until its copy carries it and it is listed; {@link CopyTest} then checks
 * that copies behave as their originals.
 */
class CopyCoverageTest {
    private static final Map<String, String> FIELDS = new LinkedHashMap<>();

    static {
        String runner = "Runner.";
        FIELDS.put(runner + "scenario", "shared: the parsed scenario is immutable");
        FIELDS.put(runner + "condition", "shared: the plan of the scenario's condition is immutable");
        FIELDS.put(runner + "k", "Kernel.copy");
        FIELDS.put(runner + "b", "Bindings.copy over the copied kernel");
        FIELDS.put(runner + "rec", "StepRecorder.copy (step count; only runs that keep no steps are copied)");
        FIELDS.put(runner + "violations", "Violations.copy");
        FIELDS.put(runner + "ops", "made again over the copied bindings and recorder");
        for (String f : List.of("segment", "scheduled", "finished", "holds", "oops", "tracking", "checking",
                "footprint")) {
            FIELDS.put(runner + f, "copied as a value");
        }
        FIELDS.put(runner + "budget", "shared (a deadline, not state), and its watchdog installed in the copied kernel");
        FIELDS.put(runner + "divergences", "shared immutable list of strings (display of the final state, not hashed)");
        FIELDS.put(runner + "strands", "Strand.copy each");
        FIELDS.put(runner + "schedule", "copied array");
        FIELDS.put("Bindings.k", "the copied kernel");
        FIELDS.put("Bindings.file", "shared string");
        FIELDS.put("Bindings.actors", "map of names to pids (values), shared until either side writes");
        FIELDS.put("Bindings.names", "map of names to bindings (records of numbers), shared until either side writes");
        FIELDS.put("Bindings.registers", "map of maps of values, shared until either side writes (then deep-copied)");
        FIELDS.put("Bindings.mmNames", "map, shared until either side writes");
        FIELDS.put("Bindings.shared", "set on both sides: the maps are now shared");
        FIELDS.put("Bindings.hash", "copied as a value, with the maps it hashes");
        FIELDS.put("Bindings.hashed", "copied as a value");
        FIELDS.put("Bindings.version", "copied as a value");
        for (String f : java.util.List.of("lastName", "lastBinding", "lastActor", "lastTask")) {
            FIELDS.put("Bindings." + f, "not copied: a lookup remembered, looked up again by the copy");
        }
        FIELDS.put("Bindings.libraryViolations", "not copied: empty between steps (the runner takes it after each one)");
        FIELDS.put("Strand.block", "shared: part of the immutable scenario");
        FIELDS.put("Strand.ops", "shared: the block's operations as an array nobody writes");
        FIELDS.put("Strand.pc", "copied as a value");
        FIELDS.put("Strand.steps", "copied as a value");
        FIELDS.put("Strand.call", "copied with the machine's copier, or made again if it has not run (callMade)");
        FIELDS.put("Strand.callMade", "copied as a value");
        FIELDS.put("Strand.done", "each finished call copied with the machine's copier");
        FIELDS.put("Strand.pending", "left out: a call made only to ask what it waits for, made again on demand");
        FIELDS.put("Strand.pendingVersion", "left out: goes with pending");
        FIELDS.put("Strand.actor", "left out: the actor's task looked up again in the copy's own machine");
        FIELDS.put("Strand.actorVersion", "left out: goes with actor");
        FIELDS.put("Violations.b", "the copied bindings");
        FIELDS.put("Violations.seen", "copied set of strings");
        FIELDS.put("Violations.found", "copied list of violations (values)");
        FIELDS.put("Violations.reported", "copied as a value");
        FIELDS.put("StepRecorder.keep", "false in every copied run");
        FIELDS.put("StepRecorder.count", "copied as a value");
        FIELDS.put("StepRecorder.steps", "left out: empty in a run that keeps no steps");
        FIELDS.put("StepRecorder.path", "left out: the current step's path, only kept when steps are");
        FIELDS.put("StepRecorder.changes", "left out: the current step's changes, only kept when steps are");
        FIELDS.put("StepRecorder.kept", "left out: changes kept in a run that keeps steps, never copied");
        FIELDS.put("StepRecorder.omitted", "left out: the current step's changes past the cap, only when steps are kept");
        FIELDS.put("OpExecutor.b", "made again");
        FIELDS.put("OpExecutor.rec", "made again");
    }

    @Test
    void everyFieldOfACopiedRunIsListedWithHowItIsCopiedOrWhyNot() {
        TreeSet<String> declared = new TreeSet<>();
        for (Class<?> c : List.of(Runner.class, Bindings.class, Strand.class, Violations.class, StepRecorder.class,
                OpExecutor.class)) {
            for (Field f : c.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers()) && !f.isSynthetic()) {
                    declared.add(c.getSimpleName() + "." + f.getName());
                }
            }
        }

        assertThat(declared).as("fields of the classes Runner.copy copies").isEqualTo(new TreeSet<>(FIELDS.keySet()));
        assertThat(FIELDS.values()).allSatisfy(how -> assertThat(how).isNotBlank());
    }
}
