package org.mmsim.scenario;

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

    /**
     * {@code c} on the final state; {@code oopsed}: whether the model oopsed (the value of {@code oops}).
     *
     * <p>An explorer evaluates the condition at every final state, tens of thousands of times a second, and a litmus
     * condition is mostly a chain of a dozen comparisons joined by one connective. A pattern {@code switch} over the
     * sealed {@link Cond} dispatches through its bootstrap at every node of that chain; tests of the node's class, the
     * connectives and comparisons first, cost a compare each. The order of evaluation, and so what short-circuits, is
     * the same.
     */
    static boolean eval(Cond c, Bindings b, boolean oopsed) throws ScenarioException {
        if (c instanceof Cond.Or o) {
            return eval(o.left(), b, oopsed) || eval(o.right(), b, oopsed);
        }
        if (c instanceof Cond.And a) {
            return eval(a.left(), b, oopsed) && eval(a.right(), b, oopsed);
        }
        if (c instanceof Cond.Cmp cmp) {
            if (cmp.term() instanceof Cond.Mem m && cmp.literal().failure() == null) {
                // a word of memory against a number, a litmus condition's every term: what value(..).matches gives
                // (a task that is gone, or a load that would fault, matches no number), without making the value
                Long v = word(m, b);
                return (v != null && v == cmp.literal().number()) == cmp.equal();
            }
            return value(cmp.term(), b).matches(cmp.literal()) == cmp.equal();
        }
        if (c instanceof Cond.Not n) {
            return !eval(n.inner(), b, oopsed);
        }
        return other(c, b, oopsed);
    }

    /** The nodes an explorer's condition rarely has: each named, so that a new kind of node fails to compile here. */
    private static boolean other(Cond c, Bindings b, boolean oopsed) throws ScenarioException {
        return switch (c) {
            case Cond.And a -> eval(a, b, oopsed);
            case Cond.Or o -> eval(o, b, oopsed);
            case Cond.Not n -> eval(n, b, oopsed);
            case Cond.Cmp cmp -> eval(cmp, b, oopsed);
            case Cond.Oops o -> oopsed;
            case Cond.Violated v -> Invariants.all().stream()
                    .filter(inv -> inv.name().equals(v.invariant()))
                    .anyMatch(inv -> !inv.check(b.kernel()).isEmpty());
            case Cond.Diverged d -> Divergences.of(b.kernel()).stream()
                    .anyMatch(v -> d.cause() == null || d.cause().equals(v.cause()));
            case Cond.CmpTerms cmp -> value(cmp.left(), b).matches(value(cmp.right(), b)) == cmp.equal();
        };
    }

    /** What a load at {@code [ACTOR:ADDR]} would return now (without faulting); null if the task is gone or it faults. */
    private static Long word(Cond.Mem m, Bindings b) throws ScenarioException {
        Task t = b.taskOrNull(m.actor());
        return t == null || t.exited() ? null : b.kernel().peek(t, b.resolve(m.addr(), 0));
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
        Long v = word(m, b);
        return v == null ? Value.signal(Signal.SIGSEGV) : Value.data(v);
    }
}
