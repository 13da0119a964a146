package org.mmsim.scenario;

import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.check.Divergences;
import org.mmsim.kernel.check.Invariants;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Signal;

/** The final condition, evaluated on the machine as the program left it, before teardown. */
final class Conditions {
    private Conditions() {}

    static boolean eval(Cond c, Bindings b) throws ScenarioException {
        return eval(c, b, false);
    }

    /** {@code c} on the final state; {@code oopsed}: whether the model oopsed (the value of {@code oops}). */
    static boolean eval(Cond c, Bindings b, boolean oopsed) throws ScenarioException {
        return switch (c) {
            case Cond.And a -> eval(a.left(), b, oopsed) && eval(a.right(), b, oopsed);
            case Cond.Or o -> eval(o.left(), b, oopsed) || eval(o.right(), b, oopsed);
            case Cond.Not n -> !eval(n.inner(), b, oopsed);
            case Cond.Oops o -> oopsed;
            case Cond.Violated v -> Invariants.all().stream()
                    .filter(inv -> inv.name().equals(v.invariant()))
                    .anyMatch(inv -> !inv.check(b.kernel()).isEmpty());
            case Cond.Diverged d -> Divergences.of(b.kernel()).stream()
                    .anyMatch(v -> d.cause() == null || d.cause().equals(v.cause()));
            case Cond.Cmp cmp -> value(cmp.term(), b).matches(cmp.literal()) == cmp.equal();
            case Cond.CmpTerms cmp -> value(cmp.left(), b).matches(value(cmp.right(), b)) == cmp.equal();
        };
    }

    /** A register's value, or what a load at {@code [ACTOR:ADDR]} would return now (without faulting). */
    private static Value value(Cond.Term term, Bindings b) throws ScenarioException {
        if (term instanceof Cond.Reg r) {
            return b.register(r.actor(), r.reg());
        }
        Cond.Mem m = (Cond.Mem) term;
        Task t = b.taskOrNull(m.actor());
        if (t == null || t.exited()) {
            return Value.UNSET;
        }
        Kernel k = b.kernel();
        Long v = k.peek(t, b.resolve(m.addr(), 0));
        return v == null ? Value.signal(Signal.SIGSEGV) : Value.data(v);
    }
}
