package org.mmsim.scenario;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.mmsim.kernel.bug.Violation;

/**
 * The violations of one execution: each reported once, at the first step after which it was seen, with the
 * scenario's names for the mms it mentions; and which of them the explorer has not been told of yet.
 */
final class Violations {
    private final Bindings b;
    /**
     * The keys seen and the violations recorded, made at the first: an explored run is copied at every step and almost
     * never finds one.
     */
    private Set<String> seen;
    private List<Violation> found;
    private int reported;

    Violations(Bindings b) {
        this.b = b;
    }

    void record(Violation v) {
        if (seen == null) {
            seen = new LinkedHashSet<>();
            found = new ArrayList<>();
        }
        if (seen.add(v.invariant() + "\u0000" + v.message())) {
            found.add(new Violation(v.invariant(), b.nameMms(v.message()), v.step()));
        }
    }

    void recordAll(List<Violation> vs, int step) {
        for (Violation v : vs) {
            record(v.atStep(step));
        }
    }

    List<Violation> all() {
        return found == null ? List.of() : List.copyOf(found);
    }

    /** The violations recorded since the last call, as stable keys ("invariant: message"). */
    List<String> fresh() {
        if (found == null || reported == found.size()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (; reported < found.size(); reported++) {
            Violation v = found.get(reported);
            out.add(v.invariant() + ": " + v.message());
        }
        return out;
    }

    /** These violations, naming mms through {@code b} from now on. */
    Violations copy(Bindings b) {
        Violations c = new Violations(b);
        if (found != null) {
            c.seen = new LinkedHashSet<>(seen);
            c.found = new ArrayList<>(found);
        }
        c.reported = reported;
        return c;
    }
}
