package org.mmsim.scenario;

import java.util.List;

/**
 * One operation of a scenario: {@code [REG =] KIND ARGS...}, with the source position and text used in traces.
 *
 * @param assign the register its result goes to, or null
 */
public record Op(Operation kind, List<Arg> args, String assign, int line, String text) {

    Arg arg(int i) {
        return i < args.size() ? args.get(i) : null;
    }
}
