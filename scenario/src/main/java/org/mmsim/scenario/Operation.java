package org.mmsim.scenario;

import java.util.List;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.task.Task;

/**
 * One operation of the scenario language, declared once: its keyword, argument signature, one line of documentation
 * (the source of docs/scenario-language.md's table), what kind of name its {@code NEW} argument binds, and how it
 * runs: the kernel call it starts (asked for the locks it waits for before it runs, then stepped), what follows when
 * a call ends (most operations are one call; opening a device, mapping it and closing it are three), and the value it
 * returns, binding names as it does.
 *
 * <p>Argument kinds: NEW binds a name; PIPE, HANDLE, FILE, RING, MR, DEV refer to a bound pipe, GUP handle, open
 * file, io_uring, RDMA memory region or HMM mirror; MODE is an MR's mode (pinned, odp, odp_noretry); FD to a pipe,
 * file or ring; PROC to a process or thread; ADDR is NAME[+OFFSET] or a number; LEN is bytes with an optional K/M/G
 * suffix; N and VALUE are numbers; OFF is a byte offset in a page (0 or 8); FOFF is a byte offset in a file or an
 * MR (its offset within a page 0 or 8); FS is tmpfs or ext4; FIELD a pagemap field; PROT, MAP, MADV,
 * FOLL, O, MS, MREMAP, MLOCK and MCL are flag sets. Optional arguments are in brackets.
 */
public final class Operation {
    /** The first kernel call of the operation, not yet run (it must have no effect until it is stepped). */
    @FunctionalInterface
    interface Start {
        KernelCall<?> begin(Bindings b, Task t, Op op) throws ScenarioException;
    }

    /**
     * What the operation's first call would wait for before it runs ({@link KernelCall#blockedOn}), answered without
     * making the call: for an operation whose threads the scheduler asks about at every explored state, which would
     * otherwise make the call to ask it.
     */
    @FunctionalInterface
    interface Wait {
        Acquire blockedOn(Bindings b, Task t, Op op) throws ScenarioException;
    }

    /** The call that follows when {@code calls}' last one returned, or null: the operation is done. */
    @FunctionalInterface
    interface Next {
        KernelCall<?> next(Bindings b, Task t, Op op, List<KernelCall<?>> calls) throws ScenarioException;
    }

    /** The operation's value once its last call returned; binds the names the operation binds. */
    @FunctionalInterface
    interface Result {
        Value value(Bindings b, Task t, Op op, List<KernelCall<?>> calls) throws ScenarioException;
    }

    private static final Next ONE_CALL = (b, t, op, calls) -> null;
    private static final Result RET = (b, t, op, calls) -> Value.of(calls.get(calls.size() - 1).ret());

    private final String keyword;
    private final List<String> signature;
    private final String doc;
    private final String binds;
    private final Start start;
    private final Next next;
    private final Result result;
    /** What the first call would wait for, answered without it; null: the call is made to ask it. */
    private final Wait wait;

    private Operation(String keyword, String signature, String doc, String binds, Start start, Next next,
            Result result, Wait wait) {
        this.keyword = keyword;
        this.signature = signature.isEmpty() ? List.of() : List.of(signature.split(" "));
        this.doc = doc;
        this.binds = binds;
        this.start = start;
        this.next = next;
        this.result = result;
        this.wait = wait;
    }

    /** An operation that is one kernel call and returns its return value. */
    static Operation of(String keyword, String signature, String doc, Start start) {
        return new Operation(keyword, signature, doc, null, start, ONE_CALL, RET, null);
    }

    /** This operation, returning {@code r} instead. */
    Operation returning(Result r) {
        return new Operation(keyword, String.join(" ", signature), doc, binds, start, next, r, wait);
    }

    /** This operation, whose NEW argument binds a name of kind {@code kind} (address, pipe, file, ring, handle). */
    Operation binding(String kind) {
        return new Operation(keyword, String.join(" ", signature), doc, kind, start, next, result, wait);
    }

    /** This operation, going on with {@code n} after each call. */
    Operation then(Next n) {
        return new Operation(keyword, String.join(" ", signature), doc, binds, start, n, result, wait);
    }

    /**
     * This operation, whose first call answers what it waits for as {@code w} does without the call: {@code w} must
     * give what {@code begin(b, t, op).blockedOn()} would.
     */
    Operation waiting(Wait w) {
        return new Operation(keyword, String.join(" ", signature), doc, binds, start, next, result, w);
    }

    /** The name used in scenarios, e.g. {@code pin_user_pages_fast}. */
    public String keyword() {
        return keyword;
    }

    /** Argument kinds; optional ones are written in brackets, e.g. {@code [OFF]}. */
    public List<String> signature() {
        return signature;
    }

    public String usage() {
        return (keyword + " " + String.join(" ", signature)).trim();
    }

    public String doc() {
        return doc;
    }

    /** What the NEW argument names: a process (fork), an address, pipe, file, ring or handle; null if none. */
    String binds() {
        return binds;
    }

    int minArgs() {
        return (int) signature.stream().filter(s -> !s.startsWith("[")).count();
    }

    KernelCall<?> begin(Bindings b, Task t, Op op) throws ScenarioException {
        return start.begin(b, t, op);
    }

    /** Whether {@link #blockedOn} needs the first call made to answer (the operation declared no {@link Wait}). */
    boolean waitsAsked() {
        return wait == null;
    }

    /** What the first call would wait for before it runs, answered without making it (see {@link #waiting}). */
    Acquire blockedOn(Bindings b, Task t, Op op) throws ScenarioException {
        return wait.blockedOn(b, t, op);
    }

    KernelCall<?> next(Bindings b, Task t, Op op, List<KernelCall<?>> calls) throws ScenarioException {
        return next.next(b, t, op, calls);
    }

    Value result(Bindings b, Task t, Op op, List<KernelCall<?>> calls) throws ScenarioException {
        return result.value(b, t, op, calls);
    }

    @Override
    public String toString() {
        return keyword;
    }
}
