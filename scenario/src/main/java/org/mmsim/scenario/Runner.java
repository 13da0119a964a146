package org.mmsim.scenario;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mmsim.kernel.Errno;
import org.mmsim.kernel.FileRead;
import org.mmsim.kernel.Footprint;
import org.mmsim.kernel.GupPages;
import org.mmsim.kernel.Inode;
import org.mmsim.kernel.IoRing;
import org.mmsim.kernel.OpenFile;
import org.mmsim.kernel.Journal;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.KernelBug;
import org.mmsim.kernel.KernelCall;
import org.mmsim.kernel.PageFlags;
import org.mmsim.kernel.Pipe;
import org.mmsim.kernel.Pte;
import org.mmsim.kernel.StateHasher;
import org.mmsim.kernel.Task;
import org.mmsim.kernel.Violation;
import org.mmsim.kernel.check.Invariants;
import org.mmsim.kernel.profile.KernelProfile;

/**
 * Runs one execution of a scenario under one kernel profile: script lines one after another; the thread blocks of
 * a group either round-robin, one operation at a time in declaration order ({@link #run}), or one step at a time
 * as the explorer chooses ({@link #stepThread}, {@link ScenarioModel}). After every step all invariants are checked. At the end
 * the condition is evaluated, then everything is torn down (GUP references released, pipes closed, processes
 * exited) and the machine must have no frame left in use.
 */
public final class Runner implements Journal {
    private final Scenario scenario;
    private final KernelProfile profile;
    private final Kernel k;
    private final boolean trace;
    private final Map<String, Task> actors = new LinkedHashMap<>();
    private final Map<Integer, String> mmNames = new java.util.HashMap<>();
    private final Map<String, Object> objects = new LinkedHashMap<>();
    private final Map<String, Map<String, Value>> registers = new LinkedHashMap<>();
    private final List<Step> steps = new ArrayList<>();
    private final Set<String> seen = new LinkedHashSet<>();
    private final List<Violation> violations = new ArrayList<>();
    private List<String> path = new ArrayList<>();
    private List<String> changes = new ArrayList<>();

    /** One thread of the group being run: its operations, the next one, and the kernel call it is inside. */
    private static final class Strand {
        final Scenario.ThreadBlock block;
        int pc;
        KernelCall call;
        int steps;

        Strand(Scenario.ThreadBlock block) {
            this.block = block;
        }

        boolean finished() {
            return call == null && pc == block.ops().size();
        }
    }

    /** The next segment of the program to run. */
    private int segment;
    /** The threads of the group being run; empty between groups. */
    private Strand[] strands = new Strand[0];
    /** The thread chosen at each step so far (what a schedule file records). */
    private int[] schedule = new int[16];
    private int scheduled;
    private boolean finished;
    private boolean holds;
    private boolean oops;
    private int reported;

    private Runner(Scenario scenario, KernelProfile profile, boolean trace) {
        this.scenario = scenario;
        this.profile = profile;
        this.k = Kernel.boot(profile, scenario.normalFrames(), scenario.movableFrames());
        this.trace = trace;
        if (trace) {
            k.setJournal(this);
        }
    }

    /**
     * Run {@code scenario} once under {@code profile}; with {@code trace}, each step records its kernel path and
     * changes. Threads of a group take turns one whole operation at a time, in declaration order.
     *
     * @throws ScenarioException for a scenario that is wrong at run time (an actor used after it exited, a name
     *     used by one thread before another bound it)
     */
    public static Execution run(Scenario scenario, KernelProfile profile, boolean trace) throws ScenarioException {
        Runner r = start(scenario, profile, trace);
        try {
            while (!r.finished) {
                Strand[] group = r.strands;
                for (int t = 0; t < group.length && r.strands == group; t++) {
                    Strand s = group[t];
                    if (s.finished()) {
                        continue;
                    }
                    int pc = s.pc;
                    while (r.strands == group && (s.pc == pc || s.call != null)) {
                        if ((r.enabled() & (1 << t)) == 0) {
                            throw new IllegalStateException("thread " + s.block.name() + " blocked in a run");
                        }
                        r.stepThread(t);
                    }
                }
            }
        } catch (ScenarioError e) {
            throw e.cause();
        }
        return r.execution();
    }

    /**
     * Boot the machine and run the program up to the first group of threads (or to its end): the state the
     * explorer starts from.
     */
    public static Runner start(Scenario scenario, KernelProfile profile, boolean trace) throws ScenarioException {
        Runner r = new Runner(scenario, profile, trace);
        for (String p : scenario.processes()) {
            Task t = r.k.spawn(p);
            r.actors.put(p, t);
            r.mmNames.put(t.mm().id(), p);
        }
        r.advance();
        return r;
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
                        step(l.actor(), l.op());
                    }
                } else {
                    Scenario.Group g = (Scenario.Group) seg;
                    strands = new Strand[g.threads().size()];
                    for (int i = 0; i < strands.length; i++) {
                        Scenario.ThreadBlock t = g.threads().get(i);
                        if (t.process() != null) {
                            actors.put(t.name(), k.cloneThread(task(t.process(), t.line()), t.name()));
                        }
                        strands[i] = new Strand(t);
                    }
                    if (!groupFinished()) {
                        return;
                    }
                    strands = new Strand[0];
                }
            }
        } catch (KernelBug bug) {
            oops = true;
            record(bug.violation().atStep(steps.size()));
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
        holds = !oops && eval(scenario.condition());
        if (!oops) {
            teardown();
        }
        finished = true;
    }

    // ---- what the explorer sees -----------------------------------------------------------------------------

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
            if (!strands[t].finished() && runnable(strands[t])) {
                mask |= 1 << t;
            }
        }
        return mask;
    }

    private String enabledNames() {
        StringBuilder sb = new StringBuilder();
        for (int t = 0; t < strands.length; t++) {
            if ((enabled() & (1 << t)) != 0) {
                sb.append(sb.isEmpty() ? "" : ", ").append(t).append('=').append(strands[t].block.name());
            }
        }
        return sb.isEmpty() ? "none" : sb.toString();
    }

    /** The thread chosen at each step so far. */
    public int[] schedule() {
        return java.util.Arrays.copyOf(schedule, scheduled);
    }

    /** The name of thread {@code t} of the current group. */
    public String threadName(int t) {
        return strands[t].block.name();
    }

    /**
     * Take one step of thread {@code t}: start its next operation or continue the kernel call it is inside, up to
     * the next preemption point. When the group's last thread finishes, the program runs on to the next group.
     *
     * @throws ScenarioError wrapping a {@link ScenarioException} for a scenario that is wrong at run time
     */
    public void stepThread(int t) {
        Strand s = strands[t];
        if (scheduled == schedule.length) {
            schedule = java.util.Arrays.copyOf(schedule, scheduled * 2);
        }
        schedule[scheduled++] = t;
        s.steps++;
        Op op = s.block.ops().get(s.pc);
        if (tracking) {
            k.takeFootprint();
        }
        footprint = org.mmsim.explore.Model.EVERYTHING;
        try {
            stepStrand(s);
            if (groupFinished()) {
                strands = new Strand[0];
                advance();
            }
        } catch (ScenarioException e) {
            throw new ScenarioError(e);
        }
    }

    private void stepStrand(Strand s) throws ScenarioException {
        path = new ArrayList<>();
        changes = new ArrayList<>();
        String actor = s.block.name();
        Op op = s.block.ops().get(s.pc);
        Value v = null;
        try {
            if (s.call == null) {
                s.call = begin(task(actor, op.line()), op);
                if (s.call == null) {
                    v = exec(task(actor, op.line()), op);
                }
            }
            if (s.call != null) {
                s.call.step();
                if (s.call.done()) {
                    v = result(op, s.call);
                }
            }
        } catch (KernelBug bug) {
            addStep(actor, op, "oops", null);
            oops = true;
            record(bug.violation().atStep(steps.size()));
            end();
            return;
        }
        if (v == null) {
            addStep(actor, op, "...", s.call.point());
        } else {
            s.call = null;
            s.pc++;
            complete(actor, op, v);
        }
        if (tracking) {
            footprint = footprintOf(s, op);
            k.trackFootprint(false);
        }
        checkInvariants();
        k.trackFootprint(tracking);
    }

    /**
     * Invariants are checked after every step at which no kernel call is suspended: a suspended call may be half
     * way through an update the invariants judge whole (a pin taken but not yet handed to its holder, a page fork
     * has shared but not yet mapped in the child).
     */
    private void checkInvariants() {
        for (Strand s : strands) {
            if (s.call != null) {
                return;
            }
        }
        for (Violation viol : Invariants.checkStep(k)) {
            record(viol.atStep(steps.size()));
        }
    }

    /**
     * Footprint of the last step (see {@code org.mmsim.kernel.Footprint}): what the kernel recorded, plus the
     * thread's own mm, plus {@code GLOBAL} for every operation that may touch what the kernel's tracking does not
     * cover (files, pipes, GUP holders, task lists, the scenario's name bindings) or another process's locks.
     * Only loads, stores, mprotect, munmap, madvise and pagemap of the thread's own mm are trusted to be local.
     */
    private long footprint;
    private boolean tracking;

    /** Record each step's footprint from now on (the explorer's reduction uses it). */
    public void trackFootprints() {
        tracking = true;
        k.trackFootprint(true);
    }

    /** The footprint of the last {@link #stepThread}, or {@code Model.EVERYTHING} when not tracking. */
    public long footprint() {
        return footprint;
    }

    private long footprintOf(Strand s, Op op) {
        long bits = k.takeFootprint();
        Task t = actors.get(s.block.name());
        if (t != null && t.mm() != null) {
            bits |= Footprint.mmBit(t.mm().id());
        } else {
            bits |= Footprint.GLOBAL;
        }
        return switch (op.kind()) {
            case LOAD, STORE, MPROTECT, MUNMAP, MADVISE, PAGEMAP -> bits;
            default -> bits | Footprint.GLOBAL;
        };
    }

    /**
     * A 64-bit fingerprint of the whole state: the machine's ({@link Kernel#fingerprint}), where the program is
     * (segment, each thread's next operation, the kernel call it is inside and how many steps it took, the number
     * of steps so far), what names are bound to and what registers hold. Name bindings and registers are summed
     * entry by entry, so the order threads bound them in does not matter. The violations found so far are not
     * state: they depend on the path, and the explorer collects them per state.
     */
    public long fingerprint() {
        StateHasher h = new StateHasher().add(k.fingerprint()).add(segment).add(scheduled).add(finished).add(holds)
                .add(oops);
        for (Strand st : strands) {
            h.add(st.pc).add(st.steps).add(st.call == null ? 0 : st.call.fingerprint());
        }
        long sum = 0;
        for (Map.Entry<String, Object> e : objects.entrySet()) {
            sum += objectHash(new StateHasher().add(e.getKey()), e.getValue());
        }
        h.add(sum);
        sum = 0;
        for (Map.Entry<String, Map<String, Value>> a : registers.entrySet()) {
            for (Map.Entry<String, Value> r : a.getValue().entrySet()) {
                Value v = r.getValue();
                sum += new StateHasher().add(a.getKey()).add(r.getKey()).add(v.number()).add(v.data())
                        .add(v.failure()).value();
            }
        }
        h.add(sum);
        sum = 0;
        for (Map.Entry<String, Task> e : actors.entrySet()) {
            sum += new StateHasher().add(e.getKey()).add(e.getValue().pid()).value();
        }
        return h.add(sum).value();
    }

    /** What a name is bound to, named canonically: an address, or a kernel object by its list position. */
    private long objectHash(StateHasher h, Object o) {
        switch (o) {
            case Long l -> h.add(1).add(l);
            case GupPages g -> {
                h.add(2).add(k.gupHolders().indexOf(g)).add(g.ret()).add(g.released()).add(g.nr());
                for (int i = 0; i < g.nr(); i++) {
                    h.add(g.pfn(i));
                }
            }
            case OpenFile f -> h.add(3).add(k.files().indexOf(f));
            case Pipe p -> h.add(4).add(k.pipes().indexOf(p));
            case IoRing r -> h.add(5).add(k.ioRings().indexOf(r));
            default -> h.add(6); // BAD_FD, the only other thing a name is bound to
        }
        return h.value();
    }

    /** The violations recorded since the last call, as stable keys ("invariant: message"). */
    public List<String> newViolations() {
        List<String> out = new ArrayList<>();
        for (; reported < violations.size(); reported++) {
            Violation v = violations.get(reported);
            out.add(v.invariant() + ": " + v.message());
        }
        return out;
    }

    /** The record of this execution so far. */
    public Execution execution() {
        return new Execution(List.copyOf(steps), registers, holds, List.copyOf(violations), finished);
    }

    /** A scenario error found while the explorer was stepping (the explorer's interface has no checked exceptions). */
    public static final class ScenarioError extends RuntimeException {
        /** Wrap {@code cause}. */
        private static final long serialVersionUID = 1L;

        public ScenarioError(ScenarioException cause) {
            super(cause.getMessage(), cause);
        }

        public ScenarioException cause() {
            return (ScenarioException) getCause();
        }
    }

    /** A script line: its operation run to its end, kernel call and all. */
    private void step(String actor, Op op) throws ScenarioException {
        path = new ArrayList<>();
        changes = new ArrayList<>();
        Value v;
        try {
            Task t = task(actor, op.line());
            KernelCall call = begin(t, op);
            if (call == null) {
                v = exec(t, op);
            } else {
                while (!call.done()) {
                    call.step();
                }
                v = result(op, call);
            }
        } catch (KernelBug bug) {
            addStep(actor, op, "oops", null);
            throw bug;
        }
        complete(actor, op, v);
        for (Violation viol : Invariants.checkStep(k)) {
            record(viol.atStep(steps.size()));
        }
    }

    /** An operation returned {@code v}: bind its register and record the step. */
    private void complete(String actor, Op op, Value v) {
        if (op.assign() != null) {
            registers.computeIfAbsent(actor, a -> new LinkedHashMap<>()).put(op.assign(), v);
        }
        addStep(actor, op, v.toString(), null);
    }

    private void addStep(String actor, Op op, String result, String point) {
        steps.add(new Step(steps.size() + 1, actor, op.text(), op.line(), result, point, path, changes));
    }

    private void record(Violation v) {
        if (seen.add(v.invariant() + "\u0000" + v.message())) {
            violations.add(new Violation(v.invariant(), nameMms(v.message()), v.step()));
        }
    }

    /** "mm 2" in kernel messages becomes "mm 2 (C)" so a reader sees the scenario's names. */
    private String nameMms(String message) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\bmm (\\d+)\\b").matcher(message);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String n = mmNames.get(Integer.parseInt(m.group(1)));
            m.appendReplacement(sb, m.group() + (n == null ? "" : " (" + n + ")"));
        }
        return m.appendTail(sb).toString();
    }

    private Task task(String actor, int line) throws ScenarioException {
        Task t = actors.get(actor);
        if (t == null) {
            throw new ScenarioException(scenario.file(), line, 1, "'" + actor + "' does not exist at this point "
                    + "(its fork failed or has not run yet)");
        }
        if (t.mm() == null) {
            throw new ScenarioException(scenario.file(), line, 1, "'" + actor + "' has already exited");
        }
        return t;
    }

    /**
     * The kernel call an operation runs as, for the operations the explorer can suspend inside the kernel (see
     * {@code KernelCall}); null for those that run as one atomic step.
     */
    private KernelCall begin(Task t, Op op) throws ScenarioException {
        return switch (op.kind()) {
            case PROC_MEM_WRITE -> k.beginAccessRemoteVm(task(name(op, 0), op.line()), addr(op, 1), num(op, 2),
                    true);
            case PTRACE_POKE -> k.beginPtracePoke(task(name(op, 0), op.line()), addr(op, 1), num(op, 2));
            case PROC_MEM_READ -> k.beginAccessRemoteVm(task(name(op, 0), op.line()), addr(op, 1), 0, false);
            case GET_USER_PAGES, GET_USER_PAGES_FAST, PIN_USER_PAGES, PIN_USER_PAGES_FAST -> k.beginGup(t,
                    addr(op, 1), (int) num(op, 2), op.args().size() > 3 ? flags(op, 3) : 0,
                    op.kind() == OpKind.PIN_USER_PAGES || op.kind() == OpKind.PIN_USER_PAGES_FAST,
                    op.kind() == OpKind.GET_USER_PAGES_FAST || op.kind() == OpKind.PIN_USER_PAGES_FAST);
            case FORK -> {
                mmNames.put(k.mms().size() + 1, name(op, 0));   // the child's mm, if no other fork comes first
                yield k.beginFork(t, name(op, 0));
            }
            case MADVISE -> k.beginMadvise(t, addr(op, 0), num(op, 1), flags(op, 2));
            default -> null;
        };
    }

    /** What a finished kernel call returns to the program, binding names as {@link #exec} would. */
    private Value result(Op op, KernelCall call) {
        return switch (op.kind()) {
            case PROC_MEM_WRITE -> Value.of(call.ret() == 8 ? 8 : -Errno.EIO);
            case PTRACE_POKE -> Value.of(call.ret() == 8 ? 0 : -Errno.EIO);
            case PROC_MEM_READ -> call.ret() == 8 ? Value.data(k.remoteWord(call)) : Value.errno(Errno.EIO);
            case GET_USER_PAGES, GET_USER_PAGES_FAST, PIN_USER_PAGES, PIN_USER_PAGES_FAST -> {
                GupPages g = k.gupPages(call);
                objects.put(name(op, 0), g);
                yield Value.of(g.ret());
            }
            case FORK -> {
                Task child = k.forkChild(call);
                if (child == null) {
                    yield Value.of(-Errno.ENOMEM);
                }
                mmNames.put(child.mm().id(), name(op, 0));
                actors.put(name(op, 0), child);
                yield Value.of(child.pid());
            }
            default -> Value.of(call.ret());
        };
    }

    /**
     * Whether a thread's next step can run: a suspended call asks its own locks; an operation about to start
     * asks for the locks its kernel path takes first. Loads and stores that will not fault take none (the MMU
     * walks the ptes as they are); operations not listed wait until no suspended call holds any lock.
     */
    private boolean runnable(Strand s) {
        if (s.call != null) {
            return s.call.runnable();
        }
        Op op = s.block.ops().get(s.pc);
        Task t = actors.get(s.block.name());
        if (t == null || t.mm() == null) {
            return true;
        }
        try {
            return switch (op.kind()) {
                case GET_USER_PAGES, GET_USER_PAGES_FAST, PIN_USER_PAGES, PIN_USER_PAGES_FAST, DMA_READ, DMA_WRITE,
                        PIPE, WRITE, READ, UNPIN_USER_PAGES, UNPIN_USER_PAGES_DIRTY, PUT_PAGES, CREAT, MEMFD_CREATE,
                        OPEN, PREAD, PWRITE, SETRLIMIT_MEMLOCK, IO_URING_SETUP, IO_URING_WRITE_FIXED,
                        IO_URING_UNREGISTER_BUFFERS -> true;
                case PROC_MEM_WRITE, PROC_MEM_READ, PTRACE_POKE -> {
                    Task target = actors.get(name(op, 0));
                    yield target == null || target.mm() == null || k.mmapLockFree(target, false);
                }
                case LOAD, STORE -> !k.accessFaults(t, addr(op, 0), op.kind() == OpKind.STORE)
                        || (k.mmapLockFree(t, false) && k.ptlFree(t));
                case MADVISE -> flags(op, 2) == org.mmsim.kernel.Mman.MADV_DONTNEED
                        ? k.mmapLockFree(t, false) && k.ptlFree(t) : k.mmapLockFree(t, true);
                case PAGEMAP, VMSPLICE, IO_URING_REGISTER_BUFFERS -> k.mmapLockFree(t, false) && k.ptlFree(t);
                case FORK, MMAP, MMAP_DEVICE, MMAP_FILE, MUNMAP, MPROTECT, EXIT -> k.mmapLockFree(t, true);
                default -> k.quiescent();
            };
        } catch (ScenarioException e) {
            return true;
        }
    }

    /** An operation that runs as one atomic step (those {@link #begin} does not start as a kernel call). */
    private Value exec(Task t, Op op) throws ScenarioException {
        return switch (op.kind()) {
            case PROC_MEM_WRITE, PROC_MEM_READ, PTRACE_POKE, GET_USER_PAGES, GET_USER_PAGES_FAST, PIN_USER_PAGES,
                    PIN_USER_PAGES_FAST, FORK, MADVISE -> throw new IllegalStateException(op.kind()
                    + " runs as a kernel call");
            case MMAP -> bindAddress(op, k.mmap(t, op.args().size() > 4 ? addr(op, 4) : 0, num(op, 1),
                    flags(op, 2), flags(op, 3)));
            case MMAP_DEVICE -> bindAddress(op, k.mmapDevice(t, num(op, 1), flags(op, 2)));
            case MUNMAP -> Value.of(k.munmap(t, addr(op, 0), num(op, 1)));
            case MPROTECT -> Value.of(k.mprotect(t, addr(op, 0), num(op, 1), flags(op, 2)));
            case EXIT -> {
                k.exit(t);
                yield Value.of(0);
            }
            case LOAD -> {
                Long v = k.load(t, addr(op, 0));
                yield v == null ? Value.signal(k.lastSignal()) : Value.data(v);
            }
            case STORE -> {
                int sig = k.store(t, addr(op, 0), num(op, 1));
                yield sig == 0 ? Value.of(0) : Value.signal(sig);
            }
            case PIPE -> {
                objects.put(name(op, 0), k.pipe());
                yield Value.of(0);
            }
            case VMSPLICE -> Value.of(k.vmsplice(t, pipe(op, 0), addr(op, 1), num(op, 2)));
            case WRITE -> Value.of(k.pipeWrite(pipe(op, 0), num(op, 1)));
            case READ -> {
                Pipe.Read r = k.pipeRead(pipe(op, 0), (int) (optNum(op, 1, 0) / 8));
                yield r.error() != 0 ? Value.errno(r.error()) : Value.data(r.value());
            }
            case CLOSE -> close(op);
            case CREAT -> bindFile(op, k.creat(org.mmsim.kernel.FsType.byKey(name(op, 1)), name(op, 0), num(op, 2)));
            case MEMFD_CREATE -> bindFile(op, k.memfdCreate(name(op, 0), num(op, 1)));
            case OPEN -> {
                OpenFile f = k.open(file(op, 1), flags(op, 2) != 0);
                if (f == null) {
                    objects.put(name(op, 0), BAD_FD);
                    yield Value.of(-Errno.ENOENT);
                }
                yield bindFile(op, f);
            }
            case UNLINK -> file(op, 0) == null ? Value.of(-Errno.ENOENT) : Value.of(k.unlink(file(op, 0).inode()));
            case PREAD -> {
                if (file(op, 0) == null) {
                    yield Value.errno(Errno.EBADF);
                }
                FileRead r = k.pread(file(op, 0), num(op, 1));
                yield r.ret() < 0 ? Value.errno(-r.ret()) : r.ret() == 0 ? Value.EOF : Value.data(r.value());
            }
            case PWRITE -> file(op, 0) == null ? Value.of(-Errno.EBADF)
                    : Value.of(k.pwrite(file(op, 0), num(op, 1), num(op, 2)));
            case FSYNC -> file(op, 0) == null ? Value.of(-Errno.EBADF) : Value.of(k.fsync(file(op, 0)));
            case MMAP_FILE -> file(op, 1) == null ? bindAddress(op, -Errno.EBADF)
                    : bindAddress(op, k.mmapFile(t, 0, num(op, 2), flags(op, 3), flags(op, 4), file(op, 1),
                            optNum(op, 5, 0)));
            case CLEAR_REFS -> Value.of(k.clearRefs(t, (int) num(op, 0)));
            case PAGEMAP -> Value.data(pagemapField(k.pagemap(t, addr(op, 0)),
                    op.arg(1) == null ? "entry" : name(op, 1)));
            case SETRLIMIT_MEMLOCK -> Value.of(k.setrlimitMemlock(t, num(op, 0)));
            case IO_URING_SETUP -> {
                IoRing r = k.ioUringSetup(t);
                if (r == null) {
                    objects.put(name(op, 0), BAD_FD);
                    yield Value.of(-Errno.ENOSYS);
                }
                objects.put(name(op, 0), r);
                yield Value.of(0);
            }
            case IO_URING_REGISTER_BUFFERS -> ring(op, 0) == null ? Value.of(-Errno.EBADF)
                    : Value.of(k.ioUringRegisterBuffers(ring(op, 0), addr(op, 1), num(op, 2)));
            case IO_URING_WRITE_FIXED -> ring(op, 0) == null || file(op, 1) == null ? Value.of(-Errno.EBADF)
                    : Value.of(k.ioUringWriteFixed(ring(op, 0), file(op, 1), num(op, 2), addr(op, 3), num(op, 4)));
            case IO_URING_UNREGISTER_BUFFERS -> ring(op, 0) == null ? Value.of(-Errno.EBADF)
                    : Value.of(k.ioUringUnregisterBuffers(ring(op, 0)));
            case UNPIN_USER_PAGES, UNPIN_USER_PAGES_DIRTY, PUT_PAGES -> release(op);
            case DMA_READ -> {
                GupPages g = handle(op, 0);
                int i = (int) optNum(op, 1, 0);
                yield i >= g.nr() || g.released() ? Value.errno(org.mmsim.kernel.Errno.EFAULT)
                        : Value.data(k.dmaRead(g, i, (int) (optNum(op, 2, 0) / 8)));
            }
            case DMA_WRITE -> {
                GupPages g = handle(op, 0);
                int i = (int) optNum(op, 2, 0);
                if (i >= g.nr() || g.released()) {
                    yield Value.of(-org.mmsim.kernel.Errno.EFAULT);
                }
                k.dmaWrite(g, i, (int) (optNum(op, 3, 0) / 8), num(op, 1));
                yield Value.of(0);
            }
        };
    }

    private Value bindFile(Op op, OpenFile f) {
        objects.put(name(op, 0), f);
        return Value.of(0);
    }

    private Value close(Op op) throws ScenarioException {
        Object o = objects.get(name(op, 0));
        return switch (o) {
            case Pipe p -> Value.of(k.pipeClose(p));
            case OpenFile f -> Value.of(k.close(f));
            case IoRing r -> Value.of(k.ioUringRelease(r));
            case Object o2 when o2 == BAD_FD -> Value.of(-Errno.EBADF);
            case null, default -> throw new ScenarioException(scenario.file(), op.line(), op.arg(0).col(), "'"
                    + name(op, 0) + "' does not exist yet");
        };
    }

    /** One field of a pagemap entry (fs/proc/task_mmu.c PM_* bits), or the whole entry. */
    static long pagemapField(long entry, String field) {
        return switch (field) {
            case "pfn" -> entry & ((1L << 55) - 1);
            case "soft_dirty" -> (entry >>> 55) & 1;
            case "exclusive" -> (entry >>> 56) & 1;
            case "file" -> (entry >>> 61) & 1;
            case "swapped" -> (entry >>> 62) & 1;
            case "present" -> (entry >>> 63) & 1;
            default -> entry;
        };
    }

    private Value bindAddress(Op op, long ret) {
        objects.put(name(op, 0), ret);
        return Value.of(ret);
    }

    private Value release(Op op) throws ScenarioException {
        GupPages g = handle(op, 0);
        boolean wantPin = op.kind() != OpKind.PUT_PAGES;
        if (g.pinned() != wantPin) {
            throw new ScenarioException(scenario.file(), op.line(), op.arg(0).col(), name(op, 0) + " holds "
                    + (g.pinned() ? "pins: release it with unpin_user_pages" : "references: release it with put_pages"));
        }
        return Value.of(k.release(g, op.kind() == OpKind.UNPIN_USER_PAGES_DIRTY));
    }

    private static String name(Op op, int i) {
        return ((Arg.Name) op.arg(i)).name();
    }

    private long num(Op op, int i) {
        return ((Arg.Num) op.arg(i)).value();
    }

    private long optNum(Op op, int i, long dflt) {
        return op.arg(i) == null ? dflt : num(op, i);
    }

    private int flags(Op op, int i) {
        return ((Arg.Flags) op.arg(i)).value();
    }

    private long addr(Op op, int i) throws ScenarioException {
        return resolve((Arg.Addr) op.arg(i), op.line());
    }

    private long resolve(Arg.Addr a, int line) throws ScenarioException {
        if (a.base() == null) {
            return a.offset();
        }
        Object base = objects.get(a.base());
        if (!(base instanceof Long l)) {
            throw new ScenarioException(scenario.file(), line, a.col(), "'" + a.base() + "' is not mapped yet");
        }
        return l + a.offset();
    }

    private Pipe pipe(Op op, int i) throws ScenarioException {
        Object o = objects.get(name(op, i));
        if (!(o instanceof Pipe p)) {
            throw new ScenarioException(scenario.file(), op.line(), op.arg(i).col(), "pipe '" + name(op, i)
                    + "' does not exist yet");
        }
        return p;
    }

    /**
     * What a name is bound to when the operation that should have bound it failed (open, io_uring_setup): the
     * program's fd is -1, so later uses fail with -EBADF as the kernel's would.
     */
    private static final Object BAD_FD = new Object();

    /** The open file named by argument {@code i}, or null if its open failed. */
    private OpenFile file(Op op, int i) throws ScenarioException {
        Object o = objects.get(name(op, i));
        if (o == BAD_FD) {
            return null;
        }
        if (!(o instanceof OpenFile f)) {
            throw new ScenarioException(scenario.file(), op.line(), op.arg(i).col(), "file '" + name(op, i)
                    + "' does not exist yet");
        }
        return f;
    }

    /** The io_uring named by argument {@code i}, or null if its setup failed. */
    private IoRing ring(Op op, int i) throws ScenarioException {
        Object o = objects.get(name(op, i));
        if (o == BAD_FD) {
            return null;
        }
        if (!(o instanceof IoRing r)) {
            throw new ScenarioException(scenario.file(), op.line(), op.arg(i).col(), "io_uring '" + name(op, i)
                    + "' does not exist yet (its setup failed or has not run)");
        }
        return r;
    }

    private GupPages handle(Op op, int i) throws ScenarioException {
        Object o = objects.get(name(op, i));
        if (!(o instanceof GupPages g)) {
            throw new ScenarioException(scenario.file(), op.line(), op.arg(i).col(), "'" + name(op, i)
                    + "' holds no pages yet");
        }
        return g;
    }

    // ---- condition and teardown ---------------------------------------------------------------------------

    private boolean eval(Cond c) throws ScenarioException {
        return switch (c) {
            case Cond.And a -> eval(a.left()) && eval(a.right());
            case Cond.Or o -> eval(o.left()) || eval(o.right());
            case Cond.Not n -> !eval(n.inner());
            case Cond.Cmp cmp -> value(cmp.term()).matches(cmp.literal()) == cmp.equal();
        };
    }

    private Value value(Cond.Term term) throws ScenarioException {
        if (term instanceof Cond.Reg r) {
            return registers.getOrDefault(r.actor(), Map.of()).getOrDefault(r.reg(), Value.UNSET);
        }
        Cond.Mem m = (Cond.Mem) term;
        Task t = actors.get(m.actor());
        if (t == null || t.mm() == null) {
            return Value.UNSET;
        }
        Long v = k.peek(t, resolve(m.addr(), 0));
        return v == null ? Value.signal(11) : Value.data(v);
    }

    /**
     * Release everything (io_uring rings, GUP references, pipes), exit every process, close every file and unlink
     * every named one, and check that no frame is left in use.
     */
    private void teardown() {
        path = new ArrayList<>();
        changes = new ArrayList<>();
        for (IoRing r : k.ioRings()) {
            if (!r.closed()) {
                k.ioUringRelease(r);
            }
        }
        for (GupPages g : List.copyOf(k.gupHolders())) {
            k.release(g, false);
        }
        for (Pipe p : k.pipes()) {
            if (!p.closed()) {
                k.pipeClose(p);
            }
        }
        for (Task t : k.tasks()) {
            if (t.mm() != null) {
                k.exit(t);
            }
        }
        for (OpenFile f : k.files()) {
            if (!f.closed()) {
                k.close(f);
            }
        }
        for (Inode inode : k.inodes()) {
            if (!inode.evicted()) {
                k.unlink(inode);
            }
        }
        steps.add(new Step(steps.size() + 1, "-", "teardown: release rings and GUP pages, close pipes, exit all, "
                + "close and unlink files", 0, "0", null,
                path, changes));
        for (Violation v : Invariants.checkStep(k)) {
            record(v.atStep(steps.size()));
        }
        for (Violation v : Invariants.checkAllFree(k)) {
            record(v.atStep(steps.size()));
        }
    }

    // ---- Journal ------------------------------------------------------------------------------------------

    @Override
    public void path(String function) {
        if (path.isEmpty() || !path.get(path.size() - 1).equals(function)) {
            path.add(function);
        }
    }

    @Override
    public void page(int pfn, String field, long oldValue, long newValue) {
        String o;
        String n;
        if (field.equals("flags")) {
            o = PageFlags.describe(oldValue);
            n = PageFlags.describe(newValue);
        } else if (field.startsWith("data")) {
            o = Value.of(oldValue).toString();
            n = Value.of(newValue).toString();
        } else {
            o = Long.toString(oldValue);
            n = Long.toString(newValue);
        }
        changes.add("pfn " + pfn + " " + field + ": " + o + " -> " + n);
    }

    @Override
    public void pte(int mmId, long address, long oldPte, long newPte) {
        changes.add(String.format("pte %s %#x: %s -> %s", mmName(mmId), address, Pte.describe(oldPte),
                Pte.describe(newPte)));
    }

    @Override
    public void note(String change) {
        changes.add(nameMms(change));
    }

    private String mmName(int mmId) {
        return mmNames.getOrDefault(mmId, "mm" + mmId);
    }
}
