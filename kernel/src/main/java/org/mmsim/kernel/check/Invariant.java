package org.mmsim.kernel.check;

import java.util.List;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.bug.Violation;

/**
 * A property of the kernel model's state that must hold after every step of every scenario, whatever the scenario's
 * own condition says. The built-in ones are listed in {@link Invariants}; a device contributes its own.
 */
public interface Invariant {

    /** The name used in reports and JSON, e.g. {@code "accounting"}. */
    String name();

    /** One line on what is checked. */
    String doc();

    /** Check {@code kernel} now; an empty list means the invariant holds. */
    List<Violation> check(Kernel kernel);
}
