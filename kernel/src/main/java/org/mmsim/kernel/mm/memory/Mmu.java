package org.mmsim.kernel.mm.memory;

import org.mmsim.kernel.bug.KernelBug;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.Tlb;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.VmFault;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.page.PageFrames;
import org.mmsim.kernel.mm.pgtable.PageTable;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.uapi.Signal;

/**
 * What the CPU does on a user load or store (the MMU's walk, setting the accessed and dirty bits) and, when the walk
 * fails, the architecture's fault entry (arch/x86/mm/fault.c {@code do_user_addr_fault}): find the VMA, check the
 * access ({@code access_error}), call {@code handle_mm_fault}, and retry the access. Failures become a signal for the
 * task: {@code SIGSEGV} for no VMA or no permission, {@code SIGBUS} when memory ran out or a file ended.
 *
 * <p>An access that does not fault takes no lock; one that faults takes {@code mmap_lock} for read
 * ({@code lock_mm_and_find_vma}) and the pte lock inside {@code handle_mm_fault}.
 */
public final class Mmu {
    /** What a user access did: the word loaded (0 for a store), or the signal it raised (0: none). */
    public record Access(long value, int signal) {
        public boolean faulted() {
            return signal != 0;
        }
    }

    /** Not a signal: the access's fault stopped between the owner's handler and its pte ({@link UserAccess}). */
    static final int PAUSED = 1 << 16;

    private final MmCore core;
    private final Tracer trace;
    private final PageFrames frames;
    private final Memory memory;

    public Mmu(MmCore core, Memory memory) {
        this.core = core;
        this.trace = core.trace();
        this.frames = core.frames();
        this.memory = memory;
    }

    /**
     * A user-space 64-bit load at {@code addr} (8-byte aligned, within the first {@link Page#PAGE_WORDS} words of its
     * page). A load through a raw PFN (MMIO) reads all-ones, as from an unclaimed BAR.
     */
    public Access load(Mm mm, int cpu, long addr) {
        if (!userAddress(addr) || !Page.modelled(addr) && mm.vmaAt(addr) == null) {
            return new Access(0, Signal.SIGSEGV);
        }
        int word = Page.wordOf(addr, "address");
        int cached = tlbHit(mm, cpu, addr, false);
        if (cached >= 0) {
            if (cached != PageAlloc.ZERO_PFN) {
                core.observe(mm.id(), cached, "load");
                core.observeDevice(mm.id(), addr, cached, "load");
            }
            return new Access(frames.word(cached, word), 0);
        }
        int pfn = access(mm, addr, false);
        tlbFill(mm, cpu, addr, pfn);
        if (pfn < 0) {
            return new Access(0, -pfn);
        }
        if (pfn >= frames.nrFrames()) {
            return new Access(-1L, 0);
        }
        if (pfn != PageAlloc.ZERO_PFN) {
            core.observe(mm.id(), pfn, "load");
            core.observeDevice(mm.id(), addr, pfn, "load");
        }
        return new Access(frames.word(pfn, word), 0);
    }

    /** A user-space 64-bit store of {@code value} at {@code addr}; a store to MMIO is dropped. */
    public Access store(Mm mm, int cpu, long addr, long value) {
        if (!userAddress(addr) || !Page.modelled(addr) && mm.vmaAt(addr) == null) {
            return new Access(0, Signal.SIGSEGV);
        }
        int word = Page.wordOf(addr, "address");
        int cached = tlbHit(mm, cpu, addr, true);
        if (cached >= 0) {
            trace.path("tlb hit");
            core.observeDevice(mm.id(), addr, cached, "store");
            frames.storeWord(cached, word, value, mm.id(), core.epoch(mm.id()));
            return new Access(0, 0);
        }
        int pfn = access(mm, addr, true);
        tlbFill(mm, cpu, addr, pfn);
        if (pfn < 0) {
            return new Access(0, -pfn);
        }
        if (pfn < frames.nrFrames()) {
            core.observeDevice(mm.id(), addr, pfn, "store");
            frames.storeWord(pfn, word, value, mm.id(), core.epoch(mm.id()));
        }
        return new Access(0, 0);
    }

    /**
     * The frame {@code cpu}'s TLB reaches {@code addr} through without a walk ({@link Tlb#lookup}), or -1 (no TLB, no
     * entry, or a store through an entry that may not be written).
     */
    static int tlbHit(Mm mm, int cpu, long addr, boolean write) {
        Tlb tlb = mm.tlb();
        return tlb == null ? -1 : tlb.lookup(cpu, addr & ~(Page.PAGE_SIZE - 1), write);
    }

    /**
     * The walk {@code cpu} made for an access that reached {@code pfn} (negative: it faulted): its TLB caches the pte
     * as it is now, writable without a walk only if the pte is writable and dirty. Frames beyond RAM (MMIO) are not
     * cached; the zero page is, read only.
     */
    private void tlbFill(Mm mm, int cpu, long addr, int pfn) {
        Tlb tlb = mm.tlb();
        if (tlb == null || pfn < 0 || pfn >= frames.nrFrames()) {
            return;
        }
        long pte = mm.pte(addr);
        if (Pte.hwAccessible(pte) && Pte.pfn(pte) == pfn) {
            tlb.fill(cpu, addr & ~(Page.PAGE_SIZE - 1), pfn, Pte.write(pte) && Pte.dirty(pte));
        }
    }

    /** A user load by {@code cpu} (the task's pid) as a call: see {@link UserAccess}. */
    public KernelCall<Access> loadCall(Mm mm, int cpu, long addr) {
        return new UserAccess(this, memory, mm, cpu, addr, false, 0);
    }

    /** A user store by {@code cpu} (the task's pid) as a call: see {@link UserAccess}. */
    public KernelCall<Access> storeCall(Mm mm, int cpu, long addr, long value) {
        return new UserAccess(this, memory, mm, cpu, addr, true, value);
    }

    /**
     * What a user load or store at {@code addr} by {@code cpu} would wait for before it runs ({@link UserAccess}'s
     * first point), without making it: nothing if it will not fault (the pte allows it, or the CPU's TLB does); else a
     * locked page the fault must wait for ({@link Memory#faultWait}), else {@code mmap_lock} for read and the pte
     * lock, as {@code do_user_addr_fault} takes {@code mmap_lock} ({@code lock_mm_and_find_vma}) and
     * {@code handle_pte_fault} the pte lock. The scheduler asks it of a thread about to start an access, at every
     * explored state.
     */
    public Acquire accessWait(Mm mm, int cpu, long addr, boolean write) {
        long pte = mm.pte(addr);
        if (!faults(pte, write) || tlbHit(mm, cpu, addr, write) >= 0) {
            return null;
        }
        Acquire page = memory.faultWait(mm, addr, write, pte);
        return page != null ? page : Acquire.first(mm.mmapLock().read(), mm.ptl().acquire());
    }

    Tracer tracer() {
        return trace;
    }

    MmCore core() {
        return core;
    }

    /**
     * Whether a user load or store at {@code addr} would fault (so take mmap_lock and the PTL) rather than go through
     * the pte as it is: the MMU's check only, nothing changes.
     */
    public static boolean wouldFault(Mm mm, long addr, boolean write) {
        return faults(mm.pte(addr), write);
    }

    /** The MMU's check of {@link #wouldFault} on {@code pte} as read. */
    private static boolean faults(long pte, boolean write) {
        return !(Pte.hwAccessible(pte) && (!write || Pte.write(pte)));
    }

    /**
     * What a load at {@code addr} would return now, read without faulting or changing anything: an untouched
     * anonymous address reads 0 (it would fault in the zero page), an untouched file address what the page cache or
     * the disk holds.
     *
     * @return the value, or null if the load would raise SIGSEGV or SIGBUS (no VMA, no read permission, beyond the
     *     end of a mapped file)
     */
    public Long peek(Mm mm, long addr) {
        if (!userAddress(addr)) {
            return null;
        }
        int word = Page.wordOf(addr, "address");
        Vma vma = mm.vmaAt(addr);
        if (vma == null || !vma.has(VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_EXEC)) {
            return null;
        }
        long pte = mm.pte(addr);
        if (!Pte.present(pte)) {
            AddressSpace m = vma.mapping();
            return m == null ? (vma.isAnonymous() ? 0L : null) : peekFile(m, vma.linearPageIndex(addr), word);
        }
        int pfn = Pte.pfn(pte);
        return pfn >= frames.nrFrames() ? -1L : frames.word(pfn, word);
    }

    /** {@link #peek}'s answers for many addresses at once ({@link #peek(Mm, long[], int, long[], byte[])}). */
    public static final byte PEEK_SIGNAL = 0;
    public static final byte PEEK_WORD = 1;
    public static final byte PEEK_ASK = 2;

    /**
     * {@link #peek} of {@code addrs[0..n)} in turn, for a reader of many words of one mm at once (a scenario's final
     * condition): the VMA found for one address serves the next ones it covers, and nothing is boxed. {@code status[k]}
     * is {@link #PEEK_WORD} with the word in {@code words[k]}, {@link #PEEK_SIGNAL} where the load would raise a
     * signal, or {@link #PEEK_ASK} where only {@link #peek} answers (an address that is not a word's, which it refuses,
     * and a file page that is not mapped).
     */
    public void peek(Mm mm, long[] addrs, int n, long[] words, byte[] status) {
        Vma vma = null;
        for (int k = 0; k < n; k++) {
            long addr = addrs[k];
            long offset = addr & (Page.PAGE_SIZE - 1);
            if (!userAddress(addr)) {
                status[k] = PEEK_SIGNAL;
                continue;
            }
            if ((offset & 7) != 0 || offset >= 8L * Page.PAGE_WORDS) {
                status[k] = PEEK_ASK;
                continue;
            }
            if (vma == null || !vma.contains(addr)) {
                vma = mm.vmaAt(addr);
            }
            if (vma == null || !vma.has(VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_EXEC)) {
                status[k] = PEEK_SIGNAL;
                continue;
            }
            long pte = mm.pte(addr);
            if (!Pte.present(pte)) {
                if (vma.mapping() != null) {
                    status[k] = PEEK_ASK;
                } else if (vma.isAnonymous()) {
                    words[k] = 0;
                    status[k] = PEEK_WORD;
                } else {
                    status[k] = PEEK_SIGNAL;
                }
                continue;
            }
            int pfn = Pte.pfn(pte);
            words[k] = pfn >= frames.nrFrames() ? -1L : frames.word(pfn, (int) (offset >>> 3));
            status[k] = PEEK_WORD;
        }
    }

    /** What a fault at an unmapped file address would show: the cached page, else the disk; null past EOF. */
    private Long peekFile(AddressSpace m, long index, int word) {
        if (index >= m.sizePages()) {
            return null;
        }
        int pfn = m.pageAt(index);
        if (pfn >= 0) {
            return frames.word(pfn, word);
        }
        long[] block = m.aops().readFolio(index);
        return block == null ? 0L : block[word];
    }

    /** Below {@code TASK_SIZE} and not negative (a failed mmap's -errno used as an address is not). */
    private static boolean userAddress(long addr) {
        return addr >= 0 && addr < PageTable.TASK_SIZE;
    }

    /**
     * Make {@code addr} accessible to {@code mm} for a load or a store, faulting as the hardware would.
     *
     * @return the PFN the access reaches, or the negated signal number
     */
    private int access(Mm mm, long addr, boolean write) {
        for (int attempt = 0; attempt < 4; attempt++) {
            long pte = mm.pte(addr);
            if (Pte.hwAccessible(pte) && (!write || Pte.write(pte))) {
                long done = Pte.mkYoung(pte);
                if (write) {
                    done = Pte.mkDirty(done);
                }
                if (done != pte) {
                    mm.setPte(addr, done);
                }
                return Pte.pfn(pte);
            }
            int sig = doUserAddrFault(mm, addr, write);
            if (sig != 0) {
                return -sig;
            }
        }
        throw new KernelBug("fault_loop", "access to " + Long.toHexString(addr) + " still faults after 4 faults");
    }

    /** {@code do_user_addr_fault()}: 0 if the fault was handled, else the signal to deliver. */
    private int doUserAddrFault(Mm mm, long addr, boolean write) {
        trace.path("do_user_addr_fault");
        Vma vma = mm.vmaAt(addr);
        if (vma == null || accessError(vma, write)) {
            return Signal.SIGSEGV;
        }
        int flags = VmFault.FAULT_FLAG_USER | (write ? VmFault.FAULT_FLAG_WRITE : 0);
        int ret = memory.handleMmFault(vma, addr, flags);
        if ((ret & DeviceFault.VM_FAULT_PAUSED) != 0) {
            return PAUSED;
        }
        if ((ret & VmFault.VM_FAULT_OOM) != 0) {
            return Signal.SIGBUS;
        }
        if ((ret & VmFault.VM_FAULT_ERROR) != 0) {
            return (ret & VmFault.VM_FAULT_SIGBUS) != 0 ? Signal.SIGBUS : Signal.SIGSEGV;
        }
        return 0;
    }

    /** {@code access_error()}: a write needs VM_WRITE; any access needs one of READ, WRITE, EXEC. */
    private static boolean accessError(Vma vma, boolean write) {
        if (write) {
            return !vma.has(VmFlags.VM_WRITE);
        }
        return !vma.has(VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_EXEC);
    }
}
