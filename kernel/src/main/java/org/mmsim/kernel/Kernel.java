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
    /** What {@link #trackFootprint} records into; shared with the frames, the allocator and every page table. */
    final Footprint footprint = new Footprint();

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
    final Filemap filemap;
    final Migrate migrate;
    final IoUring ioUring;
    final TaskMmu taskMmu;
    final ProcMem procMem;

    private final List<Task> tasks = new ArrayList<>();
    private final List<Mm> mms = new ArrayList<>();
    private final List<int[]> lineage = new ArrayList<>();
    private final List<AnonVma> anonVmas = new ArrayList<>();
    private final List<Pipe> pipes = new ArrayList<>();
    private final List<GupPages> gupHolders = new ArrayList<>();
    final List<Observation> observations = new ArrayList<>();
    private final List<Inode> inodes = new ArrayList<>();
    private final List<OpenFile> files = new ArrayList<>();
    private final List<IoRing> rings = new ArrayList<>();
    /** {@code user->locked_vm} of the one user every process runs as, in pages. */
    long userLockedVm;
    int nextAnonVmaId = 1;
    int nextMmioPfn;
    int nextPid = 1;
    private int time;
    long nrFollPinAcquired;
    long nrFollPinReleased;

    private Kernel(KernelProfile profile, int normalFrames, int movableFrames) {
        this.profile = profile;
        this.frames = new PageFrames(1 + normalFrames + movableFrames, footprint);
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
        this.filemap = new Filemap(this);
        this.migrate = new Migrate(this);
        this.ioUring = new IoUring(this);
        this.taskMmu = new TaskMmu(this);
        this.procMem = new ProcMem(this);
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
        footprint.clock();
        return time;
    }

    private int tick() {
        footprint.clock();
        return ++time;
    }

    // ---- exploration support ------------------------------------------------------------------------------

    /**
     * A 64-bit canonical hash of the machine's entire mutable state, for an explorer's visited set: machines in
     * equal states give equal fingerprints, and any change a kernel call makes changes it (but for a 2^-64
     * chance). Objects are named by ids, list positions and addresses, never by Java identity.
     *
     * <p>Covered: every {@code struct page} ever allocated and the zero page (all fields, data words and writer
     * shadows), the allocator's free lists and counters, tasks, mms (every field, VMAs in address order, every
     * non-zero pte), anon_vmas, inodes (page cache, {@code i_mmap}, disk), open files, pipes, GUP holders,
     * io_uring rings, pending observations and the kernel's counters and clock. Left out: the journal, the
     * profile (fixed per machine), the footprint accumulator, and suspended {@link KernelCall}s, which their owner
     * fingerprints. The field-by-field list is in {@code MachineFingerprint}. Does not disturb footprint tracking.
     */
    public long fingerprint() {
        boolean tracking = footprint.on;
        footprint.on = false;
        try {
            return MachineFingerprint.of(this);
        } finally {
            footprint.on = tracking;
        }
    }

    /**
     * Start or stop recording which resources kernel calls touch; see {@link Footprint} for the bits and, above
     * all, for what they do not cover. Stopping keeps the bits accumulated so far.
     */
    public void trackFootprint(boolean on) {
        footprint.on = on;
    }

    /** The {@link Footprint} bits accumulated since the last take (0 if tracking was off); resets them. */
    public long takeFootprint() {
        return footprint.take();
    }

    int tickForWrite() {
        return tick();
    }

    // ---- tasks and mms ------------------------------------------------------------------------------------

    Mm newMm(int parentId, int forkTime) {
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

    /**
     * Fork is done: the child's address space is separate from its parent's for stores from {@code time} on
     * (fork passes the clock plus one: stores are stamped with ticks, and one made at the current tick came before).
     * A store another parent thread made while fork was still copying (to a pte not yet write-protected) is one the
     * child may legitimately see; every later store to a shared page faults and waits for fork's mmap_lock.
     */
    void separatedAt(int mmId, int time) {
        lineage.get(mmId - 1)[1] = time;
    }

    /** The event time at which mm {@code mmId} was separated from its parent by fork (or spawned). */
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
        return new MadviseCall(this, t.mm, addr, len, advice).runToEnd();
    }

    /** {@link #madvise} as a call the explorer can suspend at each pte MADV_DONTNEED zaps (see {@link MadviseCall}). */
    public KernelCall beginMadvise(Task t, long addr, long len, int advice) {
        requireLive(t);
        return new MadviseCall(this, t.mm, addr, len, advice);
    }

    /**
     * {@code fork()} (kernel/fork.c {@code copy_process} → {@code dup_mm}). The child does not inherit
     * MMF_HAS_PINNED.
     *
     * @return the child task, or null when memory ran out ({@code -ENOMEM}; the half-built child is torn down)
     */
    public Task fork(Task parent, String comm) {
        requireLive(parent);
        ForkCall c = new ForkCall(this, parent, comm);
        c.runToEnd();
        return c.child;
    }

    // ---- locks held by suspended calls (only the explorer suspends calls) --------------------------------------

    /**
     * Whether {@code t} could take its mm's {@code mmap_lock} now, for write or for read: no suspended
     * {@link KernelCall} holds it in a conflicting mode. Readers do not queue behind a waiting writer here.
     */
    public boolean mmapLockFree(Task t, boolean write) {
        requireLive(t);
        return write ? KernelCall.mmapWriteFree(t.mm) : KernelCall.mmapReadFree(t.mm);
    }

    /** Whether the PTL of {@code t}'s mm is free. */
    public boolean ptlFree(Task t) {
        requireLive(t);
        return !t.mm.ptlHeld;
    }

    /** Whether no suspended call holds any mmap_lock or PTL anywhere. */
    public boolean quiescent() {
        for (Mm mm : mms) {
            if (mm.mmapLockWriter || mm.mmapLockReaders != 0 || mm.ptlHeld) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a user load or store by {@code t} at {@code addr} would fault (so take mmap_lock and the PTL) rather
     * than go through the pte as it is: the MMU's check only, nothing changes.
     */
    public boolean accessFaults(Task t, long addr, boolean write) {
        requireLive(t);
        long pte = t.mm.pte(addr);
        return !(Pte.hwAccessible(pte) && (!write || Pte.write(pte)));
    }

    /** {@link #fork} as a call the explorer can suspend at each pte (see {@link ForkCall}). */
    public KernelCall beginFork(Task parent, String comm) {
        requireLive(parent);
        return new ForkCall(this, parent, comm);
    }

    /** The child of a finished {@link #beginFork}, or null if the fork failed. */
    public Task forkChild(KernelCall call) {
        return ((ForkCall) call).child;
    }

    Task addTask(String comm, Mm mm) {
        Task t = new Task(nextPid, nextPid, comm, mm);
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
            for (IoRing r : rings) {
                if (r.mm == mm && !r.closed) {
                    ioUringRelease(r);
                }
            }
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
     * @return the value, or null if the load would raise SIGSEGV or SIGBUS (no VMA, no read permission, beyond the
     *     end of a mapped file, task exited)
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
            return vma.file == null ? 0L : peekFile(vma, addr, word);
        }
        int pfn = Pte.pfn(pte);
        return pfn >= frames.nrFrames() ? -1L : frames.word(pfn, word);
    }

    /** What a fault at an unmapped file address would show: the cached page, else the disk; null past EOF. */
    private Long peekFile(Vma vma, long addr, int word) {
        Inode inode = vma.inode();
        long index = vma.linearPageIndex(addr);
        if (index >= inode.sizePages()) {
            return null;
        }
        int pfn = inode.pageAt(index);
        return pfn >= 0 ? frames.word(pfn, word) : inode.diskWord(index, word);
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
        return PageFrames.wordOf(addr, "address");
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
     *     an unknown flag passed by the caller, or (6.3+) FOLL_LONGTERM without pinning ({@code is_valid_gup_args}), -ENOSYS for pin_user_pages on a kernel without FOLL_PIN
     */
    public GupPages gup(Task t, long start, int nrPages, int gupFlags, boolean pin, boolean fast) {
        requireLive(t);
        return gupInternal(t.mm, start, nrPages, gupFlags, pin, fast);
    }

    /** {@link #gup} on an mm, for kernel users of GUP (io_uring). */
    GupPages gupInternal(Mm mm, long start, int nrPages, int gupFlags, boolean pin, boolean fast) {
        GupCall c = new GupCall(this, mm, start, nrPages, gupFlags, pin, fast);
        c.runToEnd();
        return c.g;
    }

    /**
     * {@link #gup} as a call the explorer can suspend at GUP's preemption points (see {@link GupCall}); its
     * {@link GupPages} is {@link #gupPages(KernelCall)} once it is done.
     */
    public KernelCall beginGup(Task t, long start, int nrPages, int gupFlags, boolean pin, boolean fast) {
        requireLive(t);
        return new GupCall(this, t.mm, start, nrPages, gupFlags, pin, fast);
    }

    /** What a call begun by {@link #beginGup} holds. */
    public GupPages gupPages(KernelCall call) {
        return ((GupCall) call).g;
    }

    void addGupHolder(GupPages g) {
        gupHolders.add(g);
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

    // ---- files --------------------------------------------------------------------------------------------

    Inode newInode(FsType fs, String name, long size, int nlink) {
        Inode inode = new Inode(inodes.size() + 1, fs, name, size, nlink);
        inodes.add(inode);
        note(inode + " created, i_size " + size);
        return inode;
    }

    /** The inode numbered {@code id}, or null. */
    public Inode inode(int id) {
        return id <= 0 || id > inodes.size() ? null : inodes.get(id - 1);
    }

    /** Every inode ever created, by number. */
    public List<Inode> inodes() {
        return Collections.unmodifiableList(inodes);
    }

    /** {@code ihold()}: one more open file or VMA refers to the inode. */
    void iget(Inode inode) {
        inode.count++;
    }

    /** {@code iput()}: when nothing refers to an unlinked inode any more, evict it. */
    void iput(Inode inode) {
        KernelBug.bugOn(inode.count <= 0, "iput", inode + " released more often than taken");
        if (--inode.count == 0 && inode.nlink == 0) {
            filemap.truncateInodePages(inode);
        }
    }

    private OpenFile openInode(Inode inode, boolean readable, boolean writable) {
        OpenFile f = new OpenFile(inode, readable, writable);
        iget(inode);
        files.add(f);
        return f;
    }

    /**
     * {@code open(name, O_CREAT|O_RDWR)} of a new file on a filesystem of type {@code fs}, then
     * {@code ftruncate(size)}: a sparse file of {@code size} bytes.
     */
    public OpenFile creat(FsType fs, String name, long size) {
        path("do_sys_open");
        return openInode(newInode(fs, name, Math.max(size, 0), 1), true, true);
    }

    /** {@code memfd_create(name)} then {@code ftruncate(size)}: an unlinked tmpfs file, open O_RDWR. */
    public OpenFile memfdCreate(String name, long size) {
        path("memfd_create");
        return openInode(newInode(FsType.TMPFS, "memfd:" + name, Math.max(size, 0), 0), true, true);
    }

    /**
     * {@code open()} of the file {@code f} is open on (as by its name, or {@code /proc/self/fd/N}), read-only or
     * read-write.
     *
     * @return the new open file, or null if the inode is gone ({@code -ENOENT})
     */
    public OpenFile open(OpenFile f, boolean writable) {
        path("do_sys_open");
        if (f.inode().evicted) {
            return null;
        }
        return openInode(f.inode(), true, writable);
    }

    /** {@code close()}: 0, or -EBADF if already closed. */
    public long close(OpenFile f) {
        path("__fput");
        if (f.closed) {
            return -Errno.EBADF;
        }
        f.closed = true;
        iput(f.inode());
        return 0;
    }

    /** {@code unlink()} of the file's name: 0, or -ENOENT if it has none (a memfd, or already unlinked). */
    public long unlink(Inode inode) {
        path("vfs_unlink");
        if (inode.nlink == 0) {
            return -Errno.ENOENT;
        }
        inode.nlink = 0;
        if (inode.count == 0) {
            filemap.truncateInodePages(inode);
        }
        return 0;
    }

    /** Every file ever opened, in order. */
    public List<OpenFile> files() {
        return Collections.unmodifiableList(files);
    }

    /** {@code pread(f, &word, 8, pos)}. See {@link Filemap#read}. */
    public FileRead pread(OpenFile f, long pos) {
        if (f.closed) {
            return new FileRead(0, -Errno.EBADF);
        }
        return filemap.read(f, pos);
    }

    /** {@code pwrite(f, &value, 8, pos)}. See {@link Filemap#write}. */
    public long pwrite(OpenFile f, long pos, long value) {
        return f.closed ? -Errno.EBADF : filemap.write(f, pos, value);
    }

    /** {@code fsync(f)}: write the file's dirty pages back. 0, or -EBADF. */
    public long fsync(OpenFile f) {
        path("vfs_fsync_range");
        if (f.closed) {
            return -Errno.EBADF;
        }
        filemap.writeback(f.inode());
        return 0;
    }

    /** {@code mmap(addr, len, prot, flags, f, off)}. See {@link Mmap#doMmap(Mm, long, long, int, int, OpenFile, long)}. */
    public long mmapFile(Task t, long addr, long len, int prot, int flags, OpenFile f, long off) {
        requireLive(t);
        return mmap.doMmap(t.mm, addr, len, prot, flags, f, off);
    }

    // ---- procfs, ptrace, rlimits --------------------------------------------------------------------------

    /** {@code echo VALUE > /proc/PID/clear_refs}. See {@link TaskMmu#clearRefs}. */
    public long clearRefs(Task t, int value) {
        requireLive(t);
        return taskMmu.clearRefs(t.mm, value);
    }

    /** The 64-bit {@code /proc/PID/pagemap} entry for {@code addr}. See {@link TaskMmu#pagemap}. */
    public long pagemap(Task t, long addr) {
        requireLive(t);
        return taskMmu.pagemap(t.mm, addr);
    }

    /** {@code pwrite()} of one word to {@code /proc/PID/mem} of {@code target}: 8, or -EIO. */
    public long procMemWrite(Task target, long addr, long value) {
        requireLive(target);
        path("mem_rw");
        return procMem.accessRemoteVm(target.mm, addr, value, true).ret() == 8 ? 8 : -Errno.EIO;
    }

    /** {@code pread()} of one word from {@code /proc/PID/mem} of {@code target}: the word, or -EIO. */
    public FileRead procMemRead(Task target, long addr) {
        requireLive(target);
        path("mem_rw");
        FileRead r = procMem.accessRemoteVm(target.mm, addr, 0, false);
        return r.ret() == 8 ? r : new FileRead(0, -Errno.EIO);
    }

    /** {@code ptrace(PTRACE_POKEDATA, target, addr, value)}: 0, or -EIO. */
    public long ptracePoke(Task target, long addr, long value) {
        requireLive(target);
        path("generic_ptrace_pokedata");
        return procMem.accessRemoteVm(target.mm, addr, value, true).ret() == 8 ? 0 : -Errno.EIO;
    }

    /**
     * {@link #procMemWrite} ({@code write}) or {@link #procMemRead} as a call the explorer can suspend (see
     * {@link AccessRemoteVm}). Its {@link KernelCall#ret} is 8 when the word was copied and 0 when GUP failed;
     * {@link #remoteWord} is the word read.
     */
    public KernelCall beginAccessRemoteVm(Task target, long addr, long value, boolean write) {
        requireLive(target);
        path("mem_rw");
        return new AccessRemoteVm(this, target.mm, addr, value, write);
    }

    /** {@link #ptracePoke} as a call the explorer can suspend; its {@link KernelCall#ret} is 8 on success. */
    public KernelCall beginPtracePoke(Task target, long addr, long value) {
        requireLive(target);
        path("generic_ptrace_pokedata");
        return new AccessRemoteVm(this, target.mm, addr, value, true);
    }

    /** The word a finished {@link #beginAccessRemoteVm} read. */
    public long remoteWord(KernelCall call) {
        return ((AccessRemoteVm) call).read;
    }

    /** {@code setrlimit(RLIMIT_MEMLOCK, {bytes, bytes})}: 0, or -EINVAL for a negative limit. */
    public long setrlimitMemlock(Task t, long bytes) {
        requireLive(t);
        if (bytes < 0) {
            return -Errno.EINVAL;
        }
        t.mm.rlimitMemlock = bytes;
        return 0;
    }

    /** {@code user->locked_vm}: pages charged to RLIMIT_MEMLOCK by io_uring. */
    public long userLockedVm() {
        return userLockedVm;
    }

    // ---- io_uring -----------------------------------------------------------------------------------------

    /** {@code io_uring_setup()}: a new ring for {@code t}'s process, or null where io_uring does not exist (-ENOSYS). */
    public IoRing ioUringSetup(Task t) {
        requireLive(t);
        path("io_uring_setup");
        if (!profile.on(Switch.IO_URING)) {
            return null;
        }
        IoRing r = new IoRing(rings.size() + 1, t.mm);
        rings.add(r);
        return r;
    }

    /** {@code IORING_REGISTER_BUFFERS} of {@code [addr, addr+len)}. See {@link IoUring#registerBuffers}. */
    public long ioUringRegisterBuffers(IoRing r, long addr, long len) {
        return r.closed ? -Errno.EBADF : ioUring.registerBuffers(r, addr, len);
    }

    /** {@code IORING_OP_WRITE_FIXED}. See {@link IoUring#writeFixed}. */
    public long ioUringWriteFixed(IoRing r, OpenFile f, long off, long addr, long len) {
        return r.closed ? -Errno.EBADF : ioUring.writeFixed(r, f, off, addr, len);
    }

    /** {@code IORING_UNREGISTER_BUFFERS}. See {@link IoUring#unregisterBuffers}. */
    public long ioUringUnregisterBuffers(IoRing r) {
        return r.closed ? -Errno.EBADF : ioUring.unregisterBuffers(r);
    }

    /** Close the ring ({@code io_ring_ctx_free}): its buffers are unregistered. 0, or -EBADF. */
    public long ioUringRelease(IoRing r) {
        if (r.closed) {
            return -Errno.EBADF;
        }
        path("io_ring_ctx_free");
        if (r.pages != null) {
            ioUring.unregisterBuffers(r);
        }
        r.closed = true;
        return 0;
    }

    public List<IoRing> ioRings() {
        return Collections.unmodifiableList(rings);
    }

    // ---- reverse map, observation -------------------------------------------------------------------------

    /** Where page {@code pfn} is mapped, by {@code rmap_walk} (anon or file): "mm ADDR" strings in walk order. */
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
