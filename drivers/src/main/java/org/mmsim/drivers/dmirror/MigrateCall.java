package org.mmsim.drivers.dmirror;

import org.mmsim.drivers.dmirror.DmirrorDriver.Dmirror;
import org.mmsim.kernel.api.DriverCall;
import org.mmsim.kernel.api.Exports;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.hmm.HmmRange;
import org.mmsim.kernel.mm.migrate.MigrateDevice;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.pgtable.PageTable;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code HMM_DMIRROR_MIGRATE_TO_DEV}, {@code HMM_DMIRROR_MIGRATE_TO_SYS} and {@code HMM_DMIRROR_SNAPSHOT}
 * (lib/test_hmm.c): one step under {@code mmap_read_lock} of the mirror's mm, after {@code
 * dmirror_fops_unlocked_ioctl}'s checks (an unaligned address, no pages or a range that wraps: -EINVAL; the mm gone:
 * -EINVAL).
 *
 * <p>{@code dmirror_migrate_to_device}: VMA by VMA ({@code vma_lookup}; none, or one without VM_READ: -EINVAL, what
 * moved before stays), {@code migrate_vma_*} of system RAM to pages off the device's free list, each filled with its
 * source's words or zeroed for a hole; the mirror's table then maps each moved page
 * ({@code dmirror_migrate_finalize_and_map}), and the result is {@code dmirror_do_read}'s count of the range's pages
 * the table maps: -ENOENT as soon as one is missing (a page that stayed, a shmem hole).
 *
 * <p>{@code dmirror_migrate_to_system}: the device's own pages of the range back to system RAM, the mirror's entries
 * for them erased; the result counts the pages moved (a page no system page is left for stays).
 *
 * <p>{@code dmirror_snapshot}: {@code hmm_range_fault} without {@code HMM_PFN_REQ_FAULT}, so nothing is faulted in,
 * and {@code dmirror_mkentry} of each page: ERROR (no VMA, or one that is not readable), NONE (nothing mapped), ZERO for
 * the zero page, DEV_COHERENT_LOCAL or _REMOTE for coherent memory of this device or another, each or-ed with WRITE or
 * READ.
 *
 * <p>Devices 0 and 1 would migrate to device-private memory, which the model does not have: their migrations fail
 * with -EOPNOTSUPP (the scenario language refuses them before).
 */
final class MigrateCall extends DriverCall {
    private final DmirrorDriver driver;
    private final Dmirror d;
    private final Mm current;
    private final int cmd;
    private final long addr;
    private final long npages;
    private final long err;

    MigrateCall(DmirrorDriver driver, Dmirror d, Mm current, int cmd, long[] args) {
        super(driver.kernel, switch (cmd) {
            case DmirrorDriver.HMM_DMIRROR_MIGRATE_TO_DEV -> "dmirror_migrate_to_device";
            case DmirrorDriver.HMM_DMIRROR_MIGRATE_TO_SYS -> "dmirror_migrate_to_system";
            default -> "dmirror_snapshot";
        });
        this.driver = driver;
        this.d = d;
        this.current = current;
        this.cmd = cmd;
        this.addr = args.length > 0 ? args[0] : 0;
        this.npages = args.length > 1 ? args[1] : 0;
        this.err = check(driver, d, cmd, args);
    }

    /** {@code dmirror_fops_unlocked_ioctl}'s checks of the command, and the model's own limits. */
    private static long check(DmirrorDriver driver, Dmirror d, int cmd, long[] args) {
        if (args.length < 2 || (args[0] & (Page.PAGE_SIZE - 1)) != 0 || args[1] <= 0
                || args[1] > (PageTable.TASK_SIZE >>> Page.PAGE_SHIFT)
                || args[0] + (args[1] << Page.PAGE_SHIFT) <= args[0]) {
            return -Errno.EINVAL;
        }
        if (cmd == DmirrorDriver.HMM_DMIRROR_SNAPSHOT && args[1] > DmirrorDriver.SNAPSHOT_MAX_PAGES) {
            return -Errno.EINVAL;
        }
        if (cmd != DmirrorDriver.HMM_DMIRROR_SNAPSHOT && driver.table.devices[d.unit] == null) {
            return -Errno.EOPNOTSUPP;
        }
        return 0;
    }

    @Override
    public Acquire blockedOn() {
        Exports k = driver.kernel;
        if (err != 0 || d.released) {
            return null;
        }
        if (d.mm == null) {
            return Acquire.first(k.mmuIntervalNotifierInsertAcquire(current), k.mmapReadAcquire(current));
        }
        if (d.mm.dead()) {
            return null;
        }
        // a snapshot's mmu_interval_read_begin waits while the mirror's notifier is being invalidated
        return Acquire.first(k.mmapReadAcquire(d.mm), cmd == DmirrorDriver.HMM_DMIRROR_SNAPSHOT && d.mni != null
                ? k.mmuIntervalReadBeginWait(d.mni) : null);
    }

    @Override
    protected void advance() {
        if (err != 0 || d.released) {
            returns(err != 0 ? err : -Errno.EBADF);
            return;
        }
        if (d.mm == null) {
            driver.bind(d, current);
        }
        if (d.mm.dead()) {
            returns(-Errno.EINVAL);
            return;
        }
        Exports k = driver.kernel;
        k.mmapReadLock(d.mm);
        long ret = switch (cmd) {
            case DmirrorDriver.HMM_DMIRROR_MIGRATE_TO_DEV -> toDevice();
            case DmirrorDriver.HMM_DMIRROR_MIGRATE_TO_SYS -> toSystem();
            default -> snapshot();
        };
        k.mmapReadUnlock(d.mm);
        returns(ret);
    }

    private long end() {
        return addr + (npages << Page.PAGE_SHIFT);
    }

    /** What a migration does with one VMA's part of the range once {@code migrate_vma_*} ran. */
    @FunctionalInterface
    private interface Migrated {
        void done(long start, long[] src, int[] dst);
    }

    /**
     * The loop both migrations share: VMA by VMA ({@code vma_lookup}: -EINVAL for a hole or a VMA without VM_READ),
     * {@code migrate_vma_*} with {@code select} and {@code alloc}, then {@code after}.
     *
     * @return 0 or -errno
     */
    private int eachVma(int select, MigrateDevice.AllocAndCopy alloc, Migrated after) {
        DmirrorDevice m = driver.table.devices[d.unit];
        for (long a = addr, next; a < end(); a = next) {
            Vma vma = d.mm.vmaAt(a);
            if (vma == null || !vma.has(VmFlags.VM_READ)) {
                return -Errno.EINVAL;
            }
            next = Math.min(end(), vma.end());
            int n = (int) ((next - a) >>> Page.PAGE_SHIFT);
            long[] src = new long[n];
            int[] dst = new int[n];
            int r = driver.kernel.migrateVma(d.mm, a, next, select, m.pagemap, m, src, dst, alloc);
            if (r < 0) {
                return r;
            }
            after.done(a, src, dst);
        }
        return 0;
    }

    /** {@code dmirror_migrate_to_device}, then {@code dmirror_do_read}'s count. */
    private long toDevice() {
        Exports k = driver.kernel;
        DmirrorDevice m = driver.table.devices[d.unit];
        int r = eachVma(MigrateDevice.SELECT_SYSTEM, (i, src) -> allocAndCopy(m, src), (start, src, dst) -> {
            k.tracePath("dmirror_migrate_finalize_and_map");
            // a hole of a writable VMA is mapped writable too ("!spage && args->vma->vm_flags & VM_WRITE", as
            // test_hmm had it through 6.18)
            boolean holesWritable = d.mm.vmaAt(start).has(VmFlags.VM_WRITE);
            for (int i = 0; i < src.length; i++) {
                if ((src[i] & MigrateDevice.MIGRATE_PFN_MIGRATE) != 0 && dst[i] >= 0) {
                    boolean write = (src[i] & MigrateDevice.MIGRATE_PFN_WRITE) != 0
                            || (src[i] & MigrateDevice.MIGRATE_PFN_VALID) == 0 && holesWritable;
                    d.pt.put(start + ((long) i << Page.PAGE_SHIFT), dst[i] | HmmRange.VALID
                            | (write ? HmmRange.WRITE : 0));
                }
            }
        });
        if (r < 0) {
            return r;
        }
        k.tracePath("dmirror_do_read");
        long cpages = 0;
        for (long a = addr; a < end(); a += Page.PAGE_SIZE) {
            if (!d.pt.containsKey(a)) {
                return -Errno.ENOENT;
            }
            cpages++;
        }
        return cpages;
    }

    /**
     * {@code dmirror_migrate_alloc_and_copy} for one entry: a page off the free list ({@code
     * dmirror_devmem_alloc_page}: {@code zone_device_page_init}, refcount 1), the source's words copied into it or, for
     * a hole or the zero page, left zero; -1 when the device has no free page.
     */
    private int allocAndCopy(DmirrorDevice m, long src) {
        int dpage = m.pop();
        if (dpage < 0) {
            return -1;
        }
        driver.kernel.zoneDevicePageInit(dpage);
        if ((src & MigrateDevice.MIGRATE_PFN_VALID) != 0) {
            driver.kernel.copyHighpage(MigrateDevice.pfnOf(src), dpage);
        }
        return dpage;
    }

    /**
     * {@code dmirror_migrate_to_system}: this device's pages back to system RAM ({@code
     * dmirror_devmem_fault_alloc_and_copy}: a page from {@code alloc_page_vma}, the mirror's entry erased, the words
     * copied), counting the pages moved. A page for which no system page is left stays on the device with its mirror
     * entry (6.18's test_hmm skips it: "if (!dpage) continue"), and the others move.
     */
    private long toSystem() {
        Exports k = driver.kernel;
        long[] cpages = new long[1];
        long[] base = {addr};
        int r = eachVma(MigrateDevice.SELECT_DEVICE_COHERENT, (i, src) -> {
            if ((src & MigrateDevice.MIGRATE_PFN_VALID) == 0) {
                return -1;
            }
            int dpage = k.allocUserPage();
            if (dpage < 0) {
                return -1;
            }
            d.pt.remove(base[0] + ((long) i << Page.PAGE_SHIFT));
            k.copyHighpage(MigrateDevice.pfnOf(src), dpage);
            return dpage;
        }, (start, src, dst) -> {
            for (long e : src) {
                if ((e & MigrateDevice.MIGRATE_PFN_VALID) != 0 && (e & MigrateDevice.MIGRATE_PFN_MIGRATE) != 0) {
                    cpages[0]++;
                }
            }
            base[0] = start + ((long) src.length << Page.PAGE_SHIFT);
        });
        return r < 0 ? r : cpages[0];
    }

    /** {@code dmirror_snapshot}: the pages' {@code HMM_DMIRROR_PROT_*} bytes, page 0 lowest. */
    private long snapshot() {
        Exports k = driver.kernel;
        HmmRange range = new HmmRange(d.mni, addr, end(), 0);
        range.setNotifierSeq(k.mmuIntervalReadBegin(d.mni));
        int r = k.hmmRangeFault(range);
        if (r < 0) {
            return r;
        }
        DmirrorDevice own = driver.table.devices[d.unit];
        long out = 0;
        for (int i = 0; i < npages; i++) {
            out |= (long) mkentry(range.pfn(i), own) << (8 * i);
        }
        return out;
    }

    /** {@code dmirror_mkentry}. */
    private int mkentry(long entry, DmirrorDevice own) {
        if ((entry & HmmRange.ERROR) != 0) {
            return DmirrorDriver.PROT_ERROR;
        }
        if ((entry & HmmRange.VALID) == 0) {
            return DmirrorDriver.PROT_NONE;
        }
        int pfn = (int) (entry & HmmRange.PFN_MASK);
        int pagemap = driver.kernel.pagemapOf(pfn);
        int perm = pagemap >= 0 ? (own != null && own.pagemap == pagemap ? DmirrorDriver.PROT_DEV_COHERENT_LOCAL
                : DmirrorDriver.PROT_DEV_COHERENT_REMOTE)
                : pfn == PageAlloc.ZERO_PFN ? DmirrorDriver.PROT_ZERO : DmirrorDriver.PROT_NONE;
        return perm | ((entry & HmmRange.WRITE) != 0 ? DmirrorDriver.PROT_WRITE : DmirrorDriver.PROT_READ);
    }

    @Override
    protected void locals(StateHasher h) {
        h.add(d.id).add(d.unit).add(current.id()).add(cmd).add(addr).add(npages).add(err);
    }

    private MigrateCall(MigrateCall o, Copier c) {
        super(o, c);
        this.driver = c.copy(o.driver);
        this.d = c.copy(o.d);
        this.current = c.copy(o.current);
        this.cmd = o.cmd;
        this.addr = o.addr;
        this.npages = o.npages;
        this.err = o.err;
    }

    @Override
    public MigrateCall copy(Copier c) {
        return new MigrateCall(this, c);
    }
}
