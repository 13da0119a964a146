package org.mmsim.kernel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.mmsim.kernel.profile.KernelProfile;
import org.mmsim.kernel.profile.Switch;

/**
 * One simulated machine running one kernel profile: physical memory, tasks and their mms, pipes, and the
 * references GUP callers hold. This is the model's front door: its public methods are the system calls and
 * kernel entry points a scenario or a driver may use, each returning what the kernel returns (a value or a
 * negative errno), never throwing for anything a user could do.
 *
 * <p>The model is single-threaded and deterministic: the same calls in the same order give the same PFNs,
 * addresses and journal, byte for byte.
 */
public final class Kernel {
    /** Default size of ZONE_NORMAL in frames (16 GiB); frames cost memory only once used. */
    public static final int DEFAULT_NORMAL_FRAMES = 1 << 22;

    final KernelProfile profile;
    final PageFrames frames;
    final PageAlloc alloc;
    Journal journal;

    final Rmap rmap;
    final Memory memory;
    final Unmap unmap;
    final Mmu mmu;
    final Mmap mmap;
    final Mprotect mprotect;
    final Madvise madvise;
    final Fork fork;
    final Gup gup;
    final Splice splice;

    private final List<Task> tasks = new ArrayList<>();
    private final List<Mm> mms = new ArrayList<>();
    private final List<int[]> lineage = new ArrayList<>();
    private final List<AnonVma> anonVmas = new ArrayList<>();
    private final List<Pipe> pipes = new ArrayList<>();
    private final List<GupPages> gupHolders = new ArrayList<>();
    private final List<Observation> observations = new ArrayList<>();
    int nextAnonVmaId = 1;
    int nextMmioPfn;
    private int nextPid = 1;
    private int time;
    long nrFollPinAcquired;
    long nrFollPinReleased;

    private Kernel(KernelProfile profile, int normalFrames, int movableFrames) {
        this.profile = profile;
        this.frames = new PageFrames(1 + normalFrames + movableFrames);
        this.alloc = new PageAlloc(frames, normalFrames, movableFrames);
        this.rmap = new Rmap(this);
        this.memory = new Memory(this);
        this.unmap = new Unmap(this);
        this.mmu = new Mmu(this);
        this.mmap = new Mmap(this);
        this.mprotect = new Mprotect(this);
        this.madvise = new Madvise(this);
        this.fork = new Fork(this);
        this.gup = new Gup(this);
        this.splice = new Splice(this);
    }

    /** Boot a machine with {@code normalFrames} frames in ZONE_NORMAL and {@code movableFrames} in ZONE_MOVABLE. */
    public static Kernel boot(KernelProfile profile, int normalFrames, int movableFrames) {
        if (profile == null) {
            throw new IllegalArgumentException("profile must not be null");
        }
        if (normalFrames <= 0 || movableFrames < 0) {
            throw new IllegalArgumentException("zone sizes must be positive: normal=" + normalFrames
                    + " movable=" + movableFrames);
        }
        return new Kernel(profile, normalFrames, movableFrames);
    }

    public static Kernel boot(KernelProfile profile) {
        return boot(profile, DEFAULT_NORMAL_FRAMES, 0);
    }

    public KernelProfile profile() {
        return profile;
    }

    public PageFrames frames() {
        return frames;
    }

    public PageAlloc pageAlloc() {
        return alloc;
    }

    /** Attach a journal that will see every change from now on; null detaches it. */
    public void setJournal(Journal journal) {
        this.journal = journal;
        frames.journal = journal;
    }

    void path(String function) {
        if (journal != null) {
            journal.path(function);
        }
    }

    void note(String change) {
        if (journal != null) {
            journal.note(change);
        }
    }

    /** The kernel's event clock: advanced by every user store and every fork. */
    public int time() {
        return time;
    }

    private int tick() {
        return ++time;
    }

    // ---- tasks and mms ------------------------------------------------------------------------------------

    private Mm newMm(int parentId, int forkTime) {
        Mm mm = new Mm(this, mms.size() + 1);
        mms.add(mm);
        lineage.add(new int[] {parentId, forkTime});
        return mm;
    }

    /** A new process with an empty address space (as after {@code execve}). */
    public Task spawn(String comm) {
        Task t = new Task(nextPid, nextPid, comm, newMm(0, tick()));
        nextPid++;
        tasks.add(t);
        return t;
    }

    /** {@code clone(CLONE_VM|CLONE_THREAD)}: a thread of {@code leader}'s process sharing its mm. */
    public Task cloneThread(Task leader, String comm) {
        requireLive(leader);
        Task t = new Task(nextPid++, leader.tgid(), comm, leader.mm);
        leader.mm.users++;
        tasks.add(t);
        return t;
    }

    public List<Task> tasks() {
        return Collections.unmodifiableList(tasks);
    }

    /** Every mm ever created, by id (ids start at 1). */
    public List<Mm> mms() {
        return Collections.unmodifiableList(mms);
    }

    /** The id of the mm {@code mmId} was forked from, or 0. */
    public int mmParent(int mmId) {
        return lineage.get(mmId - 1)[0];
    }

    /** The event time at which mm {@code mmId} was created by fork (or spawned). */
    public int mmForkTime(int mmId) {
        return lineage.get(mmId - 1)[1];
    }

    AnonVma anonVma(int id) {
        return id <= 0 || id > anonVmas.size() ? null : anonVmas.get(id - 1);
    }

    private static void requireLive(Task t) {
        if (t.mm == null) {
            throw new IllegalStateException(t + " has exited");
        }
    }

    // ---- system calls -------------------------------------------------------------------------------------

    /** {@code mmap(addr, len, prot, flags, -1, 0)}: an anonymous mapping. See {@link Mmap#doMmap}. */
    public long mmap(Task t, long addr, long len, int prot, int flags) {
        requireLive(t);
        return mmap.doMmap(t.mm, addr, len, prot, flags);
    }

    /**
     * {@code mmap()} of a device that maps MMIO with {@code remap_pfn_range}: a VM_IO|VM_PFNMAP mapping. See
     * {@link Mmap#mmapPfnRange}.
     */
    public long mmapDevice(Task t, long len, int prot) {
        requireLive(t);
        return mmap.mmapPfnRange(t.mm, len, prot);
    }

    /** {@code munmap(addr, len)}. See {@link Mmap#doMunmap}. */
    public long munmap(Task t, long addr, long len) {
        requireLive(t);
        return mmap.doMunmap(t.mm, addr, len);
    }

    /** {@code mprotect(addr, len, prot)}. See {@link Mprotect#mprotect}. */
    public long mprotect(Task t, long addr, long len, int prot) {
        requireLive(t);
        return mprotect.mprotect(t.mm, addr, len, prot);
    }

    /** {@code madvise(addr, len, advice)}. See {@link Madvise#madvise}. */
    public long madvise(Task t, long addr, long len, int advice) {
        requireLive(t);
        return madvise.madvise(t.mm, addr, len, advice);
    }

    /**
     * {@code fork()} (kernel/fork.c {@code copy_process} → {@code dup_mm}). The child does not inherit
     * MMF_HAS_PINNED.
     *
     * @return the child task, or null when memory ran out ({@code -ENOMEM}; the half-built child is torn down)
     */
    public Task fork(Task parent, String comm) {
        requireLive(parent);
        path("copy_process");
        Mm child = newMm(parent.mm.id(), tick());
        note("mm " + child.id() + " forked from mm " + parent.mm.id());
        if (fork.dupMmap(parent.mm, child) != 0) {
            mmap.exitMmap(child);
            return null;
        }
        Task t = new Task(nextPid, nextPid, comm, child);
        nextPid++;
        tasks.add(t);
        return t;
    }

    /** {@code exit()}: {@code exit_mm}; the last user of the mm runs {@code exit_mmap}. */
    public void exit(Task t) {
        requireLive(t);
        path("do_exit");
        Mm mm = t.mm;
        t.mm = null;
        if (--mm.users == 0) {
            mmap.exitMmap(mm);
        }
    }

    /**
     * A user-space 64-bit load at {@code addr} (8-byte aligned, within the first
     * {@link PageFrames#PAGE_WORDS} words of its page).
     *
     * @return the value, or null if the access raised SIGSEGV/SIGBUS (see {@link #lastSignal})
     */
    public Long load(Task t, long addr) {
        requireLive(t);
        if (!userAddress(addr)) {
            lastSignal = Mmu.SIGSEGV;
            return null;
        }
        int word = wordOf(addr);
        int pfn = mmu.access(t.mm, addr, false);
        if (pfn < 0) {
            lastSignal = -pfn;
            return null;
        }
        if (pfn >= frames.nrFrames()) {
            return -1L;
        }
        if (pfn != PageAlloc.ZERO_PFN) {
            observe(t.mm.id(), pfn, "load");
        }
        return frames.word(pfn, word);
    }

    /**
     * A user-space 64-bit store of {@code value} at {@code addr}.
     *
     * @return 0, or the signal the access raised ({@code SIGSEGV} = 11, {@code SIGBUS} = 7)
     */
    public int store(Task t, long addr, long value) {
        requireLive(t);
        if (!userAddress(addr)) {
            lastSignal = Mmu.SIGSEGV;
            return Mmu.SIGSEGV;
        }
        int word = wordOf(addr);
        int pfn = mmu.access(t.mm, addr, true);
        if (pfn < 0) {
            lastSignal = -pfn;
            return -pfn;
        }
        if (pfn >= frames.nrFrames()) {
            return 0;
        }
        frames.setWord(pfn, word, value);
        frames.setWriter(pfn, t.mm.id(), tick());
        return 0;
    }

    /**
     * What a load by {@code t} at {@code addr} would return now, read without faulting or changing anything: an
     * untouched anonymous address reads 0 (it would fault in the zero page).
     *
     * @return the value, or null if the load would raise SIGSEGV (no VMA, no read permission, task exited)
     */
    public Long peek(Task t, long addr) {
        if (t.mm == null || !userAddress(addr)) {
            return null;
        }
        int word = wordOf(addr);
        Vma vma = t.mm.vmaAt(addr);
        if (vma == null || !vma.has(VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_EXEC)) {
            return null;
        }
        long pte = t.mm.pte(addr);
        if (!Pte.present(pte)) {
            return 0L;
        }
        int pfn = Pte.pfn(pte);
        return pfn >= frames.nrFrames() ? -1L : frames.word(pfn, word);
    }

    private int lastSignal;

    /** The signal raised by the last failed {@link #load}. */
    public int lastSignal() {
        return lastSignal;
    }

    /** Below {@code TASK_SIZE} and not negative (a failed mmap's -errno used as an address is not). */
    private static boolean userAddress(long addr) {
        return addr >= 0 && addr < PageTable.TASK_SIZE;
    }

    private static int wordOf(long addr) {
        long off = addr & (PageTable.PAGE_SIZE - 1);
        if ((off & 7) != 0 || off >= 8L * PageFrames.PAGE_WORDS) {
            throw new IllegalArgumentException(String.format(
                    "address %#x: only 8-byte aligned offsets below %d within a page are modelled", addr,
                    8 * PageFrames.PAGE_WORDS));
        }
        return (int) (off >>> 3);
    }

    // ---- GUP ----------------------------------------------------------------------------------------------

    /**
     * {@code get_user_pages()} (FOLL_GET) / {@code pin_user_pages()} (FOLL_PIN) and their {@code _fast}
     * variants, as a driver calls them on behalf of {@code t}.
     *
     * @param pin FOLL_PIN rather than FOLL_GET
     * @param fast GUP-fast first, then the slow path
     * @param gupFlags the caller's FOLL_* flags ({@link #FOLL_WRITE}, {@link #FOLL_FORCE}, {@link #FOLL_LONGTERM})
     * @return the pages held; {@link GupPages#ret()} is the count or -errno: -EINVAL for FOLL_GET/FOLL_PIN or
     *     an unknown flag passed by the caller, -ENOSYS for pin_user_pages on a kernel without FOLL_PIN
     */
    public GupPages gup(Task t, long start, int nrPages, int gupFlags, boolean pin, boolean fast) {
        requireLive(t);
        path((pin ? "pin_user_pages" : "get_user_pages") + (fast ? "_fast" : ""));
        int flags = gupFlags | (pin ? Gup.FOLL_PIN : Gup.FOLL_GET) | Gup.FOLL_TOUCH;
        GupPages g = new GupPages(t.mm, start, nrPages, flags);
        if ((gupFlags & ~Gup.FOLL_PUBLIC) != 0 || nrPages <= 0
                || ((gupFlags & Gup.FOLL_LONGTERM) != 0 && !profile.on(Switch.FOLL_LONGTERM))) {
            g.ret = -Errno.EINVAL;
            return g;
        }
        if (pin && !profile.on(Switch.FOLL_PIN)) {
            g.ret = -Errno.ENOSYS;
            return g;
        }
        g.ret = fast ? gup.getUserPagesFast(t.mm, start, nrPages, flags, g.pfns)
                : gup.getUserPagesInternal(t.mm, start, nrPages, flags, g.pfns);
        g.nr = (int) Math.max(g.ret, 0);
        if (g.nr > 0) {
            gupHolders.add(g);
        }
        return g;
    }

    public static final int FOLL_WRITE = Gup.FOLL_WRITE;
    public static final int FOLL_FORCE = Gup.FOLL_FORCE;
    public static final int FOLL_LONGTERM = Gup.FOLL_LONGTERM;
    public static final int FOLL_NOFAULT = Gup.FOLL_NOFAULT;
    public static final int GUP_PIN_COUNTING_BIAS = Gup.GUP_PIN_COUNTING_BIAS;

    /**
     * {@code unpin_user_pages()} (or {@code unpin_user_pages_dirty_lock()} with {@code makeDirty}) for pins,
     * {@code put_page()} for references: give the pages back.
     *
     * @return 0, or -EINVAL if they were already released
     */
    public long release(GupPages g, boolean makeDirty) {
        if (g.released) {
            return -Errno.EINVAL;
        }
        path(g.pinned() ? (makeDirty ? "unpin_user_pages_dirty_lock" : "unpin_user_pages") : "put_page");
        for (int i = 0; i < g.nr; i++) {
            if (makeDirty && g.pfns[i] != PageAlloc.ZERO_PFN) {
                frames.set(g.pfns[i], PageFlags.PG_DIRTY);
            }
            gup.gupPutPage(g.pfns[i], g.gupFlags());
        }
        g.released = true;
        gupHolders.remove(g);
        return 0;
    }

    /** A device reads word {@code word} of page {@code i} through the pages it holds (DMA from memory). */
    public long dmaRead(GupPages g, int i, int word) {
        return frames.word(g.pfn(i), word);
    }

    /** A device writes through the pages it holds (DMA to memory); the data belongs to the pinning mm. */
    public void dmaWrite(GupPages g, int i, int word, long value) {
        int pfn = g.pfn(i);
        if (pfn == PageAlloc.ZERO_PFN) {
            throw new KernelBug("zero_page_write", "DMA write into the shared zero page");
        }
        frames.setWord(pfn, word, value);
        frames.setWriter(pfn, g.mm().id(), tick());
    }

    /** Live GUP references and pins, in the order they were taken. */
    public List<GupPages> gupHolders() {
        return Collections.unmodifiableList(gupHolders);
    }

    /** {@code nr_foll_pin_acquired} and {@code nr_foll_pin_released} from /proc/vmstat. */
    public long nrFollPinAcquired() {
        return nrFollPinAcquired;
    }

    public long nrFollPinReleased() {
        return nrFollPinReleased;
    }

    // ---- pipes --------------------------------------------------------------------------------------------

    /** {@code pipe()}: a new, empty pipe. */
    public Pipe pipe() {
        Pipe p = new Pipe(pipes.size() + 1);
        pipes.add(p);
        return p;
    }

    public List<Pipe> pipes() {
        return Collections.unmodifiableList(pipes);
    }

    /** {@code vmsplice(fd, iov={addr, len}, 1, 0)}. See {@link Splice#vmspliceToPipe}. */
    public long vmsplice(Task t, Pipe p, long addr, long len) {
        requireLive(t);
        return splice.vmspliceToPipe(t.mm, p, addr, len);
    }

    /** {@code write(fd, &value, 8)} to a pipe. See {@link Splice#pipeWrite} for the errnos. */
    public long pipeWrite(Pipe p, long value) {
        return splice.pipeWrite(p, value);
    }

    /** {@code read()} of one buffer from a pipe, returning word {@code word} of it. See {@link Splice#pipeRead}. */
    public Pipe.Read pipeRead(Pipe p, int word) {
        if (word < 0 || word >= PageFrames.PAGE_WORDS) {
            throw new IllegalArgumentException("word " + word + " is not modelled");
        }
        return splice.pipeRead(p, word);
    }

    /** {@code close()} of the pipe's last file ({@code pipe_release}). Returns 0, or -EBADF if already closed. */
    public long pipeClose(Pipe p) {
        if (p.closed) {
            return -Errno.EBADF;
        }
        splice.release(p);
        return 0;
    }

    // ---- reverse map, observation -------------------------------------------------------------------------

    /** Where anon page {@code pfn} is mapped, by {@code rmap_walk_anon}: "mm ADDR" strings in walk order. */
    public List<String> rmapWalk(int pfn) {
        return rmap.rmapWalk(pfn).stream()
                .map(m -> String.format("mm %d %#x", m.mm().id(), m.address()))
                .toList();
    }

    void observe(int observerMmId, int pfn, String how) {
        int writer = frames.writer(pfn);
        if (writer >= 0 && writer != observerMmId && frames.test(pfn, PageFlags.PG_ANON)) {
            observations.add(new Observation(observerMmId, pfn, writer, frames.writeTime(pfn), how));
        }
    }

    /** Cross-mm reads of anonymous data since the last call, for the isolation invariant; clears the list. */
    public List<Observation> drainObservations() {
        List<Observation> out = List.copyOf(observations);
        observations.clear();
        return out;
    }

    void registerAnonVma(AnonVma a) {
        if (a.id() != anonVmas.size() + 1) {
            throw new IllegalStateException("anon_vma ids must be dense: " + a.id());
        }
        anonVmas.add(a);
    }
}
