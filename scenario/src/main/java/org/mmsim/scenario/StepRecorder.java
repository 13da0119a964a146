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
    private final List<Step> steps = new ArrayList<>();
    private List<String> path = new ArrayList<>();
    private List<Change> changes = new ArrayList<>();

    /** A new step begins: what the kernel reports from now on belongs to it. */
    void begin() {
        path = new ArrayList<>();
        changes = new ArrayList<>();
    }

    /** The step is over: record it. */
    void add(String actor, String op, int line, String result, String point) {
        steps.add(new Step(steps.size() + 1, actor, op, line, result, point, path, changes));
    }

    /** Steps recorded so far. */
    int size() {
        return steps.size();
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
}
