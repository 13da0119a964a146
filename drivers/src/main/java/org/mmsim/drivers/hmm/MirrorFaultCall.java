package org.mmsim.drivers.hmm;

import org.mmsim.kernel.api.DriverCall;
import org.mmsim.kernel.api.Exports;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.hmm.HmmRange;
import org.mmsim.kernel.mm.notifier.MmuIntervalNotifier;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.uapi.Errno;

/**
 * A device access to one word of a process's memory through the device's own page table, faulting the page in with
 * the documented HMM driver loop when the device has no valid entry (kernel-mm.md §5.5; Documentation/mm/hmm.rst;
 * {@code ib_umem_odp_map_dma_and_lock}/{@code pagefault_real_mr} in drivers/infiniband, {@code dmirror_range_fault} in
 * lib/test_hmm.c):
 *
 * <pre>
 *   ENTRY       under the driver lock: a valid device entry for the page? access through it and return
 *   READ_BEGIN  range.notifier_seq = mmu_interval_read_begin(mni)        (sleeps while mni is being invalidated)
 *   FAULT       mmap_read_lock; ret = hmm_range_fault(&amp;range); mmap_read_unlock   (a write fault first waits
 *               for what -&gt;page_mkwrite would sleep on: the page lock, or writeback on a stable-pages disk)
 *               -EBUSY: back to READ_BEGIN; another error: return it
 *   LOCKED      lock(driver); mmu_interval_read_retry(mni, seq)? unlock, back to READ_BEGIN
 *               program the device entry from range.hmm_pfns[0]; access through it; unlock
 * </pre>
 *
 * Each step is one preemption point: another thread may munmap, fork, COW or migrate between them, and the
 * notifier's {@code ->invalidate} then zaps the device entry and moves the sequence. The driver lock is held only
 * within a step, so it is never contended. {@link #checksRetry} false is a deliberately broken driver that
 * programs whatever snapshot it got, stale or not.
 */
public abstract class MirrorFaultCall extends DriverCall {
    private static final int READ_BEGIN = 1;
    private static final int FAULT = 2;
    private static final int LOCKED = 3;

    protected final Exports kernel;
    /** The user address of the word. */
    protected final long addr;
    protected final boolean write;
    /** The word a write stores. */
    protected final long value;
    /** {@code range.notifier_seq}. */
    private long seq;
    /** {@code range.hmm_pfns[0]} after a successful {@code hmm_range_fault}. */
    private long snapshot;

    protected MirrorFaultCall(Exports kernel, String name, long addr, boolean write, long value) {
        super(kernel, name);
        this.kernel = kernel;
        this.addr = addr;
        this.write = write;
        this.value = value;
    }

    /** The notifier the device follows the mm with, or null once it is gone (the call then fails). */
    protected abstract MmuIntervalNotifier notifier();

    /**
     * At entry: check the request; call {@link #returns} and answer false to end the call (an error), else true.
     */
    protected abstract boolean enter();

    /**
     * Under the driver lock: if the device holds a valid entry for the page (writable, for a write), access the word
     * through it ({@code Exports#secondaryRead}/{@code secondaryWrite}), {@link #returns} the result and answer true.
     */
    protected abstract boolean access();

    /** Under the driver lock: program the device's entry for the page from {@code entry} (VALID, WRITE, PFN). */
    protected abstract void program(long entry);

    /**
     * Whether the device fault asks {@code hmm_range_fault} for a writable page ({@code HMM_PFN_REQ_WRITE}): for a
     * write, and for any access a driver faults in for writing (mlx5 does for a writable MR).
     */
    protected boolean faultForWrite() {
        return write;
    }

    /** Whether the driver checks {@code mmu_interval_read_retry} before programming (a correct driver does). */
    protected boolean checksRetry() {
        return true;
    }

    /** What the entry step waits for, or null. */
    protected Acquire entryBlockedOn() {
        return null;
    }

    protected final long page() {
        return addr & ~(Page.PAGE_SIZE - 1);
    }

    @Override
    public Acquire blockedOn() {
        MmuIntervalNotifier mni = point0() == 0 ? null : notifier();
        return switch (point0()) {
            case 0 -> entryBlockedOn();
            case READ_BEGIN -> mni == null ? null : kernel.mmuIntervalReadBeginWait(mni);
            case FAULT -> mni == null ? null : Acquire.first(kernel.mmapReadAcquire(mni.mm()),
                    kernel.hmmFaultWait(mni.mm(), page(), faultForWrite()));
            default -> null;
        };
    }

    @Override
    protected void advance() {
        if (point0() != 0 && notifier() == null) {
            returns(-Errno.EFAULT);
            return;
        }
        switch (point0()) {
            case 0 -> {
                if (!enter() || access()) {
                    return;
                }
                stopAt(READ_BEGIN, "device page fault at %#x", addr);
            }
            case READ_BEGIN -> {
                seq = kernel.mmuIntervalReadBegin(notifier());
                stopAt(FAULT, "mmu_interval_read_begin: seq %d", seq);
            }
            case FAULT -> {
                MmuIntervalNotifier mni = notifier();
                kernel.mmapReadLock(mni.mm());
                HmmRange range = new HmmRange(mni, page(), page() + Page.PAGE_SIZE,
                        HmmRange.REQ_FAULT | (faultForWrite() ? HmmRange.REQ_WRITE : 0));
                range.setNotifierSeq(seq);
                int r = kernel.hmmRangeFault(range);
                kernel.mmapReadUnlock(mni.mm());
                if (r == -Errno.EBUSY) {
                    stopAt(READ_BEGIN, "hmm_range_fault: -EBUSY, again");
                    return;
                }
                if (r < 0) {
                    returns(r);
                    return;
                }
                snapshot = range.pfn(0);
                stopAt(LOCKED, "hmm_range_fault: pfn %d", snapshot & HmmRange.PFN_MASK);
            }
            case LOCKED -> {
                if (checksRetry() && kernel.mmuIntervalReadRetry(notifier(), seq)) {
                    stopAt(READ_BEGIN, "mmu_interval_read_retry: invalidated, again");
                    return;
                }
                program(snapshot);
                if (!access()) {
                    returns(-Errno.EFAULT);
                }
            }
            default -> throw new IllegalStateException("point " + point0());
        }
    }

    @Override
    protected void locals(StateHasher h) {
        h.add(addr).add(write).add(value).add(seq).add(snapshot);
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    protected MirrorFaultCall(MirrorFaultCall o, Copier c) {
        super(o, c);
        this.kernel = c.copy(o.kernel);
        this.addr = o.addr;
        this.write = o.write;
        this.value = o.value;
        this.seq = o.seq;
        this.snapshot = o.snapshot;
    }
}
