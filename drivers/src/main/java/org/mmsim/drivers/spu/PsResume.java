package org.mmsim.drivers.spu;

import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.locking.WaitEvent;
import org.mmsim.kernel.mm.VmFault;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;

/**
 * {@code spufs_ps_fault} asleep: in {@code spu_acquire} (a switch holds the state mutex), or in
 * {@code spufs_wait(ctx->run_wq, ctx->state == SPU_STATE_RUNNABLE)} with {@code mmap_lock} dropped (the context is
 * saved). It wakes when the context is loaded and its mutex free, then inserts the SPU's problem-state PFN (or sleeps
 * again, if the context was switched out meanwhile).
 */
final class PsResume implements VmFault.Resume {
    private final SpuDriver driver;
    private final SpuContext ctx;

    PsResume(SpuDriver driver, SpuContext ctx) {
        this.driver = driver;
        this.ctx = ctx;
    }

    @Override
    public Acquire blockedOn() {
        Acquire run = new WaitEvent("spu run_wq", ctx.id,
                () -> ctx.dead || ctx.loaded() && ctx.stateMutex.acquire().available());
        return run.blocked();
    }

    @Override
    public int resume(VmFault vmf) {
        if (ctx.dead) {
            return VmFault.VM_FAULT_SIGBUS;
        }
        return driver.psFault(vmf, ctx);
    }

    @Override
    public void hashInto(StateHasher h) {
        h.add("spu_ps_fault").add(ctx.id);
    }

    @Override
    public PsResume copy(Copier c) {
        return new PsResume(c.copy(driver), c.copy(ctx));
    }
}
