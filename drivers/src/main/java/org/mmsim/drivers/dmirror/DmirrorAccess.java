package org.mmsim.drivers.dmirror;

import org.mmsim.drivers.dmirror.DmirrorDriver.Dmirror;
import org.mmsim.drivers.hmm.MirrorFaultCall;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.hmm.HmmRange;
import org.mmsim.kernel.mm.notifier.MmuIntervalNotifier;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.pgtable.PageTable;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code HMM_DMIRROR_READ}/{@code HMM_DMIRROR_WRITE} of one word: {@code dmirror_read}/{@code dmirror_write}, which
 * try {@code dmirror_do_read}/{@code dmirror_do_write} under the mutex and call {@code dmirror_fault} on -ENOENT.
 *
 * @return the word read, or 0 for a write; -EINVAL (npages other than 1, an address outside the modelled words of
 *     a page, or the mm is gone), -EFAULT (no VMA or a VM_IO/VM_PFNMAP one: {@code hmm_range_fault}), -EPERM (a
 *     write to a VMA without VM_WRITE)
 */
final class DmirrorAccess extends MirrorFaultCall {
    private final DmirrorDriver driver;
    private final Dmirror d;
    private final Mm current;
    private final long err;

    DmirrorAccess(DmirrorDriver driver, Dmirror d, Mm current, long addr, boolean write, long value, long err) {
        super(driver.kernel, write ? "dmirror_write" : "dmirror_read", addr, write, value);
        this.driver = driver;
        this.d = d;
        this.current = current;
        this.err = err;
    }

    private int word() {
        return (int) ((addr & (Page.PAGE_SIZE - 1)) >>> 3);
    }

    @Override
    protected Acquire entryBlockedOn() {
        return d.mm == null && err == 0 && !d.released ? kernel.mmuIntervalNotifierInsertAcquire(current) : null;
    }

    @Override
    protected MmuIntervalNotifier notifier() {
        return d.released ? null : d.mni;
    }

    @Override
    protected boolean enter() {
        if (err != 0 || d.released) {
            returns(err != 0 ? err : -Errno.EBADF);
            return false;
        }
        if (d.mm == null) {
            driver.bind(d, current);
        }
        if (addr < 0 || addr >= PageTable.TASK_SIZE || (addr & 7) != 0 || word() >= Page.PAGE_WORDS
                || d.mm.dead()) {
            returns(-Errno.EINVAL);
            return false;
        }
        return true;
    }

    @Override
    protected boolean access() {
        Long e = d.pt.get(page());
        if (e == null || (write && (e & HmmRange.WRITE) == 0)) {
            return false;
        }
        int pfn = (int) (e & HmmRange.PFN_MASK);
        if (write) {
            kernel.secondaryWrite(driver.view, d.mm, addr, pfn, word(), value, null);
            returns(0);
        } else {
            returns(kernel.secondaryRead(driver.view, d.mm, addr, pfn, word(), null));
        }
        return true;
    }

    /** {@code dmirror_do_fault}: the entry, tagged writable if the CPU maps it writable. */
    @Override
    protected void program(long entry) {
        kernel.tracePath("dmirror_do_fault");
        d.pt.put(page(), entry & (HmmRange.VALID | HmmRange.WRITE | HmmRange.PFN_MASK));
    }

    @Override
    protected void locals(StateHasher h) {
        super.locals(h);
        h.add(d.id).add(current.id()).add(err);
    }

    private DmirrorAccess(DmirrorAccess o, Copier c) {
        super(o, c);
        this.driver = c.copy(o.driver);
        this.d = c.copy(o.d);
        this.current = c.copy(o.current);
        this.err = o.err;
    }

    @Override
    public DmirrorAccess copy(Copier c) {
        return new DmirrorAccess(this, c);
    }
}
