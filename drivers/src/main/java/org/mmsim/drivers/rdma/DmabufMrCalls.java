package org.mmsim.drivers.rdma;

import org.mmsim.drivers.rdma.RdmaDriver.Context;
import org.mmsim.kernel.api.DriverCall;
import org.mmsim.kernel.dmabuf.DmaBuf;
import org.mmsim.kernel.fs.FdTable;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.hmm.HmmRange;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.uapi.Errno;

/** The calls of {@code /dev/rdma} on MRs over dma-bufs ({@link UmemDmabuf}): registration, and the HCA's accesses. */
final class DmabufMrCalls {
    private DmabufMrCalls() {}

    /**
     * {@link RdmaDriver#RDMA_REG_DMABUF_MR} (args offset, len, fd, mode, access), one step, taken once the buffer's
     * reservation lock is free (the attach and the first mapping take it) and the exporter's pin would not wait.
     */
    static final class RegDmabufMrCall extends DriverCall {
        private final RdmaDriver driver;
        private final Context ctx;
        private final Mm mm;
        private final FdTable files;
        private final long[] args;

        RegDmabufMrCall(RdmaDriver driver, Context ctx, Mm mm, FdTable files, long[] args) {
            super(driver.kernel, "ib_uverbs_reg_dmabuf_mr");
            this.driver = driver;
            this.ctx = ctx;
            this.mm = mm;
            this.files = files;
            this.args = args.clone();
        }

        /** The buffer's reservation lock, then whatever the exporter's pin would wait for (its move's pte locks). */
        @Override
        public Acquire blockedOn() {
            DmaBuf dmabuf = UmemDmabuf.dmabufOf(files, args[2]);
            if (dmabuf == null) {
                return null;
            }
            Acquire resv = dmabuf.resv().acquire();
            return !resv.available() ? resv.blocked() : dmabuf.ops().pinWaitsFor(dmabuf);
        }

        @Override
        protected void advance() {
            returns(driver.umemDmabuf.reg(ctx, mm, files, args[0], args[1], args[2], (int) args[3], (int) args[4]));
        }

        @Override
        protected void locals(StateHasher h) {
            h.add(mm.id()).add(args.length);
            for (long a : args) {
                h.add(a);
            }
        }

        private RegDmabufMrCall(RegDmabufMrCall o, Copier c) {
            super(o, c);
            this.driver = c.copy(o.driver);
            this.ctx = c.copy(o.ctx);
            this.mm = c.copy(o.mm);
            this.files = c.copy(o.files);
            this.args = o.args.clone();
        }

        @Override
        public RegDmabufMrCall copy(Copier c) {
            return new RegDmabufMrCall(this, c);
        }
    }

    /**
     * The HCA executing an RDMA READ or WRITE at byte offset {@code off} of an MR over a dma-buf, one step: through the
     * mkey's translation if it is valid; else, for a dynamic MR, a device page fault ({@code pagefault_dmabuf_mr},
     * which waits for the buffer's reservation lock: a move holds it) that maps the buffer again, then the access.
     * A pinned (or broken) MR has no fault path: a zapped translation would be a remote access error, -EFAULT; but
     * only DEREG zaps it, and an access to a deregistered MR is -EINVAL first.
     *
     * @return the word (READ), 0 (WRITE), -EINVAL (offset outside the MR or not 8-byte aligned, the MR gone),
     *     -EACCES (a WRITE to a read-only MR), or the mapping's -errno
     */
    static final class DmabufAccessCall extends DriverCall {
        private final RdmaDriver driver;
        private final DmabufMr mr;
        private final long off;
        private final boolean write;
        private final long value;

        DmabufAccessCall(RdmaDriver driver, DmabufMr mr, long off, boolean write, long value) {
            super(driver.kernel, write ? "rdma_write" : "rdma_read");
            this.driver = driver;
            this.mr = mr;
            this.off = off;
            this.write = write;
            this.value = value;
        }

        /** The region's page the access falls in. */
        private int index() {
            return (int) (((mr.offset + off) >>> Page.PAGE_SHIFT) - (mr.offset >>> Page.PAGE_SHIFT));
        }

        private boolean bad() {
            return mr.dead || off < 0 || (off & 7) != 0 || off > mr.len - 8
                    || ((mr.offset + off) & (Page.PAGE_SIZE - 1)) >>> 3 >= Page.PAGE_WORDS;
        }

        @Override
        public Acquire blockedOn() {
            if (bad() || mr.valid(index()) || mr.mode != DmabufMr.DYNAMIC) {
                return null;
            }
            return mr.dmabuf().resv().acquire().blocked();
        }

        @Override
        protected void advance() {
            if (bad()) {
                returns(-Errno.EINVAL);
                return;
            }
            if (write && !mr.writable()) {
                returns(-Errno.EACCES);
                return;
            }
            int i = index();
            if (!mr.valid(i)) {
                if (mr.mode != DmabufMr.DYNAMIC) {
                    returns(-Errno.EFAULT);
                    return;
                }
                int err = driver.umemDmabuf.fault(mr);
                if (err < 0) {
                    returns(err);
                    return;
                }
            }
            int pfn = (int) (mr.dev[i] & HmmRange.PFN_MASK);
            int word = (int) (((mr.offset + off) & (Page.PAGE_SIZE - 1)) >>> 3);
            if (write) {
                driver.kernel.deviceWrite(pfn, word, value);
                returns(0);
            } else {
                returns(driver.kernel.deviceRead(pfn, word));
            }
        }

        @Override
        protected void locals(StateHasher h) {
            h.add(mr.id).add(off).add(write).add(value);
        }

        private DmabufAccessCall(DmabufAccessCall o, Copier c) {
            super(o, c);
            this.driver = c.copy(o.driver);
            this.mr = c.copy(o.mr);
            this.off = o.off;
            this.write = o.write;
            this.value = o.value;
        }

        @Override
        public DmabufAccessCall copy(Copier c) {
            return new DmabufAccessCall(this, c);
        }
    }
}
