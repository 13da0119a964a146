package org.mmsim.scenario;

import java.util.ArrayList;
import java.util.List;
import org.mmsim.kernel.bug.KernelBug;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.sched.SleepsForever;
import org.mmsim.kernel.task.Task;

/**
 * Runs operations as the kernel calls their {@link Operation}s make: a script line to its end, or one step of a
 * thread; asks whether a thread's next step can run; records each step and binds registers.
 */
final class OpExecutor {
    private final Bindings b;
    private final StepRecorder rec;

    OpExecutor(Bindings b, StepRecorder rec) {
        this.b = b;
        this.rec = rec;
    }

    /**
     * Whether a thread's next step can run, as the kernel call it is inside, or the one its next operation starts
     * with, answers ({@code blockedOn}). A thread whose operation cannot even start (its actor is gone, a name is not
     * bound) may run: the step reports the scenario error.
     */
    boolean runnable(Strand s) {
        if (s.call != null) {
            return s.call.blockedOn() == null;
        }
        Task t = actor(s);
        if (t == null || t.exited()) {
            return true;
        }
        try {
            Operation kind = s.op().kind();
            if (!kind.waitsAsked()) {
                // a user access: asked without making its call (an explored state asks it of every thread)
                return kind.blockedOn(b, t, s.op()) == null;
            }
            if (s.pending == null || s.pendingVersion != b.version()) {
                s.pending = kind.begin(b, t, s.op());
                s.pendingVersion = b.version();
            }
            return s.pending.blockedOn() == null;
        } catch (ScenarioException | IllegalStateException e) {
            s.pending = null;
            return true;
        }
    }

    /** The task thread {@code s}'s actor is bound to (null if none), remembered until a name is bound again. */
    private Task actor(Strand s) {
        if (s.actorVersion != b.version()) {
            s.actor = b.taskOrNull(s.name());
            s.actorVersion = b.version();
        }
        return s.actor;
    }

    /**
     * One step of thread {@code s}: start its operation's next call or continue the one it is inside, up to the next
     * preemption point. Records the step; an oops is recorded and rethrown.
     */
    void step(Strand s) throws ScenarioException {
        rec.begin();
        Op op = s.op();
        Value v = null;
        try {
            Task t = actor(s);
            if (t == null || t.exited()) {
                t = b.task(s.name(), op.line()); // the scenario error it is
            }
            if (s.call == null) {
                s.call = s.pending != null && s.pendingVersion == b.version() ? s.pending : op.kind().begin(b, t, op);
                s.pending = null;
            }
            s.call.step();
            s.callMade = false;
            if (s.call.done()) {
                s.done.add(s.call);
                s.call = op.kind().next(b, t, op, s.done);
                s.callMade = s.call != null;
                if (s.call == null) {
                    v = op.kind().result(b, t, op, s.done);
                    s.done.clear();
                }
            }
        } catch (KernelBug bug) {
            rec.add(s.name(), op.text(), op.line(), "oops", null);
            throw bug;
        }
        if (v == null) {
            // between two calls of one operation (a library's, or an open then an ioctl), name the call that comes next
            rec.add(s.name(), op.text(), op.line(), "...",
                    !rec.keeps() ? null : s.callMade ? "before " + s.call.name() : s.call.point());
        } else {
            s.pc++;
            complete(s.name(), op, v);
        }
    }

    /** A script line: its operation run to its end, every kernel call of it. */
    void runLine(String actor, Op op) throws ScenarioException {
        rec.begin();
        Value v;
        try {
            Task t = b.task(actor, op.line());
            List<KernelCall<?>> calls = new ArrayList<>();
            for (KernelCall<?> c = op.kind().begin(b, t, op); c != null; c = op.kind().next(b, t, op, calls)) {
                try {
                    c.run();
                } catch (SleepsForever e) {
                    throw new ScenarioException(b.file(), op.line(), 1, "'" + op.text() + "' "
                            + b.nameMms(e.getMessage()) + " (outside a thread block no other thread runs)");
                }
                calls.add(c);
            }
            v = op.kind().result(b, t, op, calls);
        } catch (KernelBug bug) {
            rec.add(actor, op.text(), op.line(), "oops", null);
            throw bug;
        }
        complete(actor, op, v);
    }

    /** An operation returned {@code v}: bind its register and record the step. */
    private void complete(String actor, Op op, Value v) {
        if (op.assign() != null) {
            b.setRegister(actor, op.assign(), v);
        }
        rec.add(actor, op.text(), op.line(), rec.keeps() ? v.toString() : null, null);
    }
}
