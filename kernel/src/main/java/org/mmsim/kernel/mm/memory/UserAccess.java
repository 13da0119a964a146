package org.mmsim.kernel.mm.memory;

import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.VmFault;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.uapi.Signal;

/**
 * A user load or store, with its fault. Most accesses are one step. One whose fault reaches the owner of a device
 * mapping stops where the kernel may be preempted between the owner's handler and the pte it maps
 * ({@link DeviceFault}): after {@code ->nopage}/{@code ->nopfn} returned, or where a {@code ->fault} handler sleeps.
 *
 * <pre>
 *   ENTRY:  (mmap_lock read and the pte lock free, if it will fault) the access; a fault that stops takes
 *           mmap_lock for read and keeps it, unless its handler sleeps without it    ← the point
 *   RESUME: (the pte lock, what the handler waits for, and mmap_lock read if it was dropped) the rest of the
 *           fault, then the access again; mmap_lock dropped when the access is done
 * </pre>
 *
 * A handler that sleeps with {@code mmap_lock} dropped ({@link VmFault.Resume#dropsMmapLock}) leaves the thread
 * holding nothing: another thread may unmap the VMA meanwhile, and the access, run again, faults afresh.
 */
final class UserAccess extends KernelCall<Mmu.Access> {
    private static final int ENTRY = 0;
    private static final int RESUME = 1;

    private final Mmu mmu;
    private final Memory memory;
    private final Mm mm;
    /** The CPU the access runs on: the task's pid. */
    private final int cpu;
    private final long addr;
    private final boolean write;
    private final long value;
    private FaultPause pause;
    /** Whether this access holds {@code mmap_lock} for read across its stop. */
    private boolean holdsMmapLock;

    UserAccess(Mmu mmu, Memory memory, Mm mm, int cpu, long addr, boolean write, long value) {
        super(mmu.tracer(), mmu.core().footprint(), write ? "store" : "load");
        this.mmu = mmu;
        this.memory = memory;
        this.mm = mm;
        this.cpu = cpu;
        this.addr = addr;
        this.write = write;
        this.value = value;
        touchesOnlyItsMm();
    }

    @Override
    public Acquire blockedOn() {
        if (pc == ENTRY) {
            return mmu.accessWait(mm, cpu, addr, write);
        }
        VmFault.Resume r = pause.resume();
        return Acquire.first(r == null ? null : r.blockedOn(),
                Acquire.first(holdsMmapLock ? null : mm.mmapLock().read(), mm.ptl().acquire()));
    }

    @Override
    protected void advance() {
        if (pc == RESUME) {
            int ret = memory.finishPause(pause);
            pause = null;
            if ((ret & DeviceFault.VM_FAULT_PAUSED) != 0) {
                stopAt(memory.takePause());
                return;
            }
            if ((ret & VmFault.VM_FAULT_ERROR) != 0) {
                done(new Mmu.Access(0, (ret & VmFault.VM_FAULT_SIGSEGV) != 0 ? Signal.SIGSEGV : Signal.SIGBUS));
                return;
            }
        }
        memory.pausable(true);
        Mmu.Access a;
        try {
            a = write ? mmu.store(mm, cpu, addr, value) : mmu.load(mm, cpu, addr);
        } finally {
            memory.pausable(false);
        }
        FaultPause p = memory.takePause();
        if (p != null) {
            stopAt(p);
            return;
        }
        done(a);
    }

    private void stopAt(FaultPause p) {
        boolean drop = p.resume() != null && p.resume().dropsMmapLock();
        if (drop && holdsMmapLock) {
            mm.mmapReadUnlock();
        } else if (!drop && !holdsMmapLock) {
            mm.mmapReadLock();
        }
        holdsMmapLock = !drop;
        pause = p;
        at(RESUME, "%s%s", p, drop ? ", mmap_lock dropped" : "");
    }

    private void done(Mmu.Access a) {
        if (holdsMmapLock) {
            mm.mmapReadUnlock();
            holdsMmapLock = false;
        }
        finish(0, a);
    }

    @Override
    protected void locals(StateHasher h) {
        h.add(cpu).add(addr).add(write).add(value).add(pause != null).add(holdsMmapLock);
        if (pause != null) {
            pause.hashInto(h);
        }
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private UserAccess(UserAccess o, Copier c) {
        super(o, c);
        this.mmu = c.copy(o.mmu);
        this.memory = c.copy(o.memory);
        this.mm = c.copy(o.mm);
        this.cpu = o.cpu;
        this.addr = o.addr;
        this.write = o.write;
        this.value = o.value;
        this.pause = c.copy(o.pause);
        this.holdsMmapLock = o.holdsMmapLock;
    }

    @Override
    public UserAccess copy(Copier c) {
        return new UserAccess(this, c);
    }
}
