package org.mmsim.kernel.bug;

import org.mmsim.kernel.export.Export;

/**
 * The model's {@code VM_BUG_ON}: a state the kernel asserts can never happen. It carries a structured
 * {@link Violation} that the runner turns into a verdict; it never signals a scenario's own error.
 */
@Export
public final class KernelBug extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Violation violation;

    public KernelBug(String invariant, String message) {
        super(invariant + ": " + message);
        this.violation = new Violation(invariant, message);
    }

    public Violation violation() {
        return violation;
    }

    /**
     * {@code VM_BUG_ON(cond)}: raise a KernelBug named {@code what} when {@code cond} holds. For a constant message
     * only: a message built from values would be built on every call, so hot paths write {@code if (cond) throw}.
     */
    @Export
    public static void bugOn(boolean cond, String what, String message) {
        if (cond) {
            throw new KernelBug(what, message);
        }
    }
}
