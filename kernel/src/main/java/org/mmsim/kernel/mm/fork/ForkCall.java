package org.mmsim.kernel.mm.fork;

import java.util.ArrayList;
import java.util.List;
import org.mmsim.kernel.fs.FdTable;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.notifier.MmuNotifierEvent;
import org.mmsim.kernel.mm.notifier.MmuNotifierRange;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.pgtable.PageTable;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.task.Tasks;
import org.mmsim.kernel.trace.Change;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code fork()} ({@code copy_process} → {@code copy_files}, {@code dup_mm} → {@code dup_mmap} →
 * {@code copy_page_range} → {@code copy_present_pte}) as a call the explorer can suspend, one point per present pte.
 * See {@link Fork} for what each pte gets.
 *
 * <pre>
 *   LOCK:      copy_files(); mm_alloc(); mmap_write_lock(oldmm); raw_write_seqcount_begin(&amp;oldmm->write_protect_seq)
 *              then walk to the first present pte (vm_area_dup() and link each VMA passed) and CHECK it
 *   CHECK:     (under the PTL) vm_normal_page(); page_try_dup_anon_rmap() / page_maybe_dma_pinned():
 *              copy_present_page() now, or get_page() and share          ← point: the PTL is still held
 *   WRPROTECT: ptep_set_wrprotect(src); set_pte_at(dst); walk on and CHECK the next present pte
 *   at the end: raw_write_seqcount_end(); mmap_write_unlock(oldmm); the child task exists
 * </pre>
 *
 * The point between CHECK and WRPROTECT is inside a PTL section, so only a lockless walker (GUP-fast) can run there,
 * and every other thread waits for mmap_lock anyway. It is the window of commit 57efa1fe5957: a GUP-fast pin taken
 * there is on a page fork has decided to share but not yet write-protected.
 *
 * <p>Returns the child's pid, or -ENOMEM when a frame for {@code copy_present_page} could not be allocated (the
 * half-built child is torn down with {@code exit_mmap}, its fd table dropped); the result is the child task.
 */
public final class ForkCall extends KernelCall<Task> {
    private static final int LOCK = 0;
    private static final int WRPROTECT = 1;

    private final Fork fork;
    private final Task parent;
    private final String comm;
    private Mm oldMm;
    private Mm newMm;
    private FdTable files;
    private List<Vma> vmas;
    /** The VMA being copied (index into {@link #vmas}), its copy, and the next address to look at. */
    private int vi = -1;
    private Vma src;
    private Vma dst;
    private long addr;
    /** The pte CHECK read, and whether CHECK already gave the child its own copy. */
    private long pte;
    private boolean copied;
    /** Whether the VMA being copied is a COW mapping, so its range is being invalidated (PROTECTION_PAGE). */
    private boolean cowRange;

    ForkCall(Fork fork, Task parent, String comm) {
        super(fork.trace, fork.core.footprint(), "copy_process");
        this.fork = fork;
        this.parent = parent;
        this.comm = comm;
    }

    @Override
    public Acquire blockedOn() {
        return pc == LOCK ? parent.mm().mmapLock().write().blocked() : null;
    }

    @Override
    protected void advance() {
        if (pc == LOCK) {
            trace.path("copy_process");
            if (fork.tasks.live() >= Tasks.PID_MAX) {
                finish(-Errno.EAGAIN); // alloc_pid: no free pid below pid_max
                return;
            }
            oldMm = parent.mm();
            files = fork.copyFiles(parent);
            newMm = fork.core.newMm(oldMm.id());
            newMm.setRlimitMemlock(oldMm.rlimitMemlock());
            if (trace.on()) {
                trace.record(new Change.MmForked(newMm.id(), oldMm.id()));
            }
            oldMm.mmapWriteLock();
            trace.path("dup_mmap");
            oldMm.writeProtectSeq().writeBegin();
            vmas = oldMm.vmas();
        } else {
            wrprotect();
        }
        checkNext();
    }

    /** Walk to the next present pte that needs copying and run CHECK on it; at the end, finish the fork. */
    private void checkNext() {
        while (true) {
            if (src == null || addr >= src.end()) {
                endCowRange();
                if (!nextVma()) {
                    end(0);
                    return;
                }
                continue;
            }
            PageTable table = oldMm.pageTable();
            if (!table.hasTable(addr)) {
                addr = Math.min(src.end(), (addr + PageTable.PMD_SIZE) & -PageTable.PMD_SIZE);
                continue;
            }
            long tableEnd = Math.min(src.end(), (addr + PageTable.PMD_SIZE) & -PageTable.PMD_SIZE);
            addr = table.nextPresent(addr, tableEnd);
            if (addr == tableEnd) {
                continue;
            }
            pte = table.get(addr);
            oldMm.ptl().lock();
            int r = fork.copyPresentPteCheck(dst, src, addr, pte);
            if (r < 0) {
                oldMm.ptl().unlock();
                end(r);
                return;
            }
            copied = r == Fork.COPIED;
            at(WRPROTECT, copied ? "copy_present_pte checked %#x: child got a copy"
                    : "copy_present_pte checked %#x: page shared, parent pte not yet write-protected", addr);
            return;
        }
    }

    /** vm_area_dup() the next VMA; false when there is none left. */
    private boolean nextVma() {
        while (++vi < vmas.size()) {
            Vma vma = vmas.get(vi);
            Vma tmp = fork.dupVma(vma, newMm);
            if (tmp != null && Fork.vmaNeedsCopy(vma)) {
                trace.path("copy_page_range");
                src = vma;
                dst = tmp;
                addr = vma.start();
                if (VmFlags.isCowMapping(vma.flags())) {
                    cowRange = true;
                    fork.notifiers.invalidateRangeStart(cowRange());
                }
                return true;
            }
        }
        src = null;
        return false;
    }

    private void wrprotect() {
        if (!copied) {
            fork.copyPresentPteFinish(dst, src, addr, pte);
        }
        oldMm.ptl().unlock();
        addr += Page.PAGE_SIZE;
    }

    /**
     * {@code copy_page_range}: a COW mapping's ptes may lose write permission, so secondary MMUs are told
     * (MMU_NOTIFY_PROTECTION_PAGE over the VMA) before the first pte and after the last.
     */
    private MmuNotifierRange cowRange() {
        return MmuNotifierRange.of(MmuNotifierEvent.PROTECTION_PAGE, oldMm, src.start(), src.end());
    }

    private void endCowRange() {
        if (cowRange) {
            cowRange = false;
            fork.notifiers.invalidateRangeEnd(cowRange());
        }
    }

    private void end(int r) {
        endCowRange();
        oldMm.writeProtectSeq().writeEnd();
        oldMm.mmapWriteUnlock();
        if (r != 0) {
            fork.mmap.exitMmap(newMm);
            files.put();
            finish(-Errno.ENOMEM);
            return;
        }
        fork.core.forked(oldMm.id(), newMm.id());
        Task child = fork.tasks.add(comm, newMm, files);
        finish(child.pid(), child);
    }

    @Override
    protected void locals(StateHasher h) {
        h.add(newMm == null ? 0 : newMm.id());
        h.add(vi);
        h.add(addr);
        h.add(pte);
        h.add(copied ? 1 : 0);
        h.add(cowRange);
        if (files != null) {
            files.hashInto(h);
        }
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private ForkCall(ForkCall o, Copier c) {
        super(o, c);
        this.fork = c.copy(o.fork);
        this.parent = c.copy(o.parent);
        this.comm = o.comm;
        this.oldMm = c.copy(o.oldMm);
        this.newMm = c.copy(o.newMm);
        this.files = c.copy(o.files);
        if (o.vmas != null) {
            this.vmas = new ArrayList<>(o.vmas.size());
            for (Vma v : o.vmas) {
                vmas.add(c.copy(v));
            }
        }
        this.vi = o.vi;
        this.src = c.copy(o.src);
        this.dst = c.copy(o.dst);
        this.addr = o.addr;
        this.pte = o.pte;
        this.copied = o.copied;
        this.cowRange = o.cowRange;
    }

    @Override
    public ForkCall copy(Copier c) {
        return new ForkCall(this, c);
    }
}
