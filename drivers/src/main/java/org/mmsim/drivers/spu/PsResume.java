package org.mmsim.drivers.spu;

import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.locking.WaitEvent;
import org.mmsim.kernel.mm.VmFault;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;

/**
 * {@code spufs_ps_fault} asleep, in one of its two sleeps:
 * <ul>
 *   <li>in {@code spu_acquire} (a context switch holds the state mutex), with {@code mmap_lock} held: it wakes when
 *       the mutex is free, takes it, and inserts the SPU's problem-state PFN if the context is loaded, or goes on to
 *       the other sleep;</li>
 *   <li>in {@code spufs_wait(ctx->run_wq, ctx->state == SPU_STATE_RUNNABLE)} (the context is saved), with
 *       {@code mmap_lock} dropped ("we don't want to wait with the mmap_lock held"): it wakes when the context is
 *       loaded, takes {@code mmap_lock} again and returns {@code VM_FAULT_NOPAGE} without mapping anything, "because
 *       the mappings may have changed": the access faults again, and finds the VMA gone if another thread unmapped
 *       it meanwhile.</li>
 * </ul>
 */
final class PsResume implements VmFault.Resume {
    private final SpuDriver driver;
    private final SpuContext ctx;
    /** Whether this is the {@code spufs_wait} sleep, {@code mmap_lock} dropped. */
    private final boolean waiting;

    PsResume(SpuDriver driver, SpuContext ctx, boolean waiting) {
        this.driver = driver;
        this.ctx = ctx;
        this.waiting = waiting;
    }

    @Override
    public Acquire blockedOn() {
        if (!waiting) {
            return ctx.stateMutex.acquire().blocked();
        }
        Acquire run = new WaitEvent("spu run_wq", ctx.id,
                () -> ctx.dead || ctx.loaded() && ctx.stateMutex.acquire().available());
        return run.blocked();
    }

    @Override
    public boolean dropsMmapLock() {
        return waiting;
    }

    @Override
    public int resume(VmFault vmf) {
        if (ctx.dead) {
            return VmFault.VM_FAULT_SIGBUS;
        }
        if (waiting) {
            driver.kernel().tracePath("spufs_ps_fault: woken, mmap_read_lock, refault");
            return VmFault.VM_FAULT_NOPAGE;
        }
        return driver.psFault(vmf, ctx);
    }

    @Override
    public void hashInto(StateHasher h) {
        h.add("spu_ps_fault").add(ctx.id).add(waiting);
    }

    @Override
    public PsResume copy(Copier c) {
        return new PsResume(c.copy(driver), c.copy(ctx), waiting);
    }
}
