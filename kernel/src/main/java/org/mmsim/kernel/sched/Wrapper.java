package org.mmsim.kernel.sched;

import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.Footprint;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.trace.Tracer;

/**
 * A system call that is another kernel call with its own entry and return: {@code mem_rw} around
 * {@code access_remote_vm}, {@code ptrace(PTRACE_POKEDATA)} around the same, each turning the inner call's result
 * into what user space sees. It stops where the inner call stops.
 *
 * @param <R> what the outer call makes
 * @param <S> what the inner call makes
 */
public final class Wrapper<R, S> extends KernelCall<R> {
    private static final int INNER = 1;

    private final KernelCall<S> inner;
    private final ToLongFunction<KernelCall<S>> ret;
    private final Function<KernelCall<S>, R> made;

    /**
     * {@code name} runs {@code inner} and returns {@code ret} of the finished inner call, having made {@code made}
     * of it.
     */
    public Wrapper(Tracer trace, Footprint footprint, String name, KernelCall<S> inner,
            ToLongFunction<KernelCall<S>> ret, Function<KernelCall<S>, R> made) {
        super(trace, footprint, name);
        this.inner = inner;
        this.ret = ret;
        this.made = made;
    }

    @Override
    public Acquire blockedOn() {
        return inner.blockedOn();
    }

    @Override
    protected void advance() {
        if (pc == 0) {
            trace.path(name());
        }
        inner.advance();
        if (!inner.done()) {
            at(INNER, "%s", new SubPoint(inner));
            return;
        }
        finish(ret.applyAsLong(inner), made.apply(inner));
    }

    @Override
    protected void locals(StateHasher h) {
        h.add(inner.fingerprint());
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    /** The inner call is copied; {@code ret} and {@code made} capture nothing (see {@code ProcMem}) and are shared. */
    private Wrapper(Wrapper<R, S> o, Copier c) {
        super(o, c);
        this.inner = c.copy(o.inner);
        this.ret = o.ret;
        this.made = o.made;
    }

    @Override
    public Wrapper<R, S> copy(Copier c) {
        return new Wrapper<>(this, c);
    }
}
