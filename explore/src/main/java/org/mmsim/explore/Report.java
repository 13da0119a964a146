package org.mmsim.explore;

import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a search found. A schedule is the list of thread choices from the initial state; {@link Explorer#replay}
 * turns it back into a state. Reports compare by content (arrays element by element), so two searches with the
 * same options compare equal once {@link #withoutTiming()} has dropped the one field that depends on the clock.
 *
 * <p>With reduction on, {@code executions}, {@code positive} and {@code negative} count the executions the search
 * actually explored (paths made of explored steps), not every interleaving: sleep sets skip steps whose order
 * does not matter. The distinct counts ({@code states}, {@code finalStates}, {@code positiveFinalStates},
 * {@code deadlocks}) and the violation keys do not depend on reduction. In the random modes every count is over
 * the runs made, and a run that deadlocks is not an execution.
 *
 * @param mode                the search mode
 * @param reduction           whether sleep-set reduction was used
 * @param states              distinct states found (by fingerprint)
 * @param transitions         steps taken while searching (replays that rebuild a state are not counted)
 * @param depth               the deepest BFS level reached, or the longest run
 * @param executions          executions that reached a final state (saturates at {@link Long#MAX_VALUE})
 * @param positive            those whose final state satisfies {@link Model#holds}
 * @param negative            those whose final state does not
 * @param finalStates         distinct final states
 * @param positiveFinalStates distinct final states where the condition holds
 * @param deadlocks           distinct non-final states with no enabled thread
 * @param deadlockSchedule    a shortest schedule found to a deadlock, or null
 * @param witness             a shortest schedule found to a final state where the condition holds, or null
 * @param counterWitness      a shortest schedule found to a final state where it does not, or null
 * @param violations          each violation key with a shortest schedule found to it, in the order first found
 * @param complete            whether the search covered everything it set out to (always false for random modes)
 * @param stopReason          null, or why the search stopped early: "max-states", "max-seconds", "heap",
 *                            "interrupted"
 * @param elapsedNanos        how long the search took, by {@link Options#clock}
 * @param visitedBytes        bytes held by the fingerprint tables and the parent/choice trace
 * @param fingerprintBytes    of those, bytes held by the visited set's fingerprint table alone
 * @param frontierBytes       exhaustive search: the most bytes the two live levels held when a level was complete
 *                            (their numbers and the records of steps taken ahead, {@link Lookahead}; machines kept
 *                            for deep states not counted), or 0
 * @param frontierStates      the open states of the level complete then
 */
public record Report(
        Options.Mode mode,
        boolean reduction,
        long states,
        long transitions,
        int depth,
        long executions,
        long positive,
        long negative,
        long finalStates,
        long positiveFinalStates,
        long deadlocks,
        int[] deadlockSchedule,
        int[] witness,
        int[] counterWitness,
        Map<String, int[]> violations,
        boolean complete,
        String stopReason,
        long elapsedNanos,
        long visitedBytes,
        long fingerprintBytes,
        long frontierBytes,
        long frontierStates) {

    /** Freezes the violation map (insertion order kept). */
    public Report {
        Objects.requireNonNull(mode, "mode");
        violations = Collections.unmodifiableMap(new LinkedHashMap<>(violations));
    }

    /** Bytes of visited-set and trace memory per distinct state. */
    public double bytesPerState() {
        return states == 0 ? 0 : (double) visitedBytes / states;
    }

    /** Bytes of the visited set's fingerprint table per distinct state (the trace not counted). */
    public double fingerprintBytesPerState() {
        return states == 0 ? 0 : (double) fingerprintBytes / states;
    }

    /** Bytes the live levels held per open state, at the level where they held the most ({@link #frontierBytes}). */
    public double bytesPerOpenState() {
        return frontierStates == 0 ? 0 : (double) frontierBytes / frontierStates;
    }

    /**
     * This report with {@code elapsedNanos} and the frontier figures set to 0, for comparing two searches: the clock
     * differs between runs, and which records of steps taken ahead exist depends on the workers' timing.
     */
    public Report withoutTiming() {
        return new Report(mode, reduction, states, transitions, depth, executions, positive, negative, finalStates,
                positiveFinalStates, deadlocks, deadlockSchedule, witness, counterWitness, violations, complete,
                stopReason, 0, visitedBytes, fingerprintBytes, 0, 0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Report r
                && mode == r.mode && reduction == r.reduction && states == r.states
                && transitions == r.transitions && depth == r.depth && executions == r.executions
                && positive == r.positive && negative == r.negative && finalStates == r.finalStates
                && positiveFinalStates == r.positiveFinalStates && deadlocks == r.deadlocks
                && Arrays.equals(deadlockSchedule, r.deadlockSchedule) && Arrays.equals(witness, r.witness)
                && Arrays.equals(counterWitness, r.counterWitness) && sameViolations(violations, r.violations)
                && complete == r.complete && Objects.equals(stopReason, r.stopReason)
                && elapsedNanos == r.elapsedNanos && visitedBytes == r.visitedBytes
                && fingerprintBytes == r.fingerprintBytes && frontierBytes == r.frontierBytes
                && frontierStates == r.frontierStates;
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(mode, reduction, states, transitions, depth, executions, positive, negative,
                finalStates, positiveFinalStates, deadlocks, complete, stopReason, elapsedNanos, visitedBytes,
                fingerprintBytes, frontierBytes, frontierStates);
        h = 31 * h + Arrays.hashCode(deadlockSchedule);
        h = 31 * h + Arrays.hashCode(witness);
        h = 31 * h + Arrays.hashCode(counterWitness);
        for (Map.Entry<String, int[]> e : violations.entrySet()) {
            h = 31 * h + e.getKey().hashCode() + Arrays.hashCode(e.getValue());
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder v = new StringBuilder("{");
        violations.forEach((k, s) -> v.append(v.length() > 1 ? ", " : "").append(k).append('=')
                .append(Arrays.toString(s)));
        return "Report[mode=" + mode + ", reduction=" + reduction + ", states=" + states
                + ", transitions=" + transitions + ", depth=" + depth + ", executions=" + executions
                + ", positive=" + positive + ", negative=" + negative + ", finalStates=" + finalStates
                + ", positiveFinalStates=" + positiveFinalStates + ", deadlocks=" + deadlocks
                + ", deadlockSchedule=" + Arrays.toString(deadlockSchedule) + ", witness=" + Arrays.toString(witness)
                + ", counterWitness=" + Arrays.toString(counterWitness) + ", violations=" + v.append('}')
                + ", complete=" + complete + ", stopReason=" + stopReason + ", elapsedNanos=" + elapsedNanos
                + ", visitedBytes=" + visitedBytes + ", fingerprintBytes=" + fingerprintBytes
                + ", frontierBytes=" + frontierBytes + ", frontierStates=" + frontierStates + "]";
    }

    private static boolean sameViolations(Map<String, int[]> a, Map<String, int[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        Iterator<Map.Entry<String, int[]>> i = a.entrySet().iterator();
        Iterator<Map.Entry<String, int[]>> j = b.entrySet().iterator();
        while (i.hasNext()) {
            Map.Entry<String, int[]> x = i.next();
            Map.Entry<String, int[]> y = j.next();
            if (!x.getKey().equals(y.getKey()) || !Arrays.equals(x.getValue(), y.getValue())) {
                return false;
            }
        }
        return true;
    }
}
