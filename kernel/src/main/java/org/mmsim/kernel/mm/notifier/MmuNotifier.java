package org.mmsim.kernel.mm.notifier;

import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateObject;

/**
 * {@code struct mmu_notifier}: one subscription of a secondary MMU to an mm, made by
 * {@link MmuNotifiers#register}. The kernel embeds it in the driver's own structure; a driver here keeps the object
 * and finds its own state by {@link #id}.
 */
@Export
public final class MmuNotifier extends StateObject {
    private final int id;
    private final Mm mm;
    private final MmuNotifierOps ops;
    /** Set once {@code ->release} has been called (exit, or unregister before exit): no callback follows. */
    boolean released;
    /** Set once unregistered. */
    boolean unregistered;

    MmuNotifier(int id, Mm mm, MmuNotifierOps ops) {
        this.id = id;
        this.mm = mm;
        this.ops = ops;
    }

    /** The subscription's number, unique in the machine, from 1. */
    @Export
    public int id() {
        return id;
    }

    /** The mm subscribed to. */
    @Export
    public Mm mm() {
        return mm;
    }

    @Export
    public MmuNotifierOps ops() {
        return ops;
    }

    /** Whether {@code ->release} has been called. */
    @Export
    public boolean released() {
        return released;
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private MmuNotifier(MmuNotifier o, Copier c) {
        c.pair(o, this);
        this.id = o.id;
        this.mm = c.copy(o.mm);
        this.ops = c.copy(o.ops);
        this.released = o.released;
        this.unregistered = o.unregistered;
    }

    @Override
    public MmuNotifier copy(Copier c) {
        return new MmuNotifier(this, c);
    }
}
