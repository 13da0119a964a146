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
    /**
     * At most this many changes are kept per step, and {@link #MAX_CHANGES} in a whole run: a step that populates
     * gigabytes makes millions, which no one reads and which would fill the heap. The rest are counted, and the step
     * ends with a {@link Change.Omitted} that says how many.
     */
    static final int MAX_STEP_CHANGES = 10_000;
    static final int MAX_CHANGES = 500_000;
    /** At most this many kernel functions are kept per step; a last entry "..." says more were entered. */
    static final int MAX_PATH = 1_000;

    /** Whether steps are kept; without, only counted (the explorer's runs, which never print theirs). */
    private final boolean keep;
    private int count;
    private int kept;
    private long omitted;
    /** The steps, and the current step's path and changes; null in a recorder that does not keep steps. */
    private final List<Step> steps;
    private List<String> path;
    private List<Change> changes;

    StepRecorder(boolean keep) {
        this.keep = keep;
        // an explored run's recorder is made again at every copy of the run, and only counts
        this.steps = keep ? new ArrayList<>() : null;
        this.path = keep ? new ArrayList<>() : null;
        this.changes = keep ? new ArrayList<>() : null;
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
            omitted = 0;
        }
    }

    /** The step is over: record it. */
    void add(String actor, String op, int line, String result, String point) {
        count++;
        if (keep) {
            if (omitted > 0) {
                changes.add(new Change.Omitted(omitted));
            }
            steps.add(new Step(count, actor, op, line, result, point, path, changes));
        }
    }

    /** Steps taken so far. */
    int size() {
        return count;
    }

    List<Step> steps() {
        return keep ? List.copyOf(steps) : List.of();
    }

    /** A kernel function the step entered; nothing in a recorder that does not keep steps, which no one reads. */
    @Override
    public void path(String function) {
        if (!keep || path.size() > MAX_PATH) {
            return;
        }
        if (path.size() == MAX_PATH) {
            path.add("...");
        } else if (path.isEmpty() || !path.get(path.size() - 1).equals(function)) {
            path.add(function);
        }
    }

    /** A change the step made; nothing in a recorder that does not keep steps. */
    @Override
    public void change(Change change) {
        if (!keep) {
            return;
        }
        if (changes.size() >= MAX_STEP_CHANGES || kept >= MAX_CHANGES) {
            omitted++;
            return;
        }
        kept++;
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
