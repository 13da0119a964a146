package org.mmsim.explore;

/**
 * Thrown by a model from inside a step, or from the making of a state, when its own time budget ran out in the
 * middle of work the explorer cannot interrupt (one step of a simulated kernel that populates gigabytes). The
 * explorer drops the expansion in progress, stops as if {@code --max-seconds} had been reached between two states,
 * and reports what it found; the state whose expansion was dropped stays open, so a checkpoint written then resumes
 * at it. A model that ran out of heap in work of its own that it can abandon (the script before the first group of
 * threads, which makes a state) says so ({@link #outOfHeap}), and the explorer stops as at its heap limit instead.
 */
public class StepAbandoned extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StepAbandoned(String message) {
        super(message, null, false, false);
    }

    /** Whether the heap ran out, rather than the model's time budget. */
    public boolean outOfHeap() {
        return false;
    }
}
