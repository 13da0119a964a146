package org.mmsim.kernel.bug;

/**
 * A broken model invariant: which invariant, what was seen, and the step after which it was seen
 * (-1 while the step is not yet known; the runner fills it in with {@link #atStep}).
 */
public record Violation(String invariant, String message, int step) {

    public Violation {
        if (invariant == null || invariant.isEmpty()) {
            throw new IllegalArgumentException("invariant must be named");
        }
        if (message == null) {
            throw new IllegalArgumentException("message must not be null");
        }
    }

    public Violation(String invariant, String message) {
        this(invariant, message, -1);
    }

    public Violation atStep(int newStep) {
        return new Violation(invariant, message, newStep);
    }

    @Override
    public String toString() {
        return invariant + ": " + message;
    }
}
