package org.mmsim.scenario;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.syscall.FileSyscalls;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;

/**
 * What the scenario's names stand for while it runs: actors (processes and threads) by pid; addresses, file
 * descriptors, pipe ends and GUP handles by the numbers the kernel gave them, never by Java references; registers;
 * and the names traces give each mm. Operations resolve their arguments here and bind what they return.
 *
 * <p>A name whose operation failed is bound to the number the program would hold (a negative fd, an mmap's -errno),
 * so that later uses fail in the kernel as they would in a real program (-EBADF, SIGSEGV).
 */
final class Bindings {
    /** What a name stands for. */
    sealed interface Binding {}

    /** An address (or the -errno a failed mmap returned). */
    record Address(long addr) implements Binding {}

    /** A file descriptor of the process that opened it (negative: the open failed), and the file's path, if named. */
    record Fd(int fd, String path) implements Binding {}

    /** The two ends of a pipe. */
    record Pipe(int readFd, int writeFd) implements Binding {}

    /** The pages a GUP handed the GUP test device, by the kernel's id. */
    record Handle(int id) implements Binding {}

    /**
     * A registration cache of the kind MPI libraries keep ({@link RcacheOps}), user-space state: whether it watches
     * memory through ummunotify, whether it pins a new registration before watching it (Open MPI) or after (Portals4),
     * that device's fd and the address its counter page is mapped at, the counter of the last LAST event it read, its
     * entries in insertion order, and the cookie its next registration gets.
     */
    record Rcache(boolean monitored, boolean pinFirst, int umnFd, long counterAddr, long lastSeen,
                  List<RcacheEntry> entries, long nextCookie) implements Binding {
        Rcache {
            entries = List.copyOf(entries);
        }
    }

    /** One cached registration: [start, end), the fd of its RDMA MR, its ummunotify cookie. */
    record RcacheEntry(long start, long end, int mrFd, long cookie) {}

    private static final Pattern MM = Pattern.compile("\\bmm (\\d+)\\b");

    private final Kernel k;
    private final String file;
    /*
     * The maps are shared with copies until either side binds something (a run binds at its script lines and when a
     * thread sets a register, while an explorer copies a run at every step): see unshare().
     */
    private Map<String, Integer> actors;
    private Map<String, Binding> names;
    private Map<String, Map<String, Value>> registers;
    private Map<Integer, String> mmNames;
    /** Whether the maps may be shared with a copy (or its original), and so must be copied before a write. */
    private boolean shared;
    /** The {@link #hashInto} value of the maps, valid while {@link #hashed}; a write drops it. */
    private long hash;
    private boolean hashed;
    /** Bumped whenever a name or an actor is bound, so that a call made from earlier bindings is made again. */
    private int version;
    /**
     * The name {@link #resolve} and the actor {@link #taskOrNull} looked up last, with what it was bound to, until
     * anything is bound ({@link #unshare} forgets them): a thread's every step looks up its actor, and each of its
     * operations the names it takes, mostly the same ones.
     */
    private String lastName;
    private Binding lastBinding;
    private String lastActor;
    /**
     * The task {@link #lastActor} is in this machine, or null (not bound, or not looked up): a pid names the same task
     * object for the life of a machine (an exited task stays in the list), but a copy's tasks are objects of its own,
     * so the copy starts without it.
     */
    private Task lastTask;
    /**
     * What user-space libraries of the program found broken in the step just taken (the registration cache handing
     * out a registration whose memory changed), for the runner to record with the kernel's invariants; empty between
     * steps, so never copied or hashed; null until a library finds something (a run copies its bindings at every step).
     */
    private List<Violation> libraryViolations;

    Bindings(Kernel k, String file) {
        this(k, file, new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>(), new HashMap<>());
    }

    private Bindings(Kernel k, String file, Map<String, Integer> actors, Map<String, Binding> names,
            Map<String, Map<String, Value>> registers, Map<Integer, String> mmNames) {
        this.k = k;
        this.file = file;
        this.actors = actors;
        this.names = names;
        this.registers = registers;
        this.mmNames = mmNames;
    }

    Kernel kernel() {
        return k;
    }

    /** The scenario file, for errors. */
    String file() {
        return file;
    }

    Syscalls sys() {
        return k.syscalls();
    }

    FileSyscalls files() {
        return k.fileSyscalls();
    }

    // ---- actors -----------------------------------------------------------------------------------------------

    /** {@code name} is task {@code t}; its mm is called {@code name} in traces unless it already has a name. */
    void actor(String name, Task t) {
        unshare();
        version++;
        actors.put(name, t.pid());
        if (t.mm() != null) {
            mmNames.putIfAbsent(t.mm().id(), name);
        }
    }

    /** The task {@code name} is, or null if it does not exist (yet). */
    Task taskOrNull(String name) {
        if (lastTask == null || !name.equals(lastActor)) {
            Integer pid = actors.get(name);
            lastActor = name;
            lastTask = pid == null ? null : k.tasks().byPid(pid);
        }
        return lastTask;
    }

    /** The live task {@code name} is; a scenario error if it does not exist or has exited. */
    Task task(String name, int line) throws ScenarioException {
        Task t = taskOrNull(name);
        if (t == null) {
            throw new ScenarioException(file, line, 1, "'" + name + "' does not exist at this point "
                    + "(its fork failed or has not run yet)");
        }
        if (t.exited()) {
            throw new ScenarioException(file, line, 1, "'" + name + "' has already exited");
        }
        return t;
    }

    /** The name of mm {@code id} in traces: the first actor that had it, else {@code mm<id>}. */
    String mmName(int id) {
        return mmNames.getOrDefault(id, "mm" + id);
    }

    /** Every mm's trace name. */
    Map<Integer, String> mmNames() {
        return Map.copyOf(mmNames);
    }

    /** "mm 2" in kernel messages becomes "mm 2 (C)", so a reader sees the scenario's names. */
    String nameMms(String message) {
        Matcher m = MM.matcher(message);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String n = mmNames.get(Integer.parseInt(m.group(1)));
            m.appendReplacement(sb, m.group() + (n == null ? "" : " (" + n + ")"));
        }
        return m.appendTail(sb).toString();
    }

    // ---- names --------------------------------------------------------------------------------------------------

    void bind(String name, Binding b) {
        unshare();
        version++;
        names.put(name, b);
    }

    /** The registration cache argument {@code i} names. */
    Rcache rcache(Op op, int i) throws ScenarioException {
        if (!(names.get(name(op, i)) instanceof Rcache r)) {
            throw error(op, i, "registration cache '" + name(op, i) + "' does not exist yet");
        }
        return r;
    }

    /** A user-space library of the program found {@code v} (recorded at the end of the step). */
    void libraryViolation(Violation v) {
        if (libraryViolations == null) {
            libraryViolations = new ArrayList<>();
        }
        libraryViolations.add(v);
    }

    /** What libraries found since the last call. */
    List<Violation> takeLibraryViolations() {
        if (libraryViolations == null) {
            return List.of();
        }
        List<Violation> out = List.copyOf(libraryViolations);
        libraryViolations = null;
        return out;
    }

    /** How many names and actors have been bound so far. */
    int version() {
        return version;
    }

    /** A scenario error at argument {@code i} of {@code op}. */
    ScenarioException error(Op op, int i, String reason) {
        return new ScenarioException(file, op.line(), op.arg(i).col(), reason);
    }

    static String name(Op op, int i) {
        return ((Arg.Name) op.arg(i)).name();
    }

    static long num(Op op, int i) {
        return ((Arg.Num) op.arg(i)).value();
    }

    static long optNum(Op op, int i, long dflt) {
        return op.arg(i) == null ? dflt : num(op, i);
    }

    static int flags(Op op, int i) {
        return ((Arg.Flags) op.arg(i)).value();
    }

    static int optFlags(Op op, int i) {
        return op.arg(i) == null ? 0 : flags(op, i);
    }

    long addr(Op op, int i) throws ScenarioException {
        return resolve((Arg.Addr) op.arg(i), op.line());
    }

    long resolve(Arg.Addr a, int line) throws ScenarioException {
        if (a.base() == null) {
            return a.offset();
        }
        Binding bound;
        if (a.base().equals(lastName)) {
            bound = lastBinding;
        } else {
            bound = names.get(a.base());
            lastName = a.base();
            lastBinding = bound;
        }
        if (!(bound instanceof Address base)) {
            throw new ScenarioException(file, line, a.col(), "'" + a.base() + "' is not mapped yet");
        }
        return base.addr() + a.offset();
    }

    /** The fd (of a file or io_uring) argument {@code i} names. */
    int fd(Op op, int i, String kind) throws ScenarioException {
        if (!(names.get(name(op, i)) instanceof Fd f)) {
            throw error(op, i, kind + " '" + name(op, i) + "' does not exist yet");
        }
        return f.fd();
    }

    /** The path {@code open} reaches the file named by argument {@code i} by: its name, or /proc/self/fd/N. */
    String reopenPath(Op op, int i) throws ScenarioException {
        int fd = fd(op, i, "file");
        String path = namedPath(op, i);
        return path != null ? path : "/proc/self/fd/" + fd;
    }

    /** The name of the file argument {@code i} names ({@code /FS/NAME}), or null if it has none (a memfd). */
    String namedPath(Op op, int i) {
        return names.get(name(op, i)) instanceof Fd f ? f.path() : null;
    }

    /** The pipe argument {@code i} names. */
    Pipe pipe(Op op, int i) throws ScenarioException {
        if (!(names.get(name(op, i)) instanceof Pipe p)) {
            throw error(op, i, "pipe '" + name(op, i) + "' does not exist yet");
        }
        return p;
    }

    /** Whatever file-like thing argument {@code i} names: a pipe, a file or a ring. */
    Binding fileLike(Op op, int i) throws ScenarioException {
        Binding b = names.get(name(op, i));
        if (!(b instanceof Pipe) && !(b instanceof Fd)) {
            throw error(op, i, "'" + name(op, i) + "' does not exist yet");
        }
        return b;
    }

    /** The pages argument {@code i} names. */
    GupPages handle(Op op, int i) throws ScenarioException {
        if (!(names.get(name(op, i)) instanceof Handle h)) {
            throw error(op, i, "'" + name(op, i) + "' holds no pages yet");
        }
        return k.gupHolders().byId(h.id());
    }

    // ---- registers --------------------------------------------------------------------------------------------

    void setRegister(String actor, String reg, Value v) {
        unshare();
        registers.computeIfAbsent(actor, a -> new LinkedHashMap<>()).put(reg, v);
    }

    Value register(String actor, String reg) {
        return registers.getOrDefault(actor, Map.of()).getOrDefault(reg, Value.UNSET);
    }

    /** A copy of the registers, by actor. */
    Map<String, Map<String, Value>> registers() {
        Map<String, Map<String, Value>> out = new LinkedHashMap<>();
        registers.forEach((actor, regs) -> out.put(actor, new LinkedHashMap<>(regs)));
        return out;
    }

    /**
     * Names, registers and actors, each summed entry by entry so the order in which threads bound them does not
     * matter: a name by what it is bound to, a register by its value, an actor by its pid.
     */
    void hashInto(StateHasher h) {
        if (!hashed) {
            hash = hashMaps();
            hashed = true;
        }
        h.add(hash);
    }

    private long hashMaps() {
        StateHasher h = new StateHasher();
        long sum = 0;
        for (Map.Entry<String, Binding> e : names.entrySet()) {
            StateHasher n = new StateHasher().add(e.getKey());
            switch (e.getValue()) {
                case Address a -> n.add(1).add(a.addr());
                case Handle g -> n.add(2).add(g.id());
                case Fd f -> n.add(3).add(f.fd());
                case Pipe p -> n.add(4).add(p.readFd()).add(p.writeFd());
                case Rcache r -> {
                    n.add(5).add(r.monitored()).add(r.pinFirst()).add(r.umnFd()).add(r.counterAddr()).add(r.lastSeen())
                            .add(r.nextCookie()).add(r.entries().size());
                    for (RcacheEntry x : r.entries()) {
                        n.add(x.start()).add(x.end()).add(x.mrFd()).add(x.cookie());
                    }
                }
            }
            sum += n.value();
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
        for (Map.Entry<String, Integer> e : actors.entrySet()) {
            sum += new StateHasher().add(e.getKey()).add(e.getValue()).value();
        }
        return h.add(sum).value();
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    /**
     * These bindings for a copy {@code k} of the machine: names stand for numbers, so they carry over as they are. The
     * copy shares the maps until either side writes them.
     */
    Bindings copy(Kernel k) {
        Bindings c = new Bindings(k, file, actors, names, registers, mmNames);
        shared = true;
        c.shared = true;
        c.hash = hash;
        c.hashed = hashed;
        c.version = version;
        return c;
    }

    /** Before a write: the maps become this side's own if they may be shared, and the remembered hash is dropped. */
    private void unshare() {
        hashed = false;
        lastName = null;
        lastBinding = null;
        lastActor = null;
        lastTask = null;
        if (!shared) {
            return;
        }
        shared = false;
        actors = new LinkedHashMap<>(actors);
        names = new LinkedHashMap<>(names);
        registers = registers();
        mmNames = new HashMap<>(mmNames);
    }
}
