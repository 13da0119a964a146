package org.mmsim.kernel.api;

import java.util.List;
import org.mmsim.kernel.export.Export;

/**
 * An invariant of a device's own contract, checked with the kernel's after every step ({@code Invariants.checkStep}):
 * a driver registers it with {@link Exports#registerCheck} and answers from its own state, e.g. ummunotify's "no report
 * is lost without telling the reader".
 */
@Export
public interface DeviceCheck {
    /** The invariant's name in reports, e.g. {@code "ummunotify-delivery"}. */
    String name();

    /** One line on what is checked. */
    String doc();

    /** What is broken now, one message each (a message reported once per execution); empty if nothing. */
    List<String> check();
}
