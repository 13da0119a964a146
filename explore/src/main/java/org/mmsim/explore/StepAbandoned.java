package org.mmsim.explore;

/**
 * Thrown by a model from inside a step, or from the making of a state, when its own time budget ran out in the
 * middle of work the explorer cannot interrupt (one step of a simulated kernel that populates gigabytes). The
 * explorer drops the expansion in progress, stops as if {@code --max-seconds} had been reached between two states,
 * and reports what it found; the state whose expansion was dropped stays open, so a checkpoint written then resumes
 * at it.
 */
public class StepAbandoned extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StepAbandoned(String message) {
        super(message, null, false, false);
    }
}
