package org.mmsim.scenario;

import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.check.Divergences;
import org.mmsim.kernel.check.Invariants;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Signal;

/**
 * The final condition, evaluated on the machine as the program left it, before teardown.
 *
 * <p>The explorer evaluates it at every final state, and a condition is mostly words of one actor's memory at offsets
 * from one name ({@code [P:A] != 0x10 \/ [P:A+4K] != 0x11 \/ ...}): an evaluation looks each actor and each name up
 * once and remembers the last of each, instead of once per word.
 */
final class Conditions {
    private final Bindings b;
    private final boolean oopsed;
    /** The last actor a word was read for, and its task (null: none, or not alive). */
    private String actor;
    private Task task;
    /** The last name an address was resolved from, and its address. */
    private String base;
    private long baseAddr;

    private Conditions(Bindings b, boolean oopsed) {
        this.b = b;
        this.oopsed = oopsed;
    }

    static boolean eval(Cond c, Bindings b) throws ScenarioException {
        return eval(c, b, false);
    }

    /** {@code c} on the final state; {@code oopsed}: whether the model oopsed (the value of {@code oops}). */
    static boolean eval(Cond c, Bindings b, boolean oopsed) throws ScenarioException {
        return new Conditions(b, oopsed).eval(c);
    }

    private boolean eval(Cond c) throws ScenarioException {
        return switch (c) {
            case Cond.And a -> eval(a.left()) && eval(a.right());
            case Cond.Or o -> eval(o.left()) || eval(o.right());
            case Cond.Not n -> !eval(n.inner());
            case Cond.Oops o -> oopsed;
            case Cond.Violated v -> Invariants.all().stream()
                    .filter(inv -> inv.name().equals(v.invariant()))
                    .anyMatch(inv -> !inv.check(b.kernel()).isEmpty());
            case Cond.Diverged d -> Divergences.of(b.kernel()).stream()
                    .anyMatch(v -> d.cause() == null || d.cause().equals(v.cause()));
            case Cond.Cmp cmp -> value(cmp.term()).matches(cmp.literal()) == cmp.equal();
            case Cond.CmpTerms cmp -> value(cmp.left()).matches(value(cmp.right())) == cmp.equal();
        };
    }

    /** A register's value, or what a load at {@code [ACTOR:ADDR]} would return now (without faulting). */
    private Value value(Cond.Term term) throws ScenarioException {
        if (term instanceof Cond.Reg r) {
            return b.register(r.actor(), r.reg());
        }
        Cond.Mem m = (Cond.Mem) term;
        if (!m.actor().equals(actor)) {
            actor = m.actor();
            task = b.taskOrNull(actor);
        }
        if (task == null || task.exited()) {
            return Value.UNSET;
        }
        Kernel k = b.kernel();
        Long v = k.peek(task, address(m.addr()));
        return v == null ? Value.signal(Signal.SIGSEGV) : Value.data(v);
    }

    /** {@code a} resolved as {@link Bindings#resolve} does, reusing the last name's address. */
    private long address(Arg.Addr a) throws ScenarioException {
        if (a.base() == null) {
            return a.offset();
        }
        if (!a.base().equals(base)) {
            baseAddr = b.resolve(new Arg.Addr(a.base(), 0, a.col()), 0);
            base = a.base();
        }
        return baseAddr + a.offset();
    }
}
