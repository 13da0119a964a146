package org.mmsim.drivers.spu;

import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.VmFault;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;

/**
 * {@code spufs_mem_mmap_fault} asleep in {@code spu_acquire(ctx)} ({@code mutex_lock_interruptible(&ctx->state_mutex)})
 * while a context switch holds it: the access waits for the mutex, then picks the PFN for the state the switch left
 * and inserts it, holding the mutex throughout.
 */
final class LsResume implements VmFault.Resume {
    private final SpuDriver driver;
    private final SpuContext ctx;

    LsResume(SpuDriver driver, SpuContext ctx) {
        this.driver = driver;
        this.ctx = ctx;
    }

    @Override
    public Acquire blockedOn() {
        return ctx.stateMutex.acquire().blocked();
    }

    @Override
    public int resume(VmFault vmf) {
        if (ctx.dead || SpuDriver.lsPage(vmf.vma(), vmf.address()) < 0) {
            return VmFault.VM_FAULT_SIGBUS;
        }
        if (!ctx.stateMutex.acquire().available()) {
            vmf.pause(this);
            return VmFault.VM_FAULT_NOPAGE;
        }
        return driver.lsInsert(vmf.vma(), vmf.address(), ctx);
    }

    @Override
    public void hashInto(StateHasher h) {
        h.add("spu_ls_fault").add(ctx.id);
    }

    @Override
    public LsResume copy(Copier c) {
        return new LsResume(c.copy(driver), c.copy(ctx));
    }
}
