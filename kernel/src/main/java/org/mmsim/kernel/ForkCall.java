package org.mmsim.kernel;

import java.util.List;

/**
 * {@code fork()}'s memory half ({@code copy_process} → {@code dup_mm} → {@code dup_mmap} →
 * {@code copy_page_range} → {@code copy_present_pte}) as a call the explorer can suspend, one point per present
 * pte. See {@link Fork} for what each pte gets.
 *
 * <pre>
 *   LOCK:      mm_alloc(); mmap_write_lock(oldmm); raw_write_seqcount_begin(&amp;oldmm->write_protect_seq)
 *              then walk to the first present pte (vm_area_dup() and link each VMA passed) and CHECK it
 *   CHECK:     (under the PTL) vm_normal_page(); page_try_dup_anon_rmap() / page_maybe_dma_pinned():
 *              copy_present_page() now, or get_page() and share          ← point: the PTL is still held
 *   WRPROTECT: ptep_set_wrprotect(src); set_pte_at(dst); walk on and CHECK the next present pte
 *   at the end: raw_write_seqcount_end(); mmap_write_unlock(oldmm); the child task exists
 * </pre>
 *
 * The point between CHECK and WRPROTECT is inside a PTL section, so only a lockless walker (GUP-fast) can run
 * there, and every other thread waits for mmap_lock anyway. It is the window of commit 57efa1fe5957: a GUP-fast
 * pin taken there is on a page fork has decided to share but not yet write-protected.
 *
 * <p>Returns the child's pid, or -ENOMEM when a frame for {@code copy_present_page} could not be allocated (the
 * half-built child is torn down with {@code exit_mmap}).
 */
final class ForkCall extends KernelCall {
    private static final int LOCK = 0;
    private static final int WRPROTECT = 1;

    private final Task parent;
    private final String comm;
    private Mm oldMm;
    private Mm newMm;
    private List<Vma> vmas;
    /** The VMA being copied (index into {@link #vmas}), its copy, and the next address to look at. */
    private int vi = -1;
    private Vma src;
    private Vma dst;
    private long addr;
    /** The pte CHECK read, and whether CHECK already gave the child its own copy. */
    private long pte;
    private boolean copied;
    /** The child, once the call is done (null if it failed). */
    Task child;

    ForkCall(Kernel k, Task parent, String comm) {
        super(k, "copy_process");
        this.parent = parent;
        this.comm = comm;
    }

    @Override
    public boolean runnable() {
        return pc != LOCK || mmapWriteFree(parent.mm);
    }

    @Override
    void advance() {
        if (pc == LOCK) {
            k.path("copy_process");
            oldMm = parent.mm;
            newMm = k.newMm(oldMm.id(), k.tickForWrite());
            newMm.rlimitMemlock = oldMm.rlimitMemlock;
            k.note("mm " + newMm.id() + " forked from mm " + oldMm.id());
            mmapWriteLock(oldMm);
            k.path("dup_mmap");
            oldMm.writeProtectSeq++;
            vmas = oldMm.vmas();
        } else {
            wrprotect();
        }
        checkNext();
    }

    /** Walk to the next present pte that needs copying and run CHECK on it; at the end, finish the fork. */
    private void checkNext() {
        while (true) {
            if (src == null || addr >= src.end) {
                if (!nextVma()) {
                    end(0);
                    return;
                }
                continue;
            }
            long[] table = oldMm.pgd.table(addr, false);
            if (table == null) {
                addr = Math.min(src.end, (addr + PageTable.PMD_SIZE) & -PageTable.PMD_SIZE);
                continue;
            }
            long tableEnd = Math.min(src.end, (addr + PageTable.PMD_SIZE) & -PageTable.PMD_SIZE);
            while (addr < tableEnd && !Pte.present(table[PageTable.index(addr)])) {
                addr += PageTable.PAGE_SIZE;
            }
            if (addr == tableEnd) {
                continue;
            }
            pte = table[PageTable.index(addr)];
            oldMm.ptlHeld = true;
            int r = k.fork.copyPresentPteCheck(dst, src, addr, pte);
            if (r < 0) {
                oldMm.ptlHeld = false;
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
            Vma tmp = k.fork.dupVma(vma, newMm);
            if (tmp != null && Fork.vmaNeedsCopy(vma)) {
                k.path("copy_page_range");
                src = vma;
                dst = tmp;
                addr = vma.start;
                return true;
            }
        }
        src = null;
        return false;
    }

    private void wrprotect() {
        if (!copied) {
            k.fork.copyPresentPteFinish(dst, src, addr, pte);
        }
        oldMm.ptlHeld = false;
        addr += PageTable.PAGE_SIZE;
    }

    private void end(int r) {
        oldMm.writeProtectSeq++;
        mmapWriteUnlock(oldMm);
        if (r != 0) {
            k.mmap.exitMmap(newMm);
            finish(-Errno.ENOMEM);
            return;
        }
        k.separatedAt(newMm.id(), k.time() + 1);
        child = k.addTask(comm, newMm);
        finish(child.pid());
    }

    @Override
    void locals(StateHasher h) {
        h.add(newMm == null ? 0 : newMm.id());
        h.add(vi);
        h.add(addr);
        h.add(pte);
        h.add(copied ? 1 : 0);
    }
}
