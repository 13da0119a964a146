package org.mmsim.scenario;

/** A scenario error found while the explorer was stepping (the explorer's interface has no checked exceptions). */
public final class ScenarioError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Wrap {@code cause}. */
    public ScenarioError(ScenarioException cause) {
        super(cause.getMessage(), cause);
    }

    public ScenarioException cause() {
        return (ScenarioException) getCause();
    }
}
