package org.mmsim.explore;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The schedules worth printing: a shortest one to a positive final state (the witness), to a negative one (the
 * counter-witness), to a deadlock, and to each violation key. A candidate replaces the one held only if it is
 * strictly shorter, so the first found wins ties. Breadth-first search offers candidates in order of length and
 * so keeps the first; the random modes keep improving as runs come in.
 */
final class Findings {
    int[] witness;
    int[] counterWitness;
    int[] deadlock;
    final Map<String, int[]> violations = new LinkedHashMap<>();

    /** Whether a witness of {@code length} steps would be kept. */
    boolean wantsWitness(int length) {
        return witness == null || length < witness.length;
    }

    /** Whether a counter-witness of {@code length} steps would be kept. */
    boolean wantsCounterWitness(int length) {
        return counterWitness == null || length < counterWitness.length;
    }

    /** Whether a deadlock schedule of {@code length} steps would be kept. */
    boolean wantsDeadlock(int length) {
        return deadlock == null || length < deadlock.length;
    }

    /** Whether a schedule of {@code length} steps to violation {@code key} would be kept. */
    boolean wantsViolation(String key, int length) {
        int[] held = violations.get(key);
        return held == null || length < held.length;
    }

    /** Keeps {@code schedule} for {@code key}; a new key goes last, a known one keeps its place. */
    void putViolation(String key, int[] schedule) {
        violations.put(key, schedule);
    }
}
