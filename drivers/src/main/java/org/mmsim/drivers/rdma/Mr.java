package org.mmsim.drivers.rdma;

import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.hmm.HmmRange;
import org.mmsim.kernel.mm.notifier.MmuIntervalNotifier;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.state.StateHasher;

/**
 * {@code struct ib_mr} with its {@code struct ib_umem}: a registered memory region [addr, addr+len) of the mm that
 * registered it ({@code umem->owning_mm}). A pinned MR holds the pages GUP pinned ({@code ib_umem_get}) and the pages
 * charged to RLIMIT_MEMLOCK; an on-demand-paging MR ({@code ib_umem_odp}) holds an interval notifier over its range
 * and the device page table ({@code umem_odp->dma_list}, here an HMM entry per page: PFN | VALID | WRITE, 0 when
 * invalid), which starts empty and is filled by device page faults.
 */
final class Mr extends StateObject {
    /** {@code ib_umem_get}: long-term pins. */
    static final int PINNED = 0;
    /** {@code ib_umem_odp_get}: an interval notifier and device page faults. */
    static final int ODP = 1;
    /** ODP with a driver that skips {@code mmu_interval_read_retry}: deliberately broken. */
    static final int ODP_NORETRY = 2;

    final int id;
    final Mm mm;
    final long addr;
    final long len;
    final int mode;
    final int access;
    /** Pinned: the pages (null for ODP). */
    GupPages pages;
    /** Pinned: the pages charged to {@code user->locked_vm} and {@code mm->pinned_vm}. */
    long accounted;
    /** ODP: the interval notifier (null for pinned, and once removed). */
    MmuIntervalNotifier mni;
    /** ODP: the device page table, one HMM entry per page of the MR. */
    final long[] dev;
    /** Deregistered: the MR is gone. */
    boolean dead;

    Mr(int id, Mm mm, long addr, long len, int mode, int access) {
        this.id = id;
        this.mm = mm;
        this.addr = addr;
        this.len = len;
        this.mode = mode;
        this.access = access;
        this.dev = new long[mode == PINNED ? 0 : nrPages(addr, len)];
    }

    static int nrPages(long addr, long len) {
        return (int) (((addr + len - 1) >>> Page.PAGE_SHIFT) - (addr >>> Page.PAGE_SHIFT) + 1);
    }

    /** The first page of the MR. */
    long start() {
        return addr & ~(Page.PAGE_SIZE - 1);
    }

    boolean odp() {
        return mode != PINNED;
    }

    boolean writable() {
        return (access & RdmaDriver.IB_ACCESS_LOCAL_WRITE) != 0 || (access & RdmaDriver.IB_ACCESS_REMOTE_WRITE) != 0;
    }

    boolean valid(int i) {
        return (dev[i] & HmmRange.VALID) != 0;
    }

    void hashInto(StateHasher h) {
        h.add(id).add(mm.id()).add(addr).add(len).add(mode).add(access).add(pages == null ? 0 : pages.id())
                .add(accounted).add(mni == null ? 0 : mni.id()).add(dead).add(dev.length);
        for (long e : dev) {
            h.add(e);
        }
    }

    private Mr(Mr o, Copier c) {
        c.pair(o, this);
        this.id = o.id;
        this.mm = c.copy(o.mm);
        this.addr = o.addr;
        this.len = o.len;
        this.mode = o.mode;
        this.access = o.access;
        this.pages = c.copy(o.pages);
        this.accounted = o.accounted;
        this.mni = c.copy(o.mni);
        this.dev = o.dev.clone();
        this.dead = o.dead;
    }

    @Override
    public Mr copy(Copier c) {
        return new Mr(this, c);
    }
}
