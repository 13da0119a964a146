package org.mmsim.scenario;

import java.util.ArrayList;
import java.util.List;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.task.Task;

/**
 * One thread of the group being run: its operations, the next one, the kernel calls the operation has finished and
 * the one it is inside, and how many steps it took.
 */
final class Strand {
    final Scenario.ThreadBlock block;
    /**
     * The block's operations, as an array shared by every copy (never written): the explorer asks at every step, of
     * every thread, whether it has finished and what its next operation is, and the block's list answers through an
     * interface call each time.
     */
    private final Op[] ops;
    int pc;
    KernelCall<?> call;
    /**
     * Whether {@link #call} was made by the operation after its previous call returned and has not run yet: such a
     * call is made again, not copied, when the run is copied (it has not captured anything of the machine as state).
     */
    boolean callMade;
    final List<KernelCall<?>> done = new ArrayList<>();
    int steps;
    /**
     * The call the next operation starts with, made (not run) to ask what it waits for, and the bindings version it
     * was made under; it is used when the operation starts if no name was bound since. Not state: a call that has not
     * run changed nothing.
     */
    KernelCall<?> pending;
    int pendingVersion = -1;
    /**
     * The task this thread's actor was bound to under bindings version {@link #actorVersion} (looked up at every step
     * and every question of what it waits for); not copied: a copy looks it up in its own machine.
     */
    Task actor;
    int actorVersion = -1;

    Strand(Scenario.ThreadBlock block) {
        this(block, block.ops().toArray(new Op[0]));
    }

    private Strand(Scenario.ThreadBlock block, Op[] ops) {
        this.block = block;
        this.ops = ops;
    }

    boolean finished() {
        return call == null && pc == ops.length;
    }

    Op op() {
        return ops[pc];
    }

    String name() {
        return block.name();
    }

    /**
     * Where the thread is: its next operation, steps taken, the return values of the calls its operation finished,
     * and the call it is inside.
     */
    void hashInto(StateHasher h) {
        // one strong hash worked out in registers: every thread is hashed at every explored state
        long a = StateHasher.step(StateHasher.LANE, StateHasher.pack(pc, steps));
        a = StateHasher.step(a, call == null ? 0 : call.fingerprint());
        long b = StateHasher.step(StateHasher.LANE + 1, done.size());
        for (int i = 0; i < done.size(); i++) {
            b = StateHasher.step(b, done.get(i).ret());
        }
        h.add(a, b);
    }

    /**
     * This thread in a copied run: its finished calls and the call it is inside are copied with {@code c}; a call made
     * but not yet run is made again from the copied bindings {@code b}.
     */
    Strand copy(Copier c, Bindings b) throws ScenarioException {
        Strand s = new Strand(block, ops);
        s.pc = pc;
        s.steps = steps;
        for (int i = 0; i < done.size(); i++) { // indexed: copied at every branch of an explored state
            s.done.add(c.copy(done.get(i)));
        }
        if (callMade) {
            s.call = op().kind().next(b, b.task(name(), op().line()), op(), s.done);
            s.callMade = true;
        } else {
            s.call = c.copy(call);
        }
        return s;
    }
}
