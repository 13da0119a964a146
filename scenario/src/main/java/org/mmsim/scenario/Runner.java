package org.mmsim.scenario;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mmsim.kernel.Errno;
import org.mmsim.kernel.FileRead;
import org.mmsim.kernel.GupPages;
import org.mmsim.kernel.Inode;
import org.mmsim.kernel.IoRing;
import org.mmsim.kernel.OpenFile;
import org.mmsim.kernel.Journal;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.KernelBug;
import org.mmsim.kernel.PageFlags;
import org.mmsim.kernel.Pipe;
import org.mmsim.kernel.Pte;
import org.mmsim.kernel.Task;
import org.mmsim.kernel.Violation;
import org.mmsim.kernel.check.Invariants;
import org.mmsim.kernel.profile.KernelProfile;

/**
 * Runs one execution of a scenario under one kernel profile, in program order: script lines one after another;
 * the thread blocks of a group round-robin, one operation at a time in declaration order (the deterministic
 * order used until the explorer chooses interleavings). After every step all invariants are checked. At the end
 * the condition is evaluated, then everything is torn down (GUP references released, pipes closed, processes
 * exited) and the machine must have no frame left in use.
 */
public final class Runner implements Journal {
    private final Scenario scenario;
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

    private Runner(Scenario scenario, KernelProfile profile, boolean trace) {
        this.scenario = scenario;
        this.k = Kernel.boot(profile, scenario.normalFrames(), scenario.movableFrames());
        this.trace = trace;
        if (trace) {
            k.setJournal(this);
        }
    }

    /**
     * Run {@code scenario} once under {@code profile}; with {@code trace}, each step records its kernel path and
     * changes.
     *
     * @throws ScenarioException for a scenario that is wrong at run time (an actor used after it exited, a name
     *     used by one thread before another bound it)
     */
    public static Execution run(Scenario scenario, KernelProfile profile, boolean trace) throws ScenarioException {
        return new Runner(scenario, profile, trace).execute();
    }

    private Execution execute() throws ScenarioException {
        for (String p : scenario.processes()) {
            Task t = k.spawn(p);
            actors.put(p, t);
            mmNames.put(t.mm().id(), p);
        }
        boolean oops = false;
        try {
            for (Scenario.Segment seg : scenario.program()) {
                if (seg instanceof Scenario.Script s) {
                    for (Scenario.Line l : s.lines()) {
                        step(l.actor(), l.op());
                    }
                } else {
                    group((Scenario.Group) seg);
                }
            }
        } catch (KernelBug bug) {
            oops = true;
            record(bug.violation().atStep(steps.size()));
        }
        boolean holds = !oops && eval(scenario.condition());
        if (!oops) {
            teardown();
        }
        return new Execution(List.copyOf(steps), registers, holds, List.copyOf(violations));
    }

    private void group(Scenario.Group g) throws ScenarioException {
        for (Scenario.ThreadBlock t : g.threads()) {
            if (t.process() != null) {
                actors.put(t.name(), k.cloneThread(task(t.process(), t.line()), t.name()));
            }
        }
        int[] pc = new int[g.threads().size()];
        boolean progress = true;
        while (progress) {
            progress = false;
            for (int i = 0; i < pc.length; i++) {
                Scenario.ThreadBlock t = g.threads().get(i);
                if (pc[i] < t.ops().size()) {
                    step(t.name(), t.ops().get(pc[i]++));
                    progress = true;
                }
            }
        }
    }

    private void step(String actor, Op op) throws ScenarioException {
        path = new ArrayList<>();
        changes = new ArrayList<>();
        Value v;
        try {
            v = exec(task(actor, op.line()), op);
        } catch (KernelBug bug) {
            steps.add(new Step(steps.size() + 1, actor, op.text(), op.line(), "oops", path, changes));
            throw bug;
        }
        if (op.assign() != null) {
            registers.computeIfAbsent(actor, a -> new LinkedHashMap<>()).put(op.assign(), v);
        }
        steps.add(new Step(steps.size() + 1, actor, op.text(), op.line(), v.toString(), path, changes));
        for (Violation viol : Invariants.checkStep(k)) {
            record(viol.atStep(steps.size()));
        }
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

    private Value exec(Task t, Op op) throws ScenarioException {
        return switch (op.kind()) {
            case MMAP -> bindAddress(op, k.mmap(t, op.args().size() > 4 ? addr(op, 4) : 0, num(op, 1),
                    flags(op, 2), flags(op, 3)));
            case MMAP_DEVICE -> bindAddress(op, k.mmapDevice(t, num(op, 1), flags(op, 2)));
            case MUNMAP -> Value.of(k.munmap(t, addr(op, 0), num(op, 1)));
            case MPROTECT -> Value.of(k.mprotect(t, addr(op, 0), num(op, 1), flags(op, 2)));
            case MADVISE -> Value.of(k.madvise(t, addr(op, 0), num(op, 1), flags(op, 2)));
            case FORK -> fork(t, op);
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
            case PROC_MEM_WRITE -> Value.of(k.procMemWrite(task(name(op, 0), op.line()), addr(op, 1), num(op, 2)));
            case PROC_MEM_READ -> {
                FileRead r = k.procMemRead(task(name(op, 0), op.line()), addr(op, 1));
                yield r.ret() < 0 ? Value.errno(-r.ret()) : Value.data(r.value());
            }
            case PTRACE_POKE -> Value.of(k.ptracePoke(task(name(op, 0), op.line()), addr(op, 1), num(op, 2)));
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
            case GET_USER_PAGES, GET_USER_PAGES_FAST, PIN_USER_PAGES, PIN_USER_PAGES_FAST -> gup(t, op);
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

    private Value fork(Task t, Op op) {
        mmNames.put(k.mms().size() + 1, name(op, 0));
        Task child = k.fork(t, name(op, 0));
        if (child == null) {
            return Value.of(-org.mmsim.kernel.Errno.ENOMEM);
        }
        actors.put(name(op, 0), child);
        return Value.of(child.pid());
    }

    private Value gup(Task t, Op op) throws ScenarioException {
        boolean pin = op.kind() == OpKind.PIN_USER_PAGES || op.kind() == OpKind.PIN_USER_PAGES_FAST;
        boolean fast = op.kind() == OpKind.GET_USER_PAGES_FAST || op.kind() == OpKind.PIN_USER_PAGES_FAST;
        int foll = op.args().size() > 3 ? flags(op, 3) : 0;
        GupPages g = k.gup(t, addr(op, 1), (int) num(op, 2), foll, pin, fast);
        objects.put(name(op, 0), g);
        return Value.of(g.ret());
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
                + "close and unlink files", 0, "0",
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
