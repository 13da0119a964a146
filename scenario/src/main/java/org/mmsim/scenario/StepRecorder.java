package org.mmsim.scenario;

import java.util.ArrayList;
import java.util.List;
import org.mmsim.kernel.trace.Change;
import org.mmsim.kernel.trace.Journal;

/**
 * The journal a traced run attaches to the kernel: it collects the kernel functions each step entered (consecutive
 * repeats once) and the changes it made, and makes them into {@link Step}s. An untraced run attaches none, and then
 * the kernel builds no change at all.
 */
final class StepRecorder implements Journal {
    /** Whether steps are kept; without, only counted (the explorer's runs, which never print theirs). */
    private final boolean keep;
    private int count;
    private final List<Step> steps = new ArrayList<>();
    private List<String> path = new ArrayList<>();
    private List<Change> changes = new ArrayList<>();

    StepRecorder(boolean keep) {
        this.keep = keep;
    }

    /** Whether steps are kept (else {@link #add} only counts them, and callers need not describe them). */
    boolean keeps() {
        return keep;
    }

    /** A new step begins: what the kernel reports from now on belongs to it. */
    void begin() {
        if (keep) {
            path = new ArrayList<>();
            changes = new ArrayList<>();
        }
    }

    /** The step is over: record it. */
    void add(String actor, String op, int line, String result, String point) {
        count++;
        if (keep) {
            steps.add(new Step(count, actor, op, line, result, point, path, changes));
        }
    }

    /** Steps taken so far. */
    int size() {
        return count;
    }

    List<Step> steps() {
        return List.copyOf(steps);
    }

    @Override
    public void path(String function) {
        if (path.isEmpty() || !path.get(path.size() - 1).equals(function)) {
            path.add(function);
        }
    }

    @Override
    public void change(Change change) {
        changes.add(change);
    }

    /** A recorder that goes on from where this one is; only one that does not keep steps can be copied. */
    StepRecorder copy() {
        if (keep) {
            throw new IllegalStateException("a run that keeps its steps is not copied: replay it instead");
        }
        StepRecorder r = new StepRecorder(false);
        r.count = count;
        return r;
    }
}
