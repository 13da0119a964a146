package org.mmsim.kernel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.mmsim.kernel.api.DeviceCheck;
import org.mmsim.kernel.api.DeviceMemory;
import org.mmsim.kernel.api.DeviceOwners;
import org.mmsim.kernel.api.Driver;
import org.mmsim.kernel.api.Exports;
import org.mmsim.kernel.api.SecondaryMmus;
import org.mmsim.kernel.dmabuf.DmaBufFops;
import org.mmsim.kernel.fs.Vfs;
import org.mmsim.kernel.iouring.IoUring;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.filemap.Filemap;
import org.mmsim.kernel.mm.fork.Fork;
import org.mmsim.kernel.mm.gup.Gup;
import org.mmsim.kernel.mm.gup.GupHolders;
import org.mmsim.kernel.mm.hmm.Hmm;
import org.mmsim.kernel.mm.memory.Memory;
import org.mmsim.kernel.mm.memory.Mmu;
import org.mmsim.kernel.mm.memory.Zap;
import org.mmsim.kernel.mm.migrate.Migrate;
import org.mmsim.kernel.mm.mmap.Madvise;
import org.mmsim.kernel.mm.mmap.Mmap;
import org.mmsim.kernel.mm.mmap.Mlock;
import org.mmsim.kernel.mm.mmap.Mprotect;
import org.mmsim.kernel.mm.mmap.Mremap;
import org.mmsim.kernel.mm.mmap.Msync;
import org.mmsim.kernel.mm.notifier.MmuNotifiers;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.page.PageFrames;
import org.mmsim.kernel.mm.page.PageReferences;
import org.mmsim.kernel.mm.rmap.Rmap;
import org.mmsim.kernel.proc.ProcMem;
import org.mmsim.kernel.proc.TaskMmu;
import org.mmsim.kernel.profile.KernelProfile;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.Footprint;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.syscall.FileSyscalls;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.task.Tasks;
import org.mmsim.kernel.trace.Journal;
import org.mmsim.kernel.trace.Tracer;

/**
 * One simulated machine running one kernel profile: boot, and the root of its state. Booting builds the mechanisms in
 * the order of the package layering (physical memory, the mm core, rmap, the page cache, faults and zap, migration,
 * GUP, the VFS, mappings, tasks, fork, procfs, the exported symbols, io_uring, the system-call tables) and hands each
 * the peers it uses; then it initialises the drivers it is given, as {@code module_init} does. The machine's state is
 * what its subsystems own ({@link MmCore}: memory and mms; {@link Tasks}; {@link Vfs}; {@link GupHolders}) plus what
 * drivers registered, and {@link #fingerprint} hashes exactly that, in that order.
 *
 * <p>The model is single-threaded and deterministic: the same calls in the same order give the same PFNs, addresses,
 * fds and journal, byte for byte. System calls are entered through {@link #syscalls()} and {@link #fileSyscalls()};
 * drivers reach the kernel through {@link Exports}.
 */
public final class Kernel {
    /** Default size of ZONE_NORMAL in frames (16 GiB); frames cost memory only once used. */
    public static final int DEFAULT_NORMAL_FRAMES = 1 << 22;
    /** Frames of device memory after RAM, for drivers to reserve at boot (VRAM apertures, SPU local stores). */
    public static final int DEVICE_FRAMES = 256;

    private final Tracer trace = new Tracer();
    private final Footprint footprint = new Footprint();
    private final MmCore core;
    private final Rmap rmap;
    private final Zap zap;
    private final Filemap filemap;
    private final GupHolders holders;
    private final MmuNotifiers notifiers;
    private final Gup gup;
    private final Vfs vfs;
    private final Tasks tasks;
    private final Fork fork;
    private final Exports exports;
    private final Mmu mmu;
    private final Memory memory;
    private final Madvise madvise;
    private final Syscalls syscalls;
    private final IoUring ioUring;
    private final FileSyscalls fileSyscalls;
    private final List<Hashable> driverState = new ArrayList<>();
    private final List<PageReferences> pageReferences = new ArrayList<>();
    /** The invariants drivers registered ({@link Exports#registerCheck}), in registration order. */
    private final List<DeviceCheck> deviceChecks = new ArrayList<>();
    private final SecondaryMmus secondaryMmus = new SecondaryMmus();
    private final List<DeviceMemory> deviceMemories = new ArrayList<>();
    private final List<Driver> drivers = new ArrayList<>();

    private Kernel(KernelProfile profile, int normalFrames, int movableFrames) {
        this(null, null, profile, 1 + normalFrames + movableFrames + DEVICE_FRAMES, normalFrames, movableFrames);
    }

    /**
     * Wires the mechanisms in the order of the package layering over physical memory: at boot over new frames, for a
     * copy over the copies of {@code o}'s. The mechanisms that state or a suspended call refers to (the mm core, the
     * VFS and its tables, GUP, fork, madvise, zap, io_uring's and drivers' tables) stand for {@code o}'s in the copy
     * ({@link #counterpart}, or paired by their owners), so that copied state points at the copy's; the copier fails on
     * a reference to any other, so a new such reference shows in {@code CopyTest} instead of leaving a copy pointing
     * into its original.
     */
    private Kernel(Kernel o, Copier c, KernelProfile profile, int nrFrames, int normalFrames, int movableFrames) {
        PageFrames frames;
        PageAlloc alloc;
        if (o == null) {
            frames = new PageFrames(nrFrames, trace, footprint);
            alloc = new PageAlloc(frames, trace, normalFrames, movableFrames, DEVICE_FRAMES);
            holders = new GupHolders();
        } else {
            // the mechanisms and tables below stand for o's wherever copied state refers to one: looked up only then
            c.counterparts(x -> counterpart(o, x));
            frames = c.copy(o.core.frames());
            alloc = c.copy(o.core.alloc());
            holders = new GupHolders();
        }
        core = new MmCore(profile, trace, footprint, frames, alloc);
        rmap = new Rmap(core);
        notifiers = new MmuNotifiers(core);
        filemap = new Filemap(core, rmap, notifiers);
        memory = new Memory(core, rmap, notifiers);
        zap = new Zap(core, rmap, notifiers);
        Migrate migrate = new Migrate(core, rmap, notifiers);
        gup = new Gup(core, memory, migrate, holders);
        vfs = new Vfs(core, filemap, gup, zap);
        Mmap mmap = new Mmap(core, zap, gup, vfs, notifiers);
        tasks = new Tasks(core, mmap);
        fork = new Fork(core, rmap, mmap, tasks, notifiers);
        exports = new Exports(core, gup, memory, vfs, zap, notifiers, new Hmm(core, memory, notifiers),
                migrate.device(), secondaryMmus, deviceMemories, driverState, pageReferences, deviceChecks,
                new DmaBufFops(trace, profile));
        mmu = new Mmu(core, memory);

        madvise = new Madvise(core, zap, notifiers, gup);
        syscalls = new Syscalls(core, tasks, mmu, mmap, new Mprotect(core, notifiers, gup), madvise, fork, gup,
                new TaskMmu(core, notifiers), new ProcMem(core, gup), exports, new Mlock(core, gup),
                new Msync(core, vfs), new Mremap(core, mmap, notifiers, gup));
        core.judgeDeviceAccessesWith(DeviceOwners.judgeOf(deviceMemories));
        core.detachments().holdersFrom((mm, addr, pfn) -> holders.longtermPinAt(mm, addr, pfn) ? "a long-term pin"
                : secondaryMmus.holder(mm, addr, pfn));
        ioUring = new IoUring(exports);
        fileSyscalls = new FileSyscalls(core, vfs, ioUring);
        if (o != null) {
            gup.pairWith(o.gup, c);
            ioUring.pairWith(o.ioUring, c);
            for (Driver d : o.drivers) {
                drivers.add(d.copy(exports, c));
            }
            vfs.copyFrom(o.vfs, c);
            core.copyFrom(o.core, c);
            tasks.copyFrom(o.tasks, c);
            holders.copyFrom(o.holders, c);
            notifiers.copyFrom(o.notifiers, c);
            secondaryMmus.copyFrom(o.secondaryMmus, c);
            for (int i = 0; i < drivers.size(); i++) {
                drivers.get(i).copyState(o.drivers.get(i), c);
            }
        }
    }

    /**
     * This machine's own object for {@code x}, one of the mechanisms, registries or tables of {@code o}, the machine it
     * is a copy of; null for anything else. Copied state and suspended calls refer to these (a VMA to the VFS's tables,
     * a call to GUP or the fault handler, a KVM driver to its kernel's exports), and the copier asks here only when it
     * meets such a reference, instead of pairing all of them at every copy; any other reference it cannot copy still
     * fails the copy, so a new one shows in {@code CopyTest}.
     */
    private Object counterpart(Kernel o, Object x) {
        return x == o.trace ? trace : x == o.footprint ? footprint : x == o.core ? core : x == o.holders ? holders
                : x == o.notifiers ? notifiers : x == o.filemap ? filemap : x == o.memory ? memory : x == o.zap ? zap
                : x == o.gup ? gup : x == o.vfs ? vfs : x == o.fork ? fork : x == o.mmu ? mmu : x == o.madvise ? madvise
                : x == o.exports ? exports : x == o.exports.dmaBufFops() ? exports.dmaBufFops() : null;
    }

    /**
     * Boot a machine with {@code normalFrames} frames in ZONE_NORMAL and {@code movableFrames} in ZONE_MOVABLE, and
     * initialise {@code drivers}.
     */
    public static Kernel boot(KernelProfile profile, int normalFrames, int movableFrames, List<Driver> drivers) {
        if (profile == null) {
            throw new IllegalArgumentException("profile must not be null");
        }
        if (normalFrames <= 0 || movableFrames < 0) {
            throw new IllegalArgumentException("zone sizes must be positive: normal=" + normalFrames
                    + " movable=" + movableFrames);
        }
        Kernel k = new Kernel(profile, normalFrames, movableFrames);
        for (Driver d : drivers) {
            d.init(k.exports);
            k.drivers.add(d);
        }
        return k;
    }

    /** Boot with no drivers. */
    public static Kernel boot(KernelProfile profile, int normalFrames, int movableFrames) {
        return boot(profile, normalFrames, movableFrames, List.of());
    }

    public static Kernel boot(KernelProfile profile) {
        return boot(profile, DEFAULT_NORMAL_FRAMES, 0);
    }

    public KernelProfile profile() {
        return core.profile();
    }

    /** The system calls of processes and memory, /proc, and the GUP test device. */
    public Syscalls syscalls() {
        return syscalls;
    }

    /** The system calls on file descriptors, pipes and io_uring. */
    public FileSyscalls fileSyscalls() {
        return fileSyscalls;
    }

    /** The EXPORT_SYMBOL list drivers were given. */
    public Exports exports() {
        return exports;
    }

    /** The drivers initialised at boot, by name. */
    public List<String> drivers() {
        return drivers.stream().map(Driver::name).toList();
    }

    /** Memory and the mm-level registries (frames, allocator, mms, anon_vmas, address spaces). */
    public MmCore mm() {
        return core;
    }

    public PageFrames frames() {
        return core.frames();
    }

    public PageAlloc pageAlloc() {
        return core.alloc();
    }

    /** The reverse map, to ask where a page is mapped ({@code rmap_walk}). */
    public Rmap rmap() {
        return rmap;
    }

    /** The task list. */
    public Tasks tasks() {
        return tasks;
    }

    /** Inodes, open files, pipes, devices. */
    public Vfs vfs() {
        return vfs;
    }

    /** The pages GUP handed to drivers and devices, and the FOLL_PIN counters. */
    public GupHolders gupHolders() {
        return holders;
    }

    /** Every mm's MMU-notifier subscriptions (mm/mmu_notifier.c). */
    public MmuNotifiers notifiers() {
        return notifiers;
    }

    /** The owners of device memory drivers registered, for the device-isolation invariant. */
    public List<DeviceMemory> deviceMemories() {
        // after every explored step the checks ask, mostly of a machine without devices: no view to make then
        return deviceMemories.isEmpty() ? List.of() : Collections.unmodifiableList(deviceMemories);
    }

    /** The devices' translation tables and their stale accesses, for the device-coherence invariant. */
    public SecondaryMmus secondaryMmus() {
        return secondaryMmus;
    }

    /** Page references drivers hold outside {@code pages[]} arrays (for the accounting invariant). */
    public List<DeviceCheck> deviceChecks() {
        return deviceChecks;
    }

    public List<PageReferences> pageReferences() {
        return pageReferences.isEmpty() ? List.of() : Collections.unmodifiableList(pageReferences);
    }

    /** A new process with an empty address space and no open files (as after {@code execve}). */
    public Task spawn(String comm) {
        return tasks.spawn(comm);
    }

    /** {@code clone(CLONE_VM|CLONE_FILES|CLONE_THREAD)}: a thread of {@code leader}'s process. */
    public Task cloneThread(Task leader, String comm) {
        return tasks.cloneThread(leader, comm);
    }

    /**
     * What a load by {@code t} at {@code addr} would return now, read without faulting or changing anything (see
     * {@code Mmu#peek}); null if it would raise a signal or {@code t} has exited.
     */
    public Long peek(Task t, long addr) {
        return t.exited() ? null : mmu.peek(t.mm(), addr);
    }

    /**
     * {@link #peek} of {@code addrs[0..n)} by {@code t}, which has not exited, in one pass
     * ({@link Mmu#peek(org.mmsim.kernel.mm.Mm, long[], int, long[], byte[])}): {@code status[k]} says whether
     * {@code words[k]} holds the word ({@link Mmu#PEEK_WORD}), the load would raise a signal ({@link Mmu#PEEK_SIGNAL}),
     * or {@link #peek} must be asked for that address ({@link Mmu#PEEK_ASK}).
     */
    public void peek(Task t, long[] addrs, int n, long[] words, byte[] status) {
        mmu.peek(t.mm(), addrs, n, words, status);
    }

    // ---- observers ------------------------------------------------------------------------------------------

    /**
     * Run {@code w} (null: nothing) every few thousand kernel functions entered, inside steps too: a time budget's
     * check, which may throw to abandon the machine ({@link Tracer#watchdog}).
     */
    public void watchdog(Runnable w) {
        trace.watchdog(w);
    }

    /** Attach a journal that will see every path and change from now on; null detaches it. */
    public void attach(Journal journal) {
        trace.attach(journal);
    }

    /** Tell {@code observer} (null: nobody) whenever a kernel call run from outside the kernel returns. */
    public void observeCalls(Tracer.CallObserver observer) {
        trace.observeCalls(observer);
    }

    // ---- exploration support --------------------------------------------------------------------------------

    /**
     * A 64-bit canonical hash of the machine's entire mutable state, for an explorer's visited set: machines in equal
     * states give equal fingerprints, and any change a kernel call makes changes it (but for a 2^-64 chance). Objects
     * are named by ids and addresses, never by Java identity. Covered: {@link MmCore} (clock, allocator, every frame
     * ever allocated and the zero page, mms with their locks, VMAs and ptes, anon_vmas, address spaces, pending
     * observations), {@link Tasks} (tasks and fd tables), {@link Vfs} (inodes, files with their private data, pipes,
     * names), {@link GupHolders}, and driver state, each by its own {@code hashInto}. Left out: the tracer (an
     * observer), the profile (fixed per machine), the footprint accumulator, and suspended kernel calls, which their
     * owner fingerprints. Does not disturb footprint tracking.
     */
    public long fingerprint() {
        StateHasher h = new StateHasher();
        hashInto(h);
        return h.value();
    }

    /**
     * Feed what {@link #fingerprint} covers to {@code h}, for a caller that hashes more around it (the explorer's
     * fingerprint of a run), so that the machine's values join its hash instead of being folded into one of their own.
     */
    public void hashInto(StateHasher h) {
        boolean tracking = footprint.on();
        footprint.track(false);
        try {
            core.hashInto(h);
            tasks.hashInto(h);
            vfs.hashInto(h);
            holders.hashInto(h);
            notifiers.hashInto(h);
            secondaryMmus.hashInto(h);
            h.add(driverState.size());
            for (int i = 0; i < driverState.size(); i++) { // indexed: fingerprinted at every explored state
                driverState.get(i).hashInto(h);
            }
        } finally {
            footprint.track(tracking);
        }
    }

    /**
     * Start or stop recording which resources kernel calls touch; see {@link Footprint} for the bits and, above all,
     * for what they do not cover. Stopping keeps the bits accumulated so far.
     */
    public void trackFootprint(boolean on) {
        footprint.track(on);
    }

    /** The {@link Footprint} bits accumulated since the last take (0 if tracking was off); resets them. */
    public long takeFootprint() {
        return footprint.take();
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    /**
     * An independent copy of this machine in its current state, for an explorer that keeps states as values: later
     * calls on either do not affect the other. The copy has its own mechanisms (built as at boot) and copies of every
     * piece of state {@link #fingerprint} covers, so its fingerprint is this machine's; frames and PTE tables are
     * shared until one side writes them, so a copy costs the objects it copies (mms, VMAs, tasks, files, ...) plus
     * the sections a later step touches. The copy has no journal or call observer attached, and footprint tracking
     * is off.
     */
    public Kernel copy() {
        Copier c = new Copier();
        try {
            return copy(c);
        } finally {
            c.finish();
        }
    }

    /**
     * {@link #copy()} with the copier of a larger copy (a scenario run and its suspended calls), whose maker calls
     * {@link Copier#finish} when all of it is copied.
     */
    public Kernel copy(Copier c) {
        return new Kernel(this, c, core.profile(), 0, 0, 0);
    }
}
