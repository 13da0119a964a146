package org.mmsim.drivers.rdma;

import org.mmsim.drivers.hmm.MirrorFaultCall;
import org.mmsim.drivers.rdma.RdmaDriver.Context;
import org.mmsim.kernel.api.DriverCall;
import org.mmsim.kernel.api.Exports;
import org.mmsim.kernel.api.SecondaryMmu;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.hmm.HmmRange;
import org.mmsim.kernel.mm.notifier.MmuIntervalNotifier;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.uapi.Errno;

/**
 * The calls of {@code /dev/rdma}'s ioctls (ib_uverbs): {@code REG_MR}, {@code DEREG_MR}, the device access with its
 * ODP page-fault loop, and an ioctl that fails at once. The driver state they act on is {@link RdmaDriver}'s.
 */
final class RdmaCalls {
    private RdmaCalls() {}

    /** An ioctl that fails at once with {@code err} (a bad command or argument). */
    static final class Fail extends DriverCall {
        private final long err;

        Fail(Exports kernel, long err) {
            super(kernel, "ib_uverbs_ioctl");
            this.err = err;
        }

        @Override
        public Acquire blockedOn() {
            return null;
        }

        @Override
        protected void advance() {
            returns(err);
        }

        @Override
        protected void locals(StateHasher h) {
            h.add(err);
        }

        private Fail(Fail o, Copier c) {
            super(o, c);
            this.err = o.err;
        }

        @Override
        public Fail copy(Copier c) {
            return new Fail(this, c);
        }
    }

    /**
     * {@code IB_USER_VERBS_CMD_REG_MR}, one step: an ODP MR's first interval notifier of the mm takes
     * {@code mmap_lock} for write; a pinned MR's GUP may take it for read (the slow path of GUP-fast).
     */
    static final class RegMrCall extends DriverCall {
        private final RdmaDriver driver;
        private final Context ctx;
        private final Mm mm;
        private final long addr;
        private final long len;
        private final int mode;
        private final int access;

        RegMrCall(RdmaDriver driver, Context ctx, Mm mm, long addr, long len, int mode, int access) {
            super(driver.kernel, "ib_uverbs_reg_mr");
            this.driver = driver;
            this.ctx = ctx;
            this.mm = mm;
            this.addr = addr;
            this.len = len;
            this.mode = mode;
            this.access = access;
        }

        @Override
        public Acquire blockedOn() {
            return mode == Mr.PINNED ? driver.kernel.mmapReadAcquire(mm).blocked()
                    : driver.kernel.mmuIntervalNotifierInsertAcquire(mm);
        }

        @Override
        protected void advance() {
            returns(driver.umem.reg(ctx, mm, addr, len, mode, access));
        }

        @Override
        protected void locals(StateHasher h) {
            h.add(mm.id()).add(addr).add(len).add(mode).add(access);
        }

        private RegMrCall(RegMrCall o, Copier c) {
            super(o, c);
            this.driver = c.copy(o.driver);
            this.ctx = c.copy(o.ctx);
            this.mm = c.copy(o.mm);
            this.addr = o.addr;
            this.len = o.len;
            this.mode = o.mode;
            this.access = o.access;
        }

        @Override
        public RegMrCall copy(Copier c) {
            return new RegMrCall(this, c);
        }
    }

    /**
     * {@code IB_USER_VERBS_CMD_DEREG_MR}: waits for a running invalidation of an ODP MR's interval first, or for the
     * reservation lock of a dma-buf MR's buffer.
     */
    static final class DeregCall extends DriverCall {
        private final RdmaDriver driver;
        private final Context ctx;

        DeregCall(RdmaDriver driver, Context ctx) {
            super(driver.kernel, "ib_uverbs_dereg_mr");
            this.driver = driver;
            this.ctx = ctx;
        }

        @Override
        public Acquire blockedOn() {
            if (ctx.dmr != null) {
                return ctx.dmr.dmabuf().resv().acquire().blocked();
            }
            Mr mr = ctx.mr;
            return mr == null || mr.mni == null ? null : driver.kernel.mmuIntervalNotifierRemoveWait(mr.mni);
        }

        @Override
        protected void advance() {
            if (ctx.mr == null && ctx.dmr == null) {
                returns(-Errno.EINVAL);
                return;
            }
            driver.dereg(ctx);
            returns(0);
        }

        @Override
        protected void locals(StateHasher h) {
            h.add(ctx.mr == null ? 0 : ctx.mr.id).add(ctx.dmr == null ? 0 : ctx.dmr.id);
        }

        private DeregCall(DeregCall o, Copier c) {
            super(o, c);
            this.driver = c.copy(o.driver);
            this.ctx = c.copy(o.ctx);
        }

        @Override
        public DeregCall copy(Copier c) {
            return new DeregCall(this, c);
        }
    }

    /**
     * The HCA executing an RDMA READ or WRITE work request at byte offset {@code off} of an MR. Pinned: DMA through
     * the pinned pages ({@code dmaRead}/{@code dmaWrite}), one step. ODP: through the device page table, after a
     * device page fault ({@code pagefault_real_mr} → {@code ib_umem_odp_map_dma_and_lock}) if the entry is not valid.
     *
     * @return the word (READ), 0 (WRITE), -EINVAL (offset outside the MR, not 8-byte aligned, or the MR is gone),
     *     -EACCES (a WRITE to a read-only MR), or the fault's -EFAULT/-EPERM
     */
    static final class AccessCall extends MirrorFaultCall {
        private final Mr mr;
        private final long off;
        /** The device page tables, which name its accesses in violations. */
        private final SecondaryMmu view;

        AccessCall(RdmaDriver driver, Mr mr, long off, boolean write, long value) {
            super(driver.kernel, write ? "rdma_write" : "rdma_read", mr.addr + off, write, value);
            this.view = driver.view;
            this.mr = mr;
            this.off = off;
        }

        private int index() {
            return (int) ((addr >>> Page.PAGE_SHIFT) - (mr.addr >>> Page.PAGE_SHIFT));
        }

        private int word() {
            return (int) ((addr & (Page.PAGE_SIZE - 1)) >>> 3);
        }

        @Override
        protected MmuIntervalNotifier notifier() {
            return mr.dead ? null : mr.mni;
        }

        @Override
        protected boolean checksRetry() {
            return mr.mode != Mr.ODP_NORETRY;
        }

        /**
         * {@code pagefault_real_mr}: "if (odp->umem.writable && !downgrade) access_mask |= HMM_PFN_WRITE": a fault on a
         * writable MR, a READ too, faults the page in for writing (only a prefetch downgrades).
         */
        @Override
        protected boolean faultForWrite() {
            return write || mr.writable();
        }

        @Override
        protected boolean enter() {
            if (mr.dead || off < 0 || (off & 7) != 0 || off > mr.len - 8 || word() >= Page.PAGE_WORDS) {
                returns(-Errno.EINVAL);
                return false;
            }
            if (write && !mr.writable()) {
                returns(-Errno.EACCES);
                return false;
            }
            if (mr.odp()) {
                return true;
            }
            if (write) {
                kernel.dmaWrite(mr.pages, index(), word(), value);
                returns(0);
            } else {
                returns(kernel.dmaRead(mr.pages, index(), word()));
            }
            return false;
        }

        @Override
        protected boolean access() {
            long e = mr.dev[index()];
            if ((e & HmmRange.VALID) == 0 || (write && (e & HmmRange.WRITE) == 0)) {
                return false;
            }
            int pfn = (int) (e & HmmRange.PFN_MASK);
            if (write) {
                kernel.secondaryWrite(view, mr.mm, addr, pfn, word(), value, null);
                returns(0);
            } else {
                returns(kernel.secondaryRead(view, mr.mm, addr, pfn, word(), null));
            }
            return true;
        }

        @Override
        protected void program(long entry) {
            kernel.tracePath("mlx5_ib_update_xlt");
            mr.dev[index()] = entry & (HmmRange.VALID | HmmRange.WRITE | HmmRange.PFN_MASK);
        }

        @Override
        protected void locals(StateHasher h) {
            super.locals(h);
            h.add(mr.id).add(off);
        }

        private AccessCall(AccessCall o, Copier c) {
            super(o, c);
            this.mr = c.copy(o.mr);
            this.view = c.copy(o.view);
            this.off = o.off;
        }

        @Override
        public AccessCall copy(Copier c) {
            return new AccessCall(this, c);
        }
    }
}
