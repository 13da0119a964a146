package org.mmsim.drivers.ummunotify;

import java.util.ArrayList;
import java.util.List;
import org.mmsim.kernel.api.DeviceCheck;
import org.mmsim.kernel.api.Driver;
import org.mmsim.kernel.api.Exports;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.fs.FileOperations;
import org.mmsim.kernel.fs.Poll;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.VmFault;
import org.mmsim.kernel.mm.VmOperations;
import org.mmsim.kernel.mm.notifier.MmuNotifier;
import org.mmsim.kernel.mm.notifier.MmuNotifierOps;
import org.mmsim.kernel.mm.notifier.MmuNotifierRange;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageReferences;
import org.mmsim.kernel.profile.UmmunotifyQueue;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code /dev/ummunotify}: Roland Dreier's ummunotify (V2, April 2010, never merged; seed 004), which tells user space,
 * an MPI library's RDMA registration cache above all, when the memory behind ranges it registered is invalidated.
 * The ABI as the patch defines it (reference/ummunotify-and-rcache.md §1.2-1.9):
 * <ul>
 *   <li>{@code open} binds to the opener's mm ({@code current->mm}, by {@code mm_count}) and registers an MMU notifier on
 *       it; the device must be opened O_RDONLY (-EINVAL). It allocates a zeroed kernel page whose first word is the
 *       generation counter.</li>
 *   <li>ioctls: {@link #UMMUNOTIFY_EXCHANGE_FEATURES} (no features: the answer is 0; -EINVAL once the file was used),
 *       {@link #UMMUNOTIFY_REGISTER_REGION} ({@code [start, end)} and a cookie; -EINVAL for a cookie already registered;
 *       nothing else is checked) and {@link #UMMUNOTIFY_UNREGISTER_REGION} (by cookie, -EINVAL if none; a queued report
 *       goes with it, and the counter is not rolled back).</li>
 *   <li>{@code ->invalidate_range_start} ({@code ummunotify_handle_notify}): every registration the range overlaps, in
 *       tree order, gets one queued report; a second invalidation before it is read only drops its HINT. The counter
 *       goes up once per callback that hit anything.</li>
 *   <li>{@code read} ({@link UmmunotifyRead}) returns 32-byte events: an INVAL per queued report (with the hint clipped
 *       to the registration when it is exact), then a LAST with the counter; it sleeps while there is nothing, or
 *       returns -EAGAIN with O_NONBLOCK. {@code poll} says POLLIN|POLLRDNORM when a read would not sleep.</li>
 *   <li>{@code mmap} of exactly one page at offset 0 maps the counter page ({@code ->fault} hands it out with
 *       {@code get_page}; SIGBUS past it).</li>
 *   <li>{@code release} unregisters the notifier, frees the registrations (without the patch's use-after-free loop)
 *       and drops the counter page; queued reports are lost. At exit the mm's notifiers are released first, and the
 *       teardown of the address space reports nothing.</li>
 * </ul>
 * The queue's bound is {@code ummunotify_queue} (the patch's is none; a bound that drops reports silently, or one
 * that says so with an OVERFLOW event, are the designs the review's denial-of-service question invites).
 *
 * <p>Not modelled: {@code fasync}/SIGIO, a signal interrupting a sleeping read (-ERESTARTSYS), allocation failures, and
 * {@code invalidate_page} (the model's kernel reports single pages as ranges, which the patch handled the same way).
 */
public final class UmmunotifyDriver implements Driver {
    /** The device node: {@code /dev/ummunotify}. */
    public static final String DEVICE = "ummunotify";
    /** {@code _IOWR('U', 1, __u32)}: args: the feature mask asked for. */
    public static final int UMMUNOTIFY_EXCHANGE_FEATURES = 0xC0045501;
    /** {@code _IOW('U', 2, struct ummunotify_register_ioctl)}: args start, end, user_cookie, flags. */
    public static final int UMMUNOTIFY_REGISTER_REGION = 0x40205502;
    /** {@code _IOW('U', 3, __u64)}: args: the cookie. */
    public static final int UMMUNOTIFY_UNREGISTER_REGION = 0x40085503;
    /** {@code UMMUNOTIFY_EVENT_TYPE_INVAL}. */
    public static final int EVENT_INVAL = 0;
    /** {@code UMMUNOTIFY_EVENT_TYPE_LAST}. */
    public static final int EVENT_LAST = 1;
    /**
     * An event the patch does not have: under {@code ummunotify_queue=bounded_overflow}, reports were lost because the
     * queue was full; its {@code user_cookie_counter} is the counter. A reader must take every registration as invalid.
     */
    public static final int EVENT_OVERFLOW = 2;
    /**
     * The bound of the queue under {@code ummunotify_queue=bounded_drop} and {@code bounded_overflow}: reports queued at
     * once. A design would have had thousands; two keep a scenario that overflows it small.
     */
    public static final int QUEUE_MAX = 2;
    /** {@code UMMUNOTIFY_EVENT_FLAG_HINT}. */
    public static final int EVENT_FLAG_HINT = 1;
    /** {@code sizeof(struct ummunotify_event)}. */
    public static final int EVENT_BYTES = 32;
    /** The words of an event: type | flags << 32, hint_start, hint_end, user_cookie_counter. */
    public static final int EVENT_WORDS = EVENT_BYTES / 8;

    /** The {@code type} of an event whose first word is {@code word0}. */
    public static int eventType(long word0) {
        return (int) word0;
    }

    /** The {@code flags} of an event whose first word is {@code word0}. */
    public static int eventFlags(long word0) {
        return (int) (word0 >>> 32);
    }

    private Exports kernel;
    /** Every open file's context, in open order: where the notifier finds the one a callback is for. */
    final List<UmmunotifyFile> files = new ArrayList<>();

    private final MmuNotifierOps notifierOps = new MmuNotifierOps() {
        @Override
        public String name() {
            return "ummunotify_mmu_notifier_ops";
        }

        @Override
        public int invalidateRangeStart(MmuNotifier sub, MmuNotifierRange range) {
            for (UmmunotifyFile f : files) {
                if (f.sub == sub) {
                    handleNotify(f, range.start(), range.end());
                }
            }
            return 0;
        }
    };

    /** {@code ummunotify_vm_ops}: the counter page's mapping. */
    private final VmOperations counterOps = new VmOperations() {
        @Override
        public String name() {
            return "ummunotify_vm_ops";
        }

        /** {@code ummunotify_fault}: the counter page with a reference for pgoff 0, SIGBUS for any other. */
        @Override
        public int fault(VmFault vmf) {
            kernel.tracePath("ummunotify_fault");
            UmmunotifyFile f = (UmmunotifyFile) vmf.vma().privateData();
            if (vmf.pgoff() != 0) {
                return VmFault.VM_FAULT_SIGBUS;
            }
            kernel.getPage(f.counterPfn);
            vmf.setPage(f.counterPfn);
            return 0;
        }
    };

    private final FileOperations fops = new FileOperations() {
        @Override
        public String name() {
            return "ummunotify_fops";
        }

        /** {@code mmu_notifier_register} takes the opener's {@code mmap_lock} for write. */
        @Override
        public Acquire openBlockedOn(Mm current) {
            return kernel.mmapWriteAcquire(current).blocked();
        }

        /**
         * {@code ummunotify_open}: -EINVAL if opened for writing; the counter page ({@code get_zeroed_page}, -ENOMEM),
         * the context, then {@code mmu_notifier_register} on {@code current->mm}, last, since callbacks may start at once.
         */
        @Override
        public int open(File file, Mm current) {
            kernel.tracePath("ummunotify_open");
            if (file.writable()) {
                return -Errno.EINVAL;
            }
            int page = kernel.getZeroedPage();
            if (page < 0) {
                return -Errno.ENOMEM;
            }
            UmmunotifyFile f = new UmmunotifyFile(file.id(), current, page);
            file.setPrivateData(f);
            files.add(f);
            f.sub = kernel.mmuNotifierRegister(notifierOps, current);
            return 0;
        }

        @Override
        public KernelCall<Void> ioctlCall(File file, Mm current, int cmd, long[] args) {
            return new UmmunotifyIoctl(kernel, (UmmunotifyFile) file.privateData(), cmd, args);
        }

        @Override
        public KernelCall<Void> readCall(File file, Mm current, long count, boolean nonblock, long[] buf) {
            return new UmmunotifyRead(kernel, (UmmunotifyFile) file.privateData(), count,
                    nonblock, buf);
        }

        /** {@code ummunotify_poll}: POLLIN|POLLRDNORM when a read would not sleep, else nothing. */
        @Override
        public int poll(File file) {
            return ((UmmunotifyFile) file.privateData()).readable() ? Poll.POLLIN | Poll.POLLRDNORM : 0;
        }

        /** {@code ummunotify_mmap}: exactly one page at offset 0 (-EINVAL), faulted in by {@link #counterOps}. */
        @Override
        public int mmap(File file, Vma vma) {
            kernel.tracePath("ummunotify_mmap");
            if (vma.end() - vma.start() != Page.PAGE_SIZE || vma.pgoff() != 0) {
                return -Errno.EINVAL;
            }
            vma.setVmOps(counterOps);
            vma.setPrivateData(file.privateData());
            return 0;
        }

        /**
         * {@code ummunotify_close}: {@code mmu_notifier_unregister}, {@code mmdrop}, the counter page freed (a mapping
         * of it keeps its own reference), every registration freed; unread reports are lost.
         */
        @Override
        public void release(File file) {
            kernel.tracePath("ummunotify_close");
            UmmunotifyFile f = (UmmunotifyFile) file.privateData();
            kernel.mmuNotifierUnregister(f.sub);
            kernel.putPage(f.counterPfn);
            f.regs.clear();
            f.invalidList.clear();
            f.needEmpty = false;
            f.released = true;
            files.remove(f);
        }
    };

    /**
     * {@code ummunotify-delivery}: every invalidation that hits a registration reaches the reader, as a report or as
     * an OVERFLOW event; only {@code ummunotify_queue=bounded_drop} can break it.
     */
    private final DeviceCheck delivery = new DeviceCheck() {
        @Override
        public String name() {
            return "ummunotify-delivery";
        }

        @Override
        public String doc() {
            return "every invalidation that hits a registration reaches its reader: a report, or an OVERFLOW event";
        }

        @Override
        public List<String> check() {
            List<String> out = null;
            for (UmmunotifyFile f : files) {
                if (f.lost > 0) {
                    if (out == null) {
                        out = new ArrayList<>();
                    }
                    out.add("ummunotify file " + f.id + " of mm " + f.mm.id() + " dropped the report of an "
                            + "invalidation that hit a registration, and its reader will never know");
                }
            }
            return out == null ? List.of() : out;
        }
    };

    /** The counter page references the open files hold (their {@code get_zeroed_page}). */
    private final PageReferences counterPages = new PageReferences() {
        @Override
        public String holder() {
            return "ummunotify";
        }

        @Override
        public void visit(Visitor v) {
            for (UmmunotifyFile f : files) {
                v.ref(f.counterPfn, 1);
            }
        }
    };

    /**
     * {@code ummunotify_handle_notify(start, end)}: under the file's lock, every registration that [start, end)
     * overlaps, walking the tree in order and stopping at the first whose start is at or past {@code end}: one not yet
     * queued is queued with an exact hint (the callback's range, unclipped); one already queued loses its hint. If any
     * was hit, the counter goes up by one and readers wake.
     */
    void handleNotify(UmmunotifyFile f, long start, long end) {
        kernel.tracePath("ummunotify_handle_notify");
        boolean hit = false;
        for (UmmunotifyFile.Reg r : f.regs) {
            // unsigned long, as in the kernel: a registration may reach the top of the address space (~0UL)
            if (Long.compareUnsigned(r.start, end) >= 0) {
                break;
            }
            if (Long.compareUnsigned(start, r.end) >= 0) {
                continue;
            }
            hit = true;
            if (!r.invalid && f.invalidList.size() >= QUEUE_MAX
                    && kernel.profile().ummunotifyQueue() != UmmunotifyQueue.UNBOUNDED) {
                // a bounded queue that is full: the report is lost, said or unsaid
                if (kernel.profile().ummunotifyQueue() == UmmunotifyQueue.BOUNDED_OVERFLOW) {
                    f.overflow = true;
                } else {
                    f.lost++;
                }
            } else if (!r.invalid) {
                r.invalid = true;
                f.invalidList.add(r);
                r.hint = true;
                r.hintStart = start;
                r.hintEnd = end;
            } else {
                r.hint = false;
            }
        }
        if (hit) {
            kernel.deviceWrite(f.counterPfn, 0, kernel.deviceRead(f.counterPfn, 0) + 1);
        }
    }

    @Override
    public String name() {
        return DEVICE;
    }

    @Override
    public void init(Exports k) {
        this.kernel = k;
        k.registerChrdev(DEVICE, fops);
        k.registerPageReferences(counterPages);
        k.registerCheck(delivery);
    }

    @Override
    public Driver copy(Exports k, Copier c) {
        UmmunotifyDriver d = new UmmunotifyDriver();
        d.init(k);
        c.pair(this, d);
        c.pair(fops, d.fops);
        c.pair(counterOps, d.counterOps);
        c.pair(notifierOps, d.notifierOps);
        c.pair(counterPages, d.counterPages);
        return d;
    }

    /** The open files' contexts, after the files whose private data they are (the VFS copies those). */
    @Override
    public void copyState(Driver original, Copier c) {
        for (UmmunotifyFile f : ((UmmunotifyDriver) original).files) {
            files.add(c.copy(f));
        }
    }
}
