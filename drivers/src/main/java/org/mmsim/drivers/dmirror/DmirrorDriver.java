package org.mmsim.drivers.dmirror;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mmsim.drivers.hmm.MirrorFaultCall;
import org.mmsim.kernel.api.Driver;
import org.mmsim.kernel.api.Exports;
import org.mmsim.kernel.api.SecondaryMmu;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.fs.FileOperations;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.hmm.HmmRange;
import org.mmsim.kernel.mm.notifier.MmuIntervalNotifier;
import org.mmsim.kernel.mm.notifier.MmuIntervalNotifierOps;
import org.mmsim.kernel.mm.notifier.MmuNotifierEvent;
import org.mmsim.kernel.mm.notifier.MmuNotifierRange;
import org.mmsim.kernel.mm.page.DevPagemapOps;
import org.mmsim.kernel.mm.pgtable.PageTable;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code /dev/hmm_dmirror}: lib/test_hmm.c's {@code dmirror}, a pretend device that mirrors a process's address space
 * with its own page table ({@code dmirror->pt}, an xarray of page → PFN tagged writable) kept coherent by an interval
 * notifier over the whole user address space ({@code mmu_interval_notifier_insert(&dmirror->notifier, mm, 0,
 * ULONG_MAX & PAGE_MASK, &dmirror_min_ops)}). {@link #HMM_DMIRROR_READ} and {@link #HMM_DMIRROR_WRITE} access a word
 * through the mirror's entry, faulting it in first with {@code dmirror_fault} → {@code dmirror_range_fault}: the HMM
 * loop of {@link MirrorFaultCall} (read_begin; {@code mmap_read_lock} + {@code hmm_range_fault}; {@code
 * dmirror->mutex} + read_retry; {@code dmirror_do_fault} updates the table). {@code ->invalidate}
 * ({@code dmirror_interval_invalidate}) takes the mutex, sets the sequence and erases the entries in range
 * ({@code dmirror_do_update}). The tables are registered as a secondary MMU ({@code device-coherence}).
 *
 * <p>Four devices, as test_hmm has ({@code DMIRROR_NDEVICES}): {@code /dev/hmm_dmirror} (unit 0) and
 * {@code hmm_dmirror1} would have device-private memory, which the model lacks, so they only mirror; {@code
 * hmm_dmirror2} and {@code hmm_dmirror3} have {@value #COHERENT_PAGES} pages of {@code MEMORY_DEVICE_COHERENT} memory
 * each (test_hmm's {@code spm_addr_dev0}/{@code spm_addr_dev1}), where the profile has it
 * ({@code Switch.DEVICE_COHERENT}, 6.0): {@link #HMM_DMIRROR_MIGRATE_TO_DEV} moves a range there
 * ({@code dmirror_migrate_to_device}), {@link #HMM_DMIRROR_MIGRATE_TO_SYS} back ({@code dmirror_migrate_to_system}),
 * and {@link #HMM_DMIRROR_SNAPSHOT} reports what the CPU page table maps without faulting ({@code dmirror_snapshot}).
 * The free pages of each device are a stack ({@code mdevice->free_pages}); a page comes back through
 * {@code dmirror_devmem_free} when its last reference goes.
 *
 * <p>Simplifications: READ and WRITE access one word (npages 1), the word being the ioctl's return value instead of
 * a copy to a user buffer; the migrations return {@code cmd.cpages} and SNAPSHOT the permission bytes of up to seven
 * pages packed into one value, page 0 in the low byte. The model's {@code ->open} does not see {@code current}, so
 * the mirror binds to the mm of the first ioctl's caller and inserts its notifier then (test_hmm does both at open;
 * the scenarios open and use the device from the same process).
 */
public final class DmirrorDriver implements Driver {
    /** The device node: {@code /dev/hmm_dmirror}. */
    public static final String DEVICE = "hmm_dmirror";
    /** {@code HMM_DMIRROR_READ}: args addr, npages (1); returns the word. */
    public static final int HMM_DMIRROR_READ = 0;
    /** {@code HMM_DMIRROR_WRITE}: args addr, npages (1), value. */
    public static final int HMM_DMIRROR_WRITE = 1;
    /** {@code HMM_DMIRROR_MIGRATE_TO_DEV}: args addr, npages; returns {@code cmd.cpages}. */
    public static final int HMM_DMIRROR_MIGRATE_TO_DEV = 2;
    /** {@code HMM_DMIRROR_MIGRATE_TO_SYS}: args addr, npages; returns {@code cmd.cpages}. */
    public static final int HMM_DMIRROR_MIGRATE_TO_SYS = 3;
    /** {@code HMM_DMIRROR_SNAPSHOT}: args addr, npages (1 to 7); returns the {@code HMM_DMIRROR_PROT_*} bytes. */
    public static final int HMM_DMIRROR_SNAPSHOT = 4;
    /** The most pages one SNAPSHOT reports: seven bytes keep the packed value positive. */
    public static final int SNAPSHOT_MAX_PAGES = 7;
    /** {@code HMM_DMIRROR_PROT_*} (lib/test_hmm_uapi.h). */
    public static final int PROT_ERROR = 0xFF;
    public static final int PROT_NONE = 0x00;
    public static final int PROT_READ = 0x01;
    public static final int PROT_WRITE = 0x02;
    public static final int PROT_ZERO = 0x10;
    public static final int PROT_DEV_COHERENT_LOCAL = 0x40;
    public static final int PROT_DEV_COHERENT_REMOTE = 0x50;
    /** {@code DMIRROR_NDEVICES}. */
    public static final int NDEVICES = 4;
    /** The first unit with device-coherent memory. */
    public static final int FIRST_COHERENT = 2;
    /** Pages of coherent memory per coherent device (test_hmm's chunk is 256 MiB; a scenario needs a few). */
    public static final int COHERENT_PAGES = 16;

    Exports kernel;
    final Table table = new Table();

    /** The device node of {@code unit}: {@code hmm_dmirror} for unit 0, as before there were four. */
    public static String deviceName(int unit) {
        return unit == 0 ? DEVICE : DEVICE + unit;
    }

    /** Every open mirror bound to an mm, in binding order, the next mirror id, and the coherent devices. */
    static final class Table implements Hashable {
        final List<Dmirror> mirrors = new ArrayList<>();
        int nextId = 1;
        /** By unit: its coherent memory, or null (units 0 and 1, or a profile without it). */
        final DmirrorDevice[] devices = new DmirrorDevice[NDEVICES];

        @Override
        public void hashInto(StateHasher h) {
            h.add(nextId).add(mirrors.size());
            for (Dmirror d : mirrors) {
                d.hashContents(h);
            }
            for (DmirrorDevice m : devices) {
                if (m != null) {
                    m.hashInto(h);
                }
            }
        }
    }

    /** {@code struct dmirror}, the file's private data. */
    static final class Dmirror extends StateObject implements Hashable {
        /** The device it was opened on ({@code dmirror->mdevice}). */
        final int unit;
        /** 0 until bound. */
        int id;
        Mm mm;
        MmuIntervalNotifier mni;
        /** {@code dmirror->pt}: page address → HMM entry (PFN | VALID | WRITE). */
        final TreeMap<Long, Long> pt = new TreeMap<>();
        boolean released;

        Dmirror(int unit) {
            this.unit = unit;
        }

        @Override
        public void hashInto(StateHasher h) {
            h.add(unit).add(id).add(released);
        }

        void hashContents(StateHasher h) {
            h.add(unit).add(id).add(mm.id()).add(mni == null ? 0 : mni.id()).add(released).add(pt.size());
            for (Map.Entry<Long, Long> e : pt.entrySet()) {
                h.add(e.getKey()).add(e.getValue());
            }
        }

        @Override
        public Dmirror copy(Copier c) {
            Dmirror d = c.pair(this, new Dmirror(unit));
            d.id = id;
            d.mm = c.copy(mm);
            d.mni = c.copy(mni);
            d.pt.putAll(pt);
            d.released = released;
            return d;
        }
    }

    /** {@code dmirror_min_ops}. */
    private final MmuIntervalNotifierOps notifierOps = new MmuIntervalNotifierOps() {
        @Override
        public String name() {
            return "dmirror_min_ops";
        }

        /**
         * {@code dmirror_interval_invalidate}: under {@code dmirror->mutex}, {@code mmu_interval_set_seq}, then erase
         * the mirror's entries in [start, end) ({@code dmirror_do_update}).
         */
        @Override
        public boolean invalidate(MmuIntervalNotifier mni, MmuNotifierRange range, long curSeq) {
            kernel.tracePath("dmirror_interval_invalidate");
            for (Dmirror d : table.mirrors) {
                // "Ignore invalidation callbacks for device private pages since the invalidation is handled as
                // part of the migration process": a migration this device started names it as the owner
                if (d.mni == mni && range.event() == MmuNotifierEvent.MIGRATE && range.owner() == table.devices[d.unit]
                        && range.owner() != null) {
                    return true;
                }
            }
            mni.setSeq(curSeq);
            for (Dmirror d : table.mirrors) {
                if (d.mni == mni) {
                    d.pt.subMap(range.start(), range.end()).clear();
                }
            }
            return true;
        }
    };

    final SecondaryMmu view = new SecondaryMmu() {
        @Override
        public String name() {
            return "hmm_dmirror";
        }

        @Override
        public void forEachEntry(Entries out) {
            for (Dmirror d : table.mirrors) {
                for (Map.Entry<Long, Long> e : d.pt.entrySet()) {
                    long v = e.getValue();
                    out.entry(d.mm, e.getKey(), (int) (v & HmmRange.PFN_MASK), (v & HmmRange.WRITE) != 0);
                }
            }
        }
    };

    /** The devices' {@code dmirror_fops}, by unit (each knows its {@code mdevice}). */
    private final FileOperations[] fops = new FileOperations[NDEVICES];

    {
        for (int u = 0; u < NDEVICES; u++) {
            fops[u] = newFops(u);
        }
    }

    /** {@code dmirror_devmem_ops}: a coherent page whose last reference went is its device's again. */
    private final DevPagemapOps devmemOps = new DevPagemapOps() {
        @Override
        public String name() {
            return "dmirror_devmem_ops";
        }

        /** {@code dmirror_devmem_free}: back on {@code mdevice->free_pages}, {@code cfree++}. */
        @Override
        public void folioFree(int pfn) {
            kernel.tracePath("dmirror_devmem_free");
            for (DmirrorDevice m : table.devices) {
                if (m != null && m.owns(pfn)) {
                    m.push(pfn);
                    return;
                }
            }
            throw new IllegalStateException("dmirror_devmem_free of pfn " + pfn + ", no device's");
        }
    };

    private FileOperations newFops(int unit) {
        return new FileOperations() {
            @Override
            public String name() {
                return "dmirror_fops";
            }

            /**
             * {@code dmirror_fops_open}: a new mirror with an empty table (bound at the first ioctl, see above); a
             * coherent unit's memory is mapped at its first open ({@link #allocateChunk}).
             */
            @Override
            public int open(File file) {
                int err = allocateChunk(unit);
                if (err < 0) {
                    return err;
                }
                file.setPrivateData(new Dmirror(unit));
                return 0;
            }

            /** {@code dmirror_fops_unlocked_ioctl}. */
            @Override
            public KernelCall<Void> ioctlCall(File file, Mm current, int cmd, long[] args) {
                Dmirror d = (Dmirror) file.privateData();
                if (cmd == HMM_DMIRROR_MIGRATE_TO_DEV || cmd == HMM_DMIRROR_MIGRATE_TO_SYS
                        || cmd == HMM_DMIRROR_SNAPSHOT) {
                    return new MigrateCall(DmirrorDriver.this, d, current, cmd, args);
                }
                boolean write = cmd == HMM_DMIRROR_WRITE;
                if ((cmd != HMM_DMIRROR_READ && !write) || args.length < (write ? 3 : 2)) {
                    // "default: return -EINVAL" for a command test_hmm does not know, as for too few arguments
                    return new DmirrorAccess(DmirrorDriver.this, d, current, 0, false, 0, -Errno.EINVAL);
                }
                long err = args[1] != 1 ? -Errno.EINVAL : 0;
                return new DmirrorAccess(DmirrorDriver.this, d, current, args[0], write, write ? args[2] : 0, err);
            }

            /** {@code dmirror_fops_release}: the notifier is removed and the table freed. */
            @Override
            public void release(File file) {
                kernel.tracePath("dmirror_fops_release");
                Dmirror d = (Dmirror) file.privateData();
                if (d.mni != null) {
                    kernel.mmuIntervalNotifierRemove(d.mni);
                    d.mni = null;
                    d.pt.clear();
                    table.mirrors.remove(d);
                }
                d.released = true;
            }
        };
    }

    @Override
    public String name() {
        return DEVICE;
    }

    /** {@code hmm_dmirror_init}: the four devices (units 2 and 3 only where the profile has coherent memory). */
    @Override
    public void init(Exports k) {
        register(k);
    }

    /**
     * {@code dmirror_allocate_chunk} → {@code memremap_pages} of a coherent unit's memory, every page put on its free
     * list. test_hmm does it at {@code module_init}; the model does it when the unit is first opened, so that the
     * machines of scenarios that never open one carry no device pages for the invariants to check.
     *
     * @return 0, or -ENOMEM when the machine's device memory is used up
     */
    private int allocateChunk(int unit) {
        if (unit < FIRST_COHERENT || table.devices[unit] != null) {
            return 0;
        }
        int first = kernel.memremapPages(COHERENT_PAGES, devmemOps);
        if (first < 0) {
            return first; // -ENOMEM: the machine's device region is used up, and the open fails
        }
        table.devices[unit] = new DmirrorDevice(unit, first, kernel.pagemapOf(first), COHERENT_PAGES);
        return 0;
    }

    /** The chrdevs and tables every machine's driver registers, at boot and in a copy. */
    private void register(Exports k) {
        this.kernel = k;
        boolean coherent = k.profile().on(Switch.DEVICE_COHERENT);
        for (int u = 0; u < NDEVICES; u++) {
            if (u < FIRST_COHERENT || coherent) {
                k.registerChrdev(deviceName(u), fops[u]);
            }
        }
        k.registerState(table);
        k.registerSecondaryMmu(view);
    }

    @Override
    public Driver copy(Exports k, Copier c) {
        DmirrorDriver d = new DmirrorDriver();
        d.register(k);
        c.pair(this, d);
        for (int u = 0; u < NDEVICES; u++) {
            c.pair(fops[u], d.fops[u]);
        }
        c.pair(devmemOps, d.devmemOps);
        c.pair(notifierOps, d.notifierOps);
        c.pair(view, d.view);
        c.pair(table, d.table);
        d.table.nextId = table.nextId;
        // one registration per pagemap mapped (every one of them has these ops, so their order does not matter)
        for (DmirrorDevice m : table.devices) {
            if (m != null) {
                d.table.devices[m.unit] = new DmirrorDevice(m);
                k.registerPagemapOps(d.devmemOps);
            }
        }
        return d;
    }

    /** The mirrors, once the machine's mms and files are copied (a mirror names its mm). */
    @Override
    public void copyState(Driver original, Copier c) {
        for (Dmirror m : ((DmirrorDriver) original).table.mirrors) {
            table.mirrors.add(c.copy(m));
        }
    }

    /** The mirror follows {@code mm} from now on: its interval notifier over the whole user address space. */
    void bind(Dmirror d, Mm mm) {
        kernel.tracePath("mmu_interval_notifier_insert");
        d.id = table.nextId++;
        d.mm = mm;
        d.mni = kernel.mmuIntervalNotifierInsert(mm, 0, PageTable.TASK_SIZE, notifierOps);
        table.mirrors.add(d);
    }
}
