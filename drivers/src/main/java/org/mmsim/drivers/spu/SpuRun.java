package org.mmsim.drivers.spu;

import org.mmsim.kernel.api.DriverCall;
import org.mmsim.kernel.api.Exports;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code spu_run} of a context on a physical SPU: the scheduler's context switch ({@code spu_schedule} →
 * {@code spu_unbind_context} of the context there, {@code spu_bind_context} of this one; sched.c, switch.c), cut
 * where it may be preempted:
 * <ol>
 *   <li>ENTRY: {@code spu_acquire} of this context's {@code state_mutex} and of the outgoing context's (this step
 *       waits for both). Already loaded on this SPU: release, 0.</li>
 *   <li>UNMAP_OUT: {@code spu_unmap_mappings(out)}: {@code unmap_mapping_range(ctx->local_store, 0, 0, 1)} of the
 *       outgoing context's {@code address_space}, stepped: a point after every VMA and pte of every process.</li>
 *   <li>SAVE: {@code spu_save}: copy the physical local store into the outgoing context's image; it is SAVED.</li>
 *   <li>UNMAP_IN: {@code spu_unmap_mappings(ctx)}: this context's ptes, which map its image, go.</li>
 *   <li>LOAD: {@code spu_restore}: copy the image into the physical local store, write the context's id into the
 *       SPU's problem-state page; LOADED on this SPU; release both mutexes. 0.</li>
 * </ol>
 * A context's state and the place its contents live change together, in the SAVE and LOAD steps. Under
 * {@code driver_fault=nopage} (2.6.19) the whole switch is one step: {@code ->nopage} cannot wait for the state mutex
 * in the model, and a fault that waits for it sees the switch whole, which is what one step gives. -EINVAL for a dead
 * context, -EBUSY if it is loaded on another SPU.
 */
final class SpuRun extends DriverCall {
    private static final int ENTRY = 0;
    private static final int UNMAP_OUT = 1;
    private static final int SAVE = 2;
    private static final int UNMAP_IN = 3;
    private static final int LOAD = 4;

    private final SpuDriver driver;
    private final SpuContext ctx;
    private final int spu;
    /** One step for the whole switch (the nopage era). */
    private final boolean atomic;
    /** The context switched out, once chosen at ENTRY, or null (the SPU was free). */
    private SpuContext out;
    /** The {@code unmap_mapping_range} in progress, or null. */
    private KernelCall<Void> inner;

    SpuRun(SpuDriver driver, SpuContext ctx, int spu) {
        super(driver.kernel(), "spu_run");
        this.driver = driver;
        this.ctx = ctx;
        this.spu = spu;
        this.atomic = driver.nopageEra();
    }

    @Override
    public Acquire blockedOn() {
        return switch (point0()) {
            case ENTRY -> {
                SpuContext there = driver.byId(driver.spus().occupant[spu]);
                yield Acquire.first(ctx.stateMutex.acquire(),
                        there == null || there == ctx ? null : there.stateMutex.acquire());
            }
            case UNMAP_OUT, UNMAP_IN -> inner == null ? null : inner.blockedOn();
            default -> null;
        };
    }

    @Override
    protected void advance() {
        int next = phase(point0());
        while (atomic && next >= 0) {
            next = phase(next);
        }
        if (next >= 0) {
            stopAt(next, pointName(next));
        }
    }

    private static String pointName(int p) {
        return switch (p) {
            case UNMAP_OUT -> "state mutexes held; spu_unmap_mappings of the outgoing context";
            case SAVE -> "outgoing context unmapped; save its local store";
            case UNMAP_IN -> "spu_unmap_mappings of the incoming context";
            default -> "incoming context unmapped; restore its local store";
        };
    }

    /** Run phase {@code p}; the next phase, or -1 when the call returned. */
    private int phase(int p) {
        Exports k = driver.kernel();
        SpuDriver.Spus spus = driver.spus();
        switch (p) {
            case ENTRY -> {
                k.tracePath("spu_run");
                if (ctx.dead) {
                    returns(-Errno.EINVAL);
                    return -1;
                }
                ctx.stateMutex.lock();
                if (ctx.loaded()) {
                    ctx.stateMutex.unlock();
                    returns(ctx.spu == spu ? 0 : -Errno.EBUSY);
                    return -1;
                }
                out = driver.byId(spus.occupant[spu]);
                if (out == null) {
                    return UNMAP_IN;
                }
                out.stateMutex.lock();
                return UNMAP_OUT;
            }
            case UNMAP_OUT, UNMAP_IN -> {
                SpuContext whose = p == UNMAP_OUT ? out : ctx;
                if (inner == null) {
                    k.tracePath("spu_unmap_mappings");
                    inner = k.unmapMappingRange(whose.mapping, 0, 0, true);
                }
                if (atomic) {
                    inner.run();
                } else {
                    inner.step();
                }
                if (!inner.done()) {
                    return p;
                }
                inner = null;
                return p == UNMAP_OUT ? SAVE : LOAD;
            }
            case SAVE -> {
                k.tracePath("spu_save");
                for (int page = 0; page < SpuDriver.LS_PAGES; page++) {
                    for (int w = 0; w < Page.PAGE_WORDS; w++) {
                        k.deviceWrite(out.backing + page, w, k.deviceRead(driver.physLs(spu, page), w));
                    }
                }
                out.state = SpuContext.SAVED;
                out.spu = -1;
                spus.occupant[spu] = 0;
                return UNMAP_IN;
            }
            default -> {
                k.tracePath("spu_restore");
                for (int page = 0; page < SpuDriver.LS_PAGES; page++) {
                    for (int w = 0; w < Page.PAGE_WORDS; w++) {
                        k.deviceWrite(driver.physLs(spu, page), w, k.deviceRead(ctx.backing + page, w));
                    }
                }
                k.deviceWrite(spus.ps + spu, 0, ctx.id);
                ctx.state = SpuContext.LOADED;
                ctx.spu = spu;
                spus.occupant[spu] = ctx.id;
                if (out != null) {
                    out.stateMutex.unlock();
                }
                ctx.stateMutex.unlock();
                returns(0);
                return -1;
            }
        }
    }

    @Override
    protected void locals(StateHasher h) {
        h.add(ctx.id).add(spu).add(out == null ? 0 : out.id).add(inner == null ? 0 : inner.fingerprint());
    }

    private SpuRun(SpuRun o, Copier c) {
        super(o, c);
        this.driver = c.copy(o.driver);
        this.ctx = c.copy(o.ctx);
        this.spu = o.spu;
        this.atomic = o.atomic;
        this.out = c.copy(o.out);
        this.inner = c.copy(o.inner);
    }

    @Override
    public SpuRun copy(Copier c) {
        return new SpuRun(this, c);
    }
}
