package org.mmsim.drivers.rdma;

import java.util.Arrays;
import org.mmsim.drivers.rdma.RdmaDriver.Context;
import org.mmsim.kernel.api.Exports;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.notifier.MmuIntervalNotifier;
import org.mmsim.kernel.mm.notifier.MmuIntervalNotifierOps;
import org.mmsim.kernel.mm.notifier.MmuNotifierRange;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.uapi.Errno;

/**
 * An RDMA memory region over process memory: drivers/infiniband/core/umem.c ({@code ib_umem_get}: long-term pins,
 * charged to RLIMIT_MEMLOCK) and umem_odp.c ({@code ib_umem_odp_get}: an interval notifier, device page faults), with
 * mlx5's {@code ->invalidate}. A mechanism of {@link RdmaDriver}; the state is each {@link Mr}. The device page-fault
 * path of an ODP MR is {@code RdmaCalls.AccessCall}.
 */
final class Umem {
    private final RdmaDriver driver;

    Umem(RdmaDriver driver) {
        this.driver = driver;
    }

    /** The largest region the model registers: its tables are arrays of one entry per page (4 GiB of pages). */
    static final long MAX_MR_BYTES = 1L << 32;

    private Exports k() {
        return driver.kernel;
    }

    /** {@code ib_umem_notifiers}: the ODP MRs' {@code ->invalidate}. */
    final MmuIntervalNotifierOps notifierOps = new MmuIntervalNotifierOps() {
        @Override
        public String name() {
            return "ib_umem_notifiers";
        }

        /**
         * {@code ib_umem_notifier_invalidate_range} → {@code mlx5_ib_invalidate_range}: under {@code umem_mutex},
         * {@code mmu_interval_set_seq}, then zap the device entries of the pages in range.
         */
        @Override
        public boolean invalidate(MmuIntervalNotifier mni, MmuNotifierRange range, long curSeq) {
            k().tracePath("mlx5_ib_invalidate_range");
            Mr mr = driver.byNotifier(mni);
            mni.setSeq(curSeq);
            if (mr != null) {
                for (int i = 0; i < mr.dev.length; i++) {
                    long a = mr.start() + ((long) i << Page.PAGE_SHIFT);
                    if (range.overlaps(a, a + Page.PAGE_SIZE)) {
                        mr.dev[i] = 0;
                    }
                }
            }
            return true;
        }
    };

    /**
     * {@code ib_uverbs_reg_mr} → {@code mlx5_ib_reg_user_mr} → {@code ib_umem_get} or {@code ib_umem_odp_get}.
     *
     * @return 0, or -EBUSY (the context has an MR: the model's one-MR simplification), -EINVAL (empty range, unknown
     *     mode), -ENOMEM (over RLIMIT_MEMLOCK, or over the model's {@link #MAX_MR_BYTES}), the GUP error (-EFAULT for
     *     a page that cannot be pinned)
     */
    long reg(Context ctx, Mm mm, long addr, long len, int mode, int access) {
        k().tracePath("ib_uverbs_reg_mr");
        if (ctx.mr != null || ctx.dmr != null) {
            return -Errno.EBUSY;
        }
        if (len <= 0 || addr < 0 || mode < Mr.PINNED || mode > Mr.ODP_NORETRY) {
            return -Errno.EINVAL;
        }
        if (len > MAX_MR_BYTES) {
            return -Errno.ENOMEM;
        }
        Mr mr = new Mr(driver.nextId(), mm, addr, len, mode, access);
        int nr = Mr.nrPages(addr, len);
        if (mr.odp()) {
            k().tracePath("ib_umem_odp_get");
            mr.mni = k().mmuIntervalNotifierInsert(mm, mr.start(), (long) nr << Page.PAGE_SHIFT, notifierOps);
            if (mr.mni == null) {
                return -Errno.EINVAL;
            }
        } else {
            k().tracePath("ib_umem_get");
            // ib_umem_get: new_pinned = atomic64_add_return(npages, &mm->pinned_vm), over the caller's
            // RLIMIT_MEMLOCK -ENOMEM (the model's processes lack CAP_IPC_LOCK); user->locked_vm is not touched
            long limit = mm.rlimitMemlock() >>> Page.PAGE_SHIFT;
            if (mm.pinnedVm() + nr > limit) {
                return -Errno.ENOMEM;
            }
            mm.addPinnedVm(nr);
            GupPages g = pin(mm, mr.start(), nr, mr.writable());
            if (g.ret() != nr) {
                if (g.nr() > 0) {
                    release(g);
                }
                mm.addPinnedVm(-nr);
                return g.ret() < 0 ? g.ret() : -Errno.EFAULT;
            }
            mr.pages = g;
            mr.accounted = nr;
        }
        driver.add(ctx, mr);
        return 0;
    }

    /**
     * {@code ib_umem_get}'s GUP: {@code pin_user_pages_fast(FOLL_LONGTERM | (writable ? FOLL_WRITE : 0))} where
     * FOLL_PIN exists; before, {@code get_user_pages(FOLL_WRITE, or FOLL_FORCE for a read-only MR)}, which breaks COW
     * even for a read-only MR.
     */
    private GupPages pin(Mm mm, long start, int nr, boolean writable) {
        if (k().profile().on(Switch.FOLL_PIN)) {
            return k().pinUserPagesFast(mm, start, nr, Foll.FOLL_LONGTERM | (writable ? Foll.FOLL_WRITE : 0));
        }
        int flags = writable ? Foll.FOLL_WRITE : Foll.FOLL_WRITE | Foll.FOLL_FORCE;
        return k().getUserPages(mm, start, nr, flags);
    }

    private void release(GupPages g) {
        if (g.pinned()) {
            k().unpinUserPages(g);
        } else {
            k().putPages(g);
        }
    }

    /**
     * {@code ib_dereg_mr_user}'s release of an MR over process memory: a pinned MR's pages are unpinned
     * ({@code ib_umem_release}) and uncharged; an ODP MR's notifier is removed ({@code ib_umem_odp_release}; its
     * caller waited for a running invalidation) and its device entries dropped.
     */
    void release(Mr mr) {
        if (mr.odp()) {
            k().mmuIntervalNotifierRemove(mr.mni);
            mr.mni = null;
            Arrays.fill(mr.dev, 0);
        } else {
            if (!mr.pages.released()) {
                release(mr.pages);
            }
            mr.mm.addPinnedVm(-mr.accounted);
            mr.accounted = 0;
        }
        mr.dead = true;
    }
}
