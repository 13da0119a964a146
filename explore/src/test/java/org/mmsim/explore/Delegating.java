package org.mmsim.explore;

import java.util.List;

/** A model that forwards every call to another; tests override one method to bend or record it. */
class Delegating<S> implements Model<S> {
    private final Model<S> inner;

    Delegating(Model<S> inner) {
        this.inner = inner;
    }

    @Override
    public S initial() {
        return inner.initial();
    }

    @Override
    public S copy(S state) {
        return inner.copy(state);
    }

    @Override
    public int threads() {
        return inner.threads();
    }

    @Override
    public int enabled(S state) {
        return inner.enabled(state);
    }

    @Override
    public boolean done(S state) {
        return inner.done(state);
    }

    @Override
    public long step(S state, int thread) {
        return inner.step(state, thread);
    }

    @Override
    public long fingerprint(S state) {
        return inner.fingerprint(state);
    }

    @Override
    public List<String> violations(S state) {
        return inner.violations(state);
    }

    @Override
    public boolean holds(S state) {
        return inner.holds(state);
    }
}
