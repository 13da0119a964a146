package org.mmsim.scenario;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.mmsim.drivers.Drivers;
import org.mmsim.explore.Model;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.bug.KernelBug;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.check.Divergences;
import org.mmsim.kernel.check.Invariants;
import org.mmsim.kernel.profile.KernelProfile;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.task.Tasks;

/**
 * Runs one execution of a scenario under one kernel profile: script lines one after another; the thread blocks of a
 * group either round-robin, one operation at a time in declaration order ({@link #run}), or one step at a time as the
 * explorer chooses ({@link #stepThread}, {@link ScenarioModel}). An operation runs as the kernel calls its
 * {@link Operation} makes; whether a thread can take a step is the call's answer ({@code blockedOn}). After every step
 * all invariants are checked. At the end the condition is evaluated, then everything is torn down ({@link Teardown})
 * and the machine must have no frame left in use.
 */
public final class Runner {
    private final Scenario scenario;
    /** The scenario's condition made ready for evaluation at every final state; immutable, shared by copies. */
    private final Conditions.Plan condition;
    private final Kernel k;
    private final Bindings b;
    private final StepRecorder rec;
    private final Violations violations;
    private final OpExecutor ops;
    /** The run's time budget ({@link Budget}); not state: a copy (an explorer state) shares its deadline. */
    private Budget budget = Budget.NONE;
    /** The next segment of the program to run. */
    private int segment;
    /** The threads of the group being run; empty between groups. */
    private Strand[] strands = new Strand[0];
    /** The thread chosen at each step so far (what a schedule file records). */
    private int[] schedule = new int[16];
    private int scheduled;
    private boolean finished;
    private boolean holds;
    /**
     * The divergences the program caused, as the final state before teardown shows them (for the record of the
     * execution; not state: the condition, whose value is, reads them with {@code diverged}).
     */
    private List<String> divergences = List.of();
    private boolean oops;
    private boolean tracking;
    /** Whether invariants are checked after steps: off while a step already checked once is taken again. */
    private boolean checking = true;
    private long footprint = Model.EVERYTHING;

    private Runner(Scenario scenario, KernelProfile profile, boolean trace, boolean keepSteps) {
        this.scenario = scenario;
        this.condition = Conditions.plan(scenario.condition());
        this.rec = new StepRecorder(keepSteps);
        Set<String> needed = Operations.drivers(scenario);
        this.k = Kernel.boot(profile, scenario.normalFrames(), scenario.movableFrames(),
                Drivers.all().stream().filter(d -> needed.contains(d.name())).toList());
        if (scenario.tlb()) {
            k.mm().enableTlbs();
        }
        this.b = new Bindings(k, scenario.file());
        this.violations = new Violations(b);
        this.ops = new OpExecutor(b, rec);
        if (trace) {
            k.attach(rec);
        }
    }

    /**
     * Run {@code scenario} once under {@code profile}; with {@code trace}, each step records its kernel path and
     * changes. Threads of a group take turns one whole operation at a time, in declaration order.
     *
     * @throws ScenarioException for a scenario that is wrong at run time (an actor used after it exited, a name used
     *     by one thread before another bound it)
     */
    public static Execution run(Scenario scenario, KernelProfile profile, boolean trace) throws ScenarioException {
        return run(scenario, profile, trace, Budget.NONE);
    }

    /**
     * {@link #run(Scenario, KernelProfile, boolean)} within {@code budget}, asked after every step.
     *
     * @throws Budget.Exhausted when the budget runs out; {@link Budget.Exhausted#partial} is the record so far
     */
    public static Execution run(Scenario scenario, KernelProfile profile, boolean trace, Budget budget)
            throws ScenarioException {
        Runner r = new Runner(scenario, profile, trace, true);
        r.budget(budget);
        try {
            try {
                r.begin();
                while (!r.finished) {
                    r.runGroupInTurns();
                }
            } catch (ScenarioError e) {
                throw e.cause();
            } catch (Budget.Exhausted e) {
                throw e.with(r.execution());
            }
            return r.execution();
        } catch (OutOfMemoryError oom) {
            int steps = r.rec.size();
            r = null; // the machine that filled the heap: unreachable from here on, so that the report has room
            throw Budget.outOfHeap(steps);
        }
    }

    /** The current group, its threads taking turns one whole operation at a time until it is over. */
    private void runGroupInTurns() {
        Strand[] group = strands;
        for (int t = 0; t < group.length && strands == group; t++) {
            Strand s = group[t];
            for (int pc = s.pc; !s.finished() && strands == group && (s.pc == pc || s.call != null); ) {
                int enabled = enabled();
                if ((enabled & (1 << t)) == 0) {
                    if (enabled == 0) {
                        throw new ScenarioError(new ScenarioException(scenario.file(), s.op().line(), 1,
                                "deadlock: thread " + s.name() + " waits and no thread can run to wake it"));
                    }
                    stepThread(Integer.numberOfTrailingZeros(enabled));
                    budget.check(rec.size());
                    continue;
                }
                stepThread(t);
                budget.check(rec.size());
            }
        }
    }

    /** Boot the machine and run the program up to the first group of threads (or to its end): the explorer's start. */
    public static Runner start(Scenario scenario, KernelProfile profile, boolean trace) throws ScenarioException {
        return start(scenario, profile, trace, true);
    }

    /**
     * {@link #start(Scenario, KernelProfile, boolean)}, keeping the record of each step or (for the explorer, which
     * renders a schedule by replaying it) only counting steps; a run that counts only can be {@link #copy copied}.
     */
    static Runner start(Scenario scenario, KernelProfile profile, boolean trace, boolean keepSteps)
            throws ScenarioException {
        return start(scenario, profile, trace, keepSteps, Budget.NONE);
    }

    /**
     * {@link #start(Scenario, KernelProfile, boolean, boolean)}, the run within {@code budget} from its start: the
     * script before the first group within all of it, the steps after within its deadline only
     * ({@link Budget#timeOnly}), since a search's workers step copies of this run at once.
     */
    static Runner start(Scenario scenario, KernelProfile profile, boolean trace, boolean keepSteps, Budget budget)
            throws ScenarioException {
        Runner r = new Runner(scenario, profile, trace, keepSteps);
        r.budget(budget);
        try {
            r.begin();
        } catch (OutOfMemoryError oom) {
            int steps = r.rec.size();
            r = null; // as in run: the machine goes before anything is made
            throw Budget.outOfHeap(steps);
        }
        r.budget(budget.timeOnly());
        return r;
    }

    /** Run within {@code b} from now on: checked after every step, and inside steps through the kernel's watchdog. */
    private void budget(Budget b) {
        budget = b;
        k.watchdog(b == Budget.NONE ? null : () -> b.check(rec.size()));
    }

    /** Start the declared processes and run the program up to the first group of threads. */
    private void begin() throws ScenarioException {
        for (String p : scenario.processes()) {
            b.actor(p, k.spawn(p));
        }
        advance();
    }

    /** Replay {@code schedule} from the start: the same state as the run that recorded it. */
    public static Runner replay(Scenario scenario, KernelProfile profile, boolean trace, int[] schedule)
            throws ScenarioException {
        Runner r = start(scenario, profile, trace);
        try {
            for (int i = 0; i < schedule.length; i++) {
                int t = schedule[i];
                if (t < 0 || (r.enabled() & (1 << t)) == 0) {
                    throw new IllegalArgumentException("schedule step " + (i + 1) + ": thread " + t
                            + " cannot run (enabled: " + r.enabledNames() + ")");
                }
                r.stepThread(t);
            }
        } catch (ScenarioError e) {
            throw e.cause();
        }
        return r;
    }

    /** Run script lines until a group of threads starts or the program ends (then evaluate and tear down). */
    private void advance() throws ScenarioException {
        List<Scenario.Segment> program = scenario.program();
        try {
            while (segment < program.size()) {
                Scenario.Segment seg = program.get(segment++);
                if (seg instanceof Scenario.Script s) {
                    for (Scenario.Line l : s.lines()) {
                        ops.runLine(l.actor(), l.op());
                        List<Violation> library = b.takeLibraryViolations();
                        if (checking) {
                            violations.recordAll(library, rec.size());
                            violations.recordAll(Invariants.checkStep(k), rec.size());
                        }
                        budget.check(rec.size());
                    }
                    continue;
                }
                List<Scenario.ThreadBlock> threads = ((Scenario.Group) seg).threads();
                strands = new Strand[threads.size()];
                for (int i = 0; i < strands.length; i++) {
                    Scenario.ThreadBlock t = threads.get(i);
                    if (t.process() != null) {
                        if (k.tasks().live() >= Tasks.PID_MAX) {
                            throw new ScenarioException(scenario.file(), t.line(), 1, "thread " + t.name()
                                    + " cannot start: " + Tasks.PID_MAX + " tasks are alive, and"
                                    + " clone() would fail with -EAGAIN (pid_max)");
                        }
                        b.actor(t.name(), k.cloneThread(b.task(t.process(), t.line()), t.name()));
                    }
                    strands[i] = new Strand(t);
                }
                if (!groupFinished()) {
                    return;
                }
                strands = new Strand[0];
            }
        } catch (KernelBug bug) {
            oops = true;
            violations.record(bug.violation().atStep(rec.size()));
        }
        end();
    }

    private boolean groupFinished() {
        for (Strand s : strands) {
            if (!s.finished()) {
                return false;
            }
        }
        return true;
    }

    private void end() throws ScenarioException {
        strands = new Strand[0];
        holds = oops ? Cond.mentionsOops(scenario.condition()) && condition.eval(b, true) : condition.eval(b, false);
        List<Divergences.Divergence> found = Divergences.of(k);
        // the explorer ends here at every final state, where there is almost never a divergence: no stream for none
        divergences = found.isEmpty() ? List.of() : found.stream().map(Object::toString).toList();
        if (!oops) {
            Teardown.run(k, rec, violations);
        }
        finished = true;
    }

    /** Whether the program has run to its end (condition evaluated, everything torn down). */
    public boolean finished() {
        return finished;
    }

    /** At the end: whether the condition held. */
    public boolean holds() {
        return holds;
    }

    /** Thread slots of the group being run. */
    public int threads() {
        return strands.length;
    }

    /** The threads of the current group that can take a step now, as a bit mask. */
    public int enabled() {
        int mask = 0;
        for (int t = 0; t < strands.length; t++) {
            if (!strands[t].finished() && ops.runnable(strands[t])) {
                mask |= 1 << t;
            }
        }
        return mask;
    }

    private String enabledNames() {
        List<String> names = new ArrayList<>();
        for (int t = 0, enabled = enabled(); t < strands.length; t++) {
            if ((enabled & (1 << t)) != 0) {
                names.add(t + "=" + strands[t].name());
            }
        }
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    /** The thread chosen at each step so far. */
    public int[] schedule() {
        return Arrays.copyOf(schedule, scheduled);
    }

    /** The name of thread {@code t} of the current group. */
    public String threadName(int t) {
        return strands[t].name();
    }

    /**
     * Take one step of thread {@code t}: start its next operation or continue the kernel call it is inside, up to the
     * next preemption point. When the group's last thread finishes, the program runs on to the next group.
     *
     * @throws ScenarioError wrapping a {@link ScenarioException} for a scenario that is wrong at run time
     */
    public void stepThread(int t) {
        if (scheduled == schedule.length) {
            schedule = Arrays.copyOf(schedule, scheduled * 2);
        }
        schedule[scheduled++] = t;
        Strand s = strands[t];
        s.steps++;
        if (tracking) {
            k.takeFootprint();
        }
        try {
            try {
                ops.step(s);
            } catch (KernelBug bug) {
                oops = true;
                violations.record(bug.violation().atStep(rec.size()));
                end();
                return;
            }
            if (tracking) {
                footprint = k.takeFootprint();
                k.trackFootprint(false);
            }
            checkInvariants();
            if (groupFinished()) {
                // what the program runs on to (the next segments, or the condition and the teardown at the end) is
                // not this step's footprint, which is taken: tracking stays off, as the next step resets the bits
                strands = new Strand[0];
                advance();
            }
            k.trackFootprint(tracking);
        } catch (ScenarioException e) {
            throw new ScenarioError(e);
        }
    }

    /**
     * Invariants are checked after every step at which no kernel call is suspended: a suspended call may be half way
     * through an update they judge whole (a pin taken but not yet handed over, a page shared but not yet mapped).
     * While one is, only those that hold at every step are ({@link Invariants#checkMidCall}: stable pages, which only
     * a suspended writeback can expose).
     */
    private void checkInvariants() {
        // what libraries found, like the kernel's invariants, only on a step taken the first time, not in a replay
        List<Violation> library = b.takeLibraryViolations();
        if (!checking) {
            return;
        }
        violations.recordAll(library, rec.size());
        for (Strand s : strands) {
            if (s.call != null) {
                violations.recordAll(Invariants.checkMidCall(k), rec.size());
                return;
            }
        }
        violations.recordAll(Invariants.checkStep(k), rec.size());
    }

    /**
     * {@link #stepThread} for a step taken once before from an equal state (the explorer rebuilding a state it did not
     * keep): no invariant checks and no footprint, since both were recorded when the step was first taken. A
     * violation that persists shows again at the next checked step.
     */
    public void replayThread(int t) {
        boolean track = tracking;
        checking = false;
        tracking = false;
        k.trackFootprint(false);
        try {
            stepThread(t);
        } finally {
            checking = true;
            tracking = track;
            k.trackFootprint(track);
        }
    }

    /** Record each step's footprint from now on (the explorer's reduction uses it). */
    public void trackFootprints() {
        tracking = true;
        k.trackFootprint(true);
    }

    /** The footprint of the last {@link #stepThread}, or {@code Model.EVERYTHING} when not tracking. */
    public long footprint() {
        return footprint;
    }

    /**
     * A 64-bit fingerprint of the whole state: the machine's ({@link Kernel#fingerprint}), where the program is
     * (segment, each thread's next operation, the kernel call it is inside and how many steps it took, the number of
     * steps so far), and what names, registers and actors are bound to. The violations found so far are not state:
     * they depend on the path, and the explorer collects them per state.
     */
    public long fingerprint() {
        StateHasher h = new StateHasher();
        k.hashInto(h);
        h.add(StateHasher.pack(segment, scheduled)).add((finished ? 4 : 0) | (holds ? 2 : 0) | (oops ? 1 : 0));
        for (Strand st : strands) {
            st.hashInto(h);
        }
        b.hashInto(h);
        return h.value();
    }

    /** The violations recorded since the last call, as stable keys ("invariant: message"). */
    public List<String> newViolations() {
        return violations.fresh();
    }

    /** The machine this run drives (tests look at what it booted). */
    Kernel kernel() {
        return k;
    }

    /** The record of this execution so far. */
    public Execution execution() {
        return new Execution(rec.steps(), b.registers(), holds, violations.all(), divergences, finished,
                b.mmNames());
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    /**
     * An independent copy of this run, stopped where it is (the explorer's states are values): the machine
     * ({@link Kernel#copy}), the calls threads are inside with it, bindings, violations and the schedule so far. Only
     * an untraced run that counts its steps can be copied.
     */
    public Runner copy() {
        return copy(new Copier());
    }

    /**
     * A copy of this run that is dropped, with every copy made from it, before this run takes another step: a branch
     * ({@code Copier.branch}), as the explorer's look ahead makes them, depth first. This run keeps what it owns of the
     * storage it shares with the copy and writes it in place at its next step.
     */
    public Runner branch() {
        return copy(new Copier().branch());
    }

    private Runner copy(Copier c) {
        try {
            return new Runner(this, c);
        } catch (ScenarioException e) {
            throw new ScenarioError(e);
        } finally {
            c.finish();
        }
    }

    private Runner(Runner o, Copier c) throws ScenarioException {
        this.scenario = o.scenario;
        this.condition = o.condition;
        this.rec = o.rec.copy();
        this.k = o.k.copy(c);
        this.b = o.b.copy(k);
        this.violations = o.violations.copy(b);
        this.ops = new OpExecutor(b, rec);
        this.segment = o.segment;
        this.strands = new Strand[o.strands.length];
        for (int t = 0; t < strands.length; t++) {
            strands[t] = o.strands[t].copy(c, b);
        }
        this.schedule = Arrays.copyOf(o.schedule, Math.max(o.scheduled + 4, 16));
        this.scheduled = o.scheduled;
        this.finished = o.finished;
        this.holds = o.holds;
        budget(o.budget);
        this.divergences = o.divergences;
        this.oops = o.oops;
        this.tracking = o.tracking;
        this.checking = o.checking;
        this.footprint = o.footprint;
        k.trackFootprint(tracking);
    }
}
